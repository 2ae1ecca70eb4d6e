// Private rooms (issue 17): making one, making a room private or public, the session's rooms, and what joining
// and leaving one means for its admission. The rules themselves are access/policy.ts's.
import { admission, canManage, memberBan, newPrivateAddress, OUTSIDER_MESSAGE, roomInfoFor, titleFor, type Admission } from "../access/policy.js";
import { isPrivateAddress } from "../access/room-address.js";
import { banEndWords } from "../access/ban-end.js";
import type { Member, NewMember, NewRoom, RoomRecord, SessionRoom } from "../access/store.js";
import type { Ack, Failure, MyRoom, RoomInfo } from "../protocol.js";
import { sessionKey } from "../shared/session-key.js";
import { fail, parseCreateRoom, parseMyRooms, parseUpdateRoom } from "../validation.js";
import { isModerator, recordAction } from "./moderation.js";
import { evict, moveRoom } from "./room-exits.js";
import { tellMembersChanged } from "./members-changed.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

/** The outsider's answer: the same for a room that does not exist and one this session is not admitted to. */
export const outsider = (): Failure => fail("not_found", OUTSIDER_MESSAGE);

/** Only a browser session (the page's cookie) can be admitted to anything: a cookie-less client could not prove it again. */
export const isBrowser = (socket: ChatSocket): boolean => socket.data.sessionId.startsWith("s:");

const viewerOf = (socket: ChatSocket) => ({ sessionKey: socket.data.ownerKey, isBrowser: isBrowser(socket) });

/**
 * What a join into `room` may do: go ahead (with the room's record when private), or the outsider's refusal.
 * `username` null: a member asks about the room without joining it (list_members), known by its name there, if any.
 */
export async function joinAdmission(socket: ChatSocket, deps: ChatDeps, room: string, username: string | null): Promise<Admission | Failure> {
  const found = await admission(deps.store.access, room, viewerOf(socket));
  if (found.kind === "outsider") return outsider();
  if (found.kind === "member") {
    // A ban keeps a member out under any name: the one it joins with, and the one the room knows it by (a ban of a
    // name nobody held binds no session). A conversation's bans are those of the room it was opened in.
    const ban = await memberBan(deps.store, found.record, socket.data.ownerKey, [username, found.member.name], deps.clock.now());
    if (ban !== null) return fail("banned", `You are banned from ${ban.isOrigin ? "the room this conversation started in" : "this room"} ${banEndWords(ban.until)}.`);
  }
  return found;
}

/**
 * After the socket entered the room and read its history: still admitted? An admission that ended meanwhile
 * (a kick on another node, the last tab leaving) either shows here, or its eviction found this socket in the room.
 */
export async function stillAdmitted(socket: ChatSocket, deps: ChatDeps, room: string, username: string): Promise<boolean> {
  if (socket.data.rooms.get(room) !== username) return false;
  const again = await admission(deps.store.access, room, viewerOf(socket));
  return again.kind !== "outsider";
}

/** The room as this socket sees it, for the join answer; marks the socket as in a private room. */
export async function joinedRoomInfo(socket: ChatSocket, deps: ChatDeps, record: RoomRecord, member: Member, username: string): Promise<RoomInfo> {
  (socket.data.privateRooms ??= new Map()).set(record.room, { kind: record.kind });
  // A creator is admitted before it has a name here: its first join gives it one (my_rooms offers it next time).
  if (member.name === null) await deps.store.access.admit(record.room, { sessionKey: member.sessionKey, name: username }, deps.clock.now());
  const members = record.kind === "direct" ? await deps.store.access.members(record.room) : [];
  const isMod = record.kind === "private" && (await isModerator(socket, deps));
  return roomInfoFor(record, socket.data.ownerKey, isMod, titleFor(record, socket.data.ownerKey, members));
}

/**
 * leave_chat of a private room ends the session's admission (a new invite is needed to come back); of a direct
 * conversation, closes it for the session until a new message. Either way every other tab of the session goes too.
 */
export async function endStay(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, kind: "private" | "direct"): Promise<void> {
  if (kind === "private") await deps.store.access.removeMember(room, socket.data.ownerKey);
  else await deps.store.access.closeDirect(room, socket.data.ownerKey);
  evict(io, deps, { room, sessionKey: socket.data.ownerKey, removed: { room, reason: "left" } });
  if (kind === "private") tellMembersChanged(io, room); // gone for good: off the members list, not only away
}

/** create_room: a private room, this session its creator and first member. */
export async function createRoom(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ room: RoomInfo }>> {
  const input = parseCreateRoom(raw);
  if (!input.ok) return input;
  if (!isBrowser(socket)) return fail("session_required", "Private rooms need the page's cookie: open the chat page in a browser with cookies on.");
  const key = socket.data.ownerKey;
  const most = deps.config.access.maxRoomsPerSession;
  if ((await deps.store.access.createdRoomCount(key)) >= most) return fail("limit_reached", `This browser has made ${most} private rooms, the most it may.`);
  const record = newRecord(input.value.title, key, deps);
  await deps.store.access.createRoom(record, [{ sessionKey: key, name: null }]);
  deps.log.info("room_created", { room: record.room });
  return { ok: true, room: roomInfoFor({ ...record, kind: "private" }, key, await isModerator(socket, deps)) };
}

function newRecord(title: string, creatorKey: string, deps: ChatDeps): NewRoom & { kind: "private" } {
  return { room: newPrivateAddress(), title, kind: "private", creatorKey, membersCanInvite: false, originRoom: null, pairKey: null, createdAt: deps.clock.now() };
}

/**
 * The rooms without those a ban keeps this session out of, until it ends: a direct conversation a ban from the room it
 * was opened in closes, and a private room it was let back into by a new link while banned there. It may not join
 * them, and their newest id would tell it that the others still write (found by review, 2026-12-07; the private
 * room by the access review the same day).
 */
async function openTo(deps: ChatDeps, key: string, rooms: readonly SessionRoom[]): Promise<SessionRoom[]> {
  const now = deps.clock.now();
  const isClosed = await Promise.all(rooms.map(async ({ record, member }) => (await memberBan(deps.store, record, key, [member.name], now)) !== null));
  return rooms.filter((_, i) => !isClosed[i]);
}

/** my_rooms: every private room and direct conversation this session is admitted to (those a ban closes aside). */
export async function myRooms(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ rooms: MyRoom[] }>> {
  const input = parseMyRooms(raw);
  if (!input.ok) return input;
  if (!isBrowser(socket)) return { ok: true, rooms: [] };
  const key = socket.data.ownerKey;
  const found = await openTo(deps, key, await deps.store.access.roomsOf(key));
  const isMod = found.some((r) => r.record.kind === "private") && (await isModerator(socket, deps));
  const rooms = found.map(({ record, member, newestId, peerName }): MyRoom => {
    const info = roomInfoFor(record, key, isMod, record.kind === "direct" ? (peerName ?? record.title) : record.title);
    return {
      ...info,
      ...(member.name !== null ? { name: member.name } : {}),
      newestId,
      ...(member.closedUpto !== null ? { closedUpto: member.closedUpto } : {}),
    };
  });
  return { ok: true, rooms };
}

/**
 * update_room. A moderator makes a public room private (it moves to a new address; who is in it now stays
 * admitted) or a private room public (it moves to its title's name); a private room's managers set whether
 * every member may invite.
 */
export async function updateRoom(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ room: RoomInfo }>> {
  const input = parseUpdateRoom(raw);
  if (!input.ok) return input;
  const { room, isPrivate, membersCanInvite } = input.value;
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before changing it.");
  const isMod = await isModerator(socket, deps);
  if (!isPrivateAddress(room)) {
    if (membersCanInvite !== undefined || isPrivate !== true) return fail("invalid_payload", "A public room has no invite settings; a moderator can make it private.");
    if (!isMod) return fail("not_moderator", "Only a moderator can make a room private; sign in at /moderate.");
    return makePrivate(io, socket, deps, room);
  }
  const found = await admission(deps.store.access, room, viewerOf(socket));
  if (found.kind !== "member") return outsider();
  if (found.record.kind === "direct") return fail("invalid_payload", "A direct conversation cannot be changed.");
  if (isPrivate === false) {
    if (!isMod) return fail("not_moderator", "Only a moderator can make a room public; sign in at /moderate.");
    return makePublic(io, socket, deps, found.record);
  }
  if (!canManage(found.record, socket.data.ownerKey, isMod)) return fail("not_allowed", "Only the room's creator or a moderator can change who may invite.");
  if (membersCanInvite !== undefined) {
    await deps.store.access.setMembersCanInvite(room, membersCanInvite);
    // Every member's Invite control follows at once (a member's own right is canManage or this).
    io.to(room).emit("room_updated", { room, membersCanInvite });
  }
  const record = { ...found.record, membersCanInvite: membersCanInvite ?? found.record.membersCanInvite };
  return { ok: true, room: roomInfoFor(record, socket.data.ownerKey, isMod) };
}

async function makePrivate(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string): Promise<Ack<{ room: RoomInfo }>> {
  // Everyone present now, on every node, held names too: each browser session among them stays admitted.
  const members: NewMember[] = [];
  for (const h of await deps.presence.holders(room)) {
    if (h.sessionId.startsWith("s:")) members.push({ sessionKey: sessionKey(deps.config.secretKey, h.sessionId), name: h.name });
  }
  if (!members.some((m) => m.sessionKey === socket.data.ownerKey)) members.push({ sessionKey: socket.data.ownerKey, name: socket.data.rooms.get(room) ?? null });
  const record = newRecord(room, socket.data.ownerKey, deps);
  // The push rows follow the room in the move's own transaction (those not let in lose theirs), so no push of the
  // fresh public room that now has the old name can reach them, even if this node dies right after.
  const pushRows = await deps.store.access.makePrivate(room, record, members);
  await recordAction(socket, deps, { action: "make_private", room, target: null, messageId: null, detail: JSON.stringify({ members: members.length }) });
  await moveRoom(io, deps, { moved: { room, to: { room: record.room, title: room, kind: "private" } }, admitted: members.map((m) => m.sessionKey) });
  // A reader not let in may no longer read what a push notification of the room quotes (a closed page's name was
  // released, so presence above never saw it): it is taken back.
  deps.push?.roomMadePrivate(room, record.room, pushRows);
  return { ok: true, room: roomInfoFor(record, socket.data.ownerKey, true) };
}

async function makePublic(io: ChatServer, socket: ChatSocket, deps: ChatDeps, record: RoomRecord): Promise<Ack<{ room: RoomInfo }>> {
  const to = record.title;
  const inUse = (await deps.presence.holders(to)).length > 0 || (await deps.store.access.makePublic(record.room, to, deps.clock.now())) === "name_in_use";
  if (inUse) return fail("room_exists", `A public room named "${to}" already has messages or people; this room stays private.`);
  await recordAction(socket, deps, { action: "make_public", room: to, target: null, messageId: null, detail: null });
  await moveRoom(io, deps, { moved: { room: record.room, to: { room: to, title: to, kind: "public" } } });
  return { ok: true, room: { room: to, title: to, kind: "public" } };
}
