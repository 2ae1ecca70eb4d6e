// Entering and leaving a room: presence, Socket.IO rooms, and the notices the original sent.
// The room hears presence as deltas ({joined} / {left}, one name per presence): a joiner reads the whole list
// from its join ack, so no event carries the whole room and an arrival costs the same in a room of any size.
import type { Failure } from "../protocol.js";
import { fail } from "../validation.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";
import { joinedNotice, leftNotice } from "./wire.js";
import { audienceRooms, legacyRoomOf } from "./audiences.js";
import { PresenceUnavailableError } from "./presence.js";
import type { ExitFailure } from "./exit-failures.js";
import { isDepartureTold, isReleaseTold, type ArrivalNotice } from "./presence-notices.js";

/** Claims the name in the room for this socket; the socket is in the room when this returns `isNew`. */
export async function enterRoom(socket: ChatSocket, deps: ChatDeps, room: string, username: string): Promise<{ isNew: boolean } | Failure> {
  const claim = await deps.presence.join(room, username, socket.data.sessionId, socket.id, socket.data.ownerKey);
  if (!claim.ok) return fail("name_taken", `"${username}" is already in this room; pick another name.`);
  // A disconnect meanwhile waits for this join (event-order.ts), then takes the room back as usual.
  socket.data.rooms.set(room, username);
  (socket.data.joinedAt ??= new Map()).set(room, deps.clock.now().getTime());
  void socket.join(audienceRooms(socket, room)); // the room, and its legacy clients' or this session's tabs (issue 22)
  return { isNew: claim.isNew };
}

/**
 * Tells the room about an arrival: a new presence gets a `joined` delta and the "has joined" notice; a
 * further tab, or an owner back within the name grace, hears its own notice only (a legacy page waits for
 * it). A joiner without an ack (a legacy or ack-less client) gets the room's list as one `joined` event.
 * `notice` (presence-notices.ts) narrows who hears the sentence; the `joined` delta goes out all the same.
 */
export function announceArrival(io: ChatServer, socket: ChatSocket, room: string, username: string, isNew: boolean, listForAckless: string[] | null, notice: ArrivalNotice = "room"): void {
  if (listForAckless !== null) socket.emit("presence", { room, joined: listForAckless });
  // The delta before the notice: a page that shows "X has joined" already lists X.
  if (isNew) socket.to(room).emit("presence", { room, joined: [username] });
  if (notice === "none") return;
  if (notice === "legacy_only") {
    if (isNew) io.to(legacyRoomOf(room)).emit("message", joinedNotice(room, username));
  } else if (isNew) {
    io.to(room).emit("message", joinedNotice(room, username));
  } else {
    socket.emit("message", joinedNotice(room, username));
  }
}

/**
 * Tells the room a presence ended: the `left` delta under the name as the list shows it (the first tab's),
 * then the original's notice under the name the last tab used, as before (none in a direct conversation: presence-notices.ts).
 */
export function announceDeparture(io: ChatServer, room: string, listedName: string, tabName: string, isTold = true): void {
  io.to(room).emit("presence", { room, left: [listedName] });
  if (isTold) io.to(room).emit("message", leftNotice(room, tabName));
}

/**
 * Takes the socket out of the room; the last tab of a name leaving is announced to those who stay. A
 * dropped connection (`isDrop`) of a browser session leaves its name held for the name grace instead.
 */
export async function exitRoom(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, isDrop = false): Promise<void> {
  const username = socket.data.rooms.get(room);
  if (username === undefined) return;
  const isTold = isDepartureTold(socket, room);
  socket.data.rooms.delete(room);
  socket.data.joinedAt?.delete(room);
  socket.data.privateRooms?.delete(room);
  // After socket.leave, the leaver is no longer in the room: as in the original, it does not hear its own notice.
  leaveAudiences(socket, room);
  const hold = isDrop && deps.grace.shouldHold(socket.data.sessionId);
  const leaving = deps.presence.leave(room, username, socket.id, hold).then((outcome) => {
    if (outcome.state === "held") deps.grace.start(room, username, outcome.hold);
    if (outcome.state === "left") announceDeparture(io, room, outcome.name, username, isTold);
  });
  if (deps.isPresenceStalled?.(room) === true) failLeaveAtOnce(deps, room, leaving);
  await leaving;
}

/**
 * The room's Redis (on a Redis Cluster, its master) is marked stalled: the leave's script is sent all the same, and
 * the caller hears PresenceUnavailableError now instead of after REDIS_COMMAND_TIMEOUT_MS, as a leave that timed
 * out does. What Redis does with the script is unchanged: should it answer in time after all, the departure is
 * announced (or the name held) then, as it would have been; if it times out, the node recovers once Redis answers.
 */
function failLeaveAtOnce(deps: ChatDeps, room: string, leaving: Promise<void>): never {
  leaving.catch((err: unknown) => deps.log.debug("presence_leave_late", { room, err: (err as Error).message }));
  throw new PresenceUnavailableError("Redis is not answering where the room's presence lives (the node marked it stalled)");
}

function leaveAudiences(socket: ChatSocket, room: string): void {
  for (const r of audienceRooms(socket, room)) void socket.leave(r);
}

/** The grace of a held name ended: unless its owner came back meanwhile, the room hears it leave now. */
export async function releaseHeldName(io: ChatServer, deps: ChatDeps, room: string, name: string, hold: number): Promise<void> {
  const departed = await deps.presence.release(room, name, hold);
  if (departed !== null) announceDeparture(io, room, departed, name, await isReleaseTold(deps.store.access, room));
}

/**
 * A room's move (Make private, Make public): the names held at its old address end their grace now, silently. That
 * address is another room from now on (after Make private, a fresh public room anyone may join): a hold left there
 * would list a member's name to strangers, keep that name from them, and end with "<name> has left the chat." in
 * front of people who never saw it. The owners lose nothing: Make private admitted them where the room went
 * (private-rooms.ts counts held names among those present), and their pages follow the move when they come back
 * (moved-rejoin.ts). Their grace timers still fire, and find the hold gone (release answers null).
 */
export async function endHeldNames(deps: ChatDeps, room: string): Promise<void> {
  for (const held of await deps.presence.holds(room)) await deps.presence.release(room, held.name, held.hold);
}

/**
 * Undoes an enterRoom whose join failed. A new presence was never announced, so nobody hears it go; a name
 * the room already knew (an owner back within the grace) and that is now gone is announced as leaving.
 */
export async function retractEntry(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, wasNew: boolean): Promise<void> {
  const username = socket.data.rooms.get(room);
  if (username === undefined) return;
  const isTold = isDepartureTold(socket, room);
  socket.data.rooms.delete(room);
  socket.data.joinedAt?.delete(room);
  socket.data.privateRooms?.delete(room);
  leaveAudiences(socket, room);
  const outcome = await deps.presence.leave(room, username, socket.id, false);
  if (!wasNew && outcome.state === "left") announceDeparture(io, room, outcome.name, username, isTold);
}

/**
 * A closed tab leaves every room it was in (the original never announced these), each held for the grace. While
 * the server shuts down, nobody leaves (issue 19): the rooms are not told that everyone is going, and the names
 * stay as they were (in the snapshot of one node, in Redis for several), so the people coming back take them
 * back silently.
 * The rooms leave side by side, so one whose presence step fails (its Redis, on a Redis Cluster its master, frozen:
 * refused at once when marked, else after the timeout) holds up none of the others: the rooms on healthy masters
 * hear the tab leave at once, not from the recovery's sweep. The failures come back once every room has had its
 * turn (the caller logs each: exit-failures.ts); the failed rooms are left to that sweep.
 */
export async function exitAllRooms(io: ChatServer, socket: ChatSocket, deps: ChatDeps): Promise<ExitFailure[]> {
  if (deps.drain.isShuttingDown) {
    socket.data.rooms.clear();
    socket.data.joinedAt?.clear();
    socket.data.privateRooms?.clear();
    return [];
  }
  const rooms = [...socket.data.rooms.keys()];
  const exits = await Promise.allSettled(rooms.map((room) => exitRoom(io, socket, deps, room, true)));
  return exits.flatMap((exit, i) => (exit.status === "rejected" ? [{ room: rooms[i] as string, err: exit.reason as unknown }] : []));
}
