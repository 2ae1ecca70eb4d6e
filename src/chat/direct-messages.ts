// Direct conversations (issue 17): a private room of two browser sessions, opened from the people list of a room
// both are in, the same one every time. The other person hears of it at once, and again whenever a message
// arrives while it has no tab in the conversation (closed, or never joined), unless a ban from the room it was
// opened in closes it to them. It gets the conversation's pushes without joining it first (a banned one none).
import { directPairKey, newPrivateAddress, roomInfoFor } from "../access/policy.js";
import type { Member, RoomRecord } from "../access/store.js";
import type { Ack, RoomInfo, WireMessage } from "../protocol.js";
import { nameKey } from "../shared/names.js";
import { sessionKey } from "../shared/session-key.js";
import { fail, parseOpenDirect } from "../validation.js";
import { isBrowser } from "./private-rooms.js";
import { reachSession } from "./room-exits.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

const peerOf = (members: readonly Member[], key: string): Member | undefined => members.find((m) => m.sessionKey !== key);

export async function openDirect(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ room: RoomInfo; name: string }>> {
  const input = parseOpenDirect(raw);
  if (!input.ok) return input;
  const { room, username } = input.value;
  const myName = socket.data.rooms.get(room);
  if (myName === undefined) return fail("not_in_room", "Join the room first: a conversation starts from its people.");
  if (!isBrowser(socket)) return fail("session_required", "Direct messages need the page's cookie: open the chat page in a browser with cookies on.");
  const holder = await deps.presence.holder(room, username);
  if (holder === null) return fail("not_found", `No one named "${username}" is in this room.`);
  if (!holder.sessionId.startsWith("s:")) return fail("not_allowed", `${holder.name} uses a client that cannot take direct messages.`);
  const mine = socket.data.ownerKey;
  const theirs = sessionKey(deps.config.secretKey, holder.sessionId);
  if (theirs === mine) return fail("invalid_payload", "That is you: pick someone else.");
  const record = await deps.store.access.openDirectRoom(
    {
      room: newPrivateAddress(),
      title: `${myName}, ${holder.name}`,
      kind: "direct",
      creatorKey: null,
      membersCanInvite: false,
      originRoom: room,
      pairKey: directPairKey(mine, theirs),
      createdAt: deps.clock.now(),
    },
    [
      { sessionKey: mine, name: myName },
      { sessionKey: theirs, name: holder.name },
    ],
  );
  const members = await deps.store.access.members(record.room);
  const me = members.find((m) => m.sessionKey === mine);
  const peer = peerOf(members, mine);
  announceTo(io, deps, record, peer, me?.name ?? myName);
  await notePushPlace(deps, record.room, peer);
  // The opener's other tabs show it too; this one has the answer.
  if (me !== undefined) announceTo(io, deps, record, me, peer?.name ?? holder.name, undefined, socket.id);
  deps.log.info("direct_opened", { room: record.room });
  return { ok: true, room: roomInfoFor(record, mine, false, peer?.name ?? holder.name), name: me?.name ?? myName };
}

/** Tells `to` (every tab) that the conversation is there, under the other member's name; with the message that brought it back. */
function announceTo(io: ChatServer, deps: ChatDeps, record: RoomRecord, to: Member | undefined, otherName: string, message?: WireMessage, exceptSocket?: string): void {
  if (to === undefined) return;
  const room = roomInfoFor(record, to.sessionKey, false, otherName);
  reachSession(io, deps, { sessionKey: to.sessionKey, roomAdded: { room, name: to.name ?? otherName, ...(message ? { message } : {}) }, ...(exceptSocket ? { exceptSocket } : {}) });
}

/**
 * The member gets the conversation's pushes without joining it (push keeps only the rooms a session is known in):
 * a direct conversation pushes every message. Resolves once written, so a push decided after it finds it.
 */
async function notePushPlace(deps: ChatDeps, room: string, member: Member | undefined): Promise<void> {
  if (member === undefined || member.name === null) return;
  await deps.push?.joined(member.sessionKey, room, member.name);
}

/** A ban from the room the conversation was opened in closes it to the banned member until the ban ends (as joinAdmission does for a join, and push for a push). */
async function isClosedByBan(deps: ChatDeps, record: RoomRecord, member: Member): Promise<boolean> {
  if (record.originRoom === null) return false;
  return (await deps.store.activeBan(record.originRoom, nameKey(member.name ?? ""), member.sessionKey, deps.clock.now())) !== null;
}

/**
 * A message was stored in a direct conversation: when the other member has no tab in it (closed, or never
 * joined), its every tab hears of the conversation with the message, so it shows, counts and notifies, and its
 * push settings know the room (controller.ts decides the message's pushes once this resolves). Nothing of the
 * kind for a member a ban has closed the conversation to: it may not read the message.
 */
export async function afterDirectSend(io: ChatServer, socket: ChatSocket, deps: ChatDeps, message: WireMessage): Promise<void> {
  const room = message.room;
  const members = await deps.store.access.members(room);
  const peer = peerOf(members, socket.data.ownerKey);
  if (peer === undefined) return;
  const holders = await deps.presence.holders(room);
  if (holders.some((h) => h.sessionId.startsWith("s:") && sessionKey(deps.config.secretKey, h.sessionId) === peer.sessionKey)) return;
  const record = await deps.store.access.roomAccess(room, peer.sessionKey);
  if (record === null) return;
  if (await isClosedByBan(deps, record.record, peer)) return deps.log.debug("direct_not_announced", { room, reason: "banned" });
  const me = members.find((m) => m.sessionKey === socket.data.ownerKey);
  announceTo(io, deps, record.record, peer, me?.name ?? message.sender, message);
  await notePushPlace(deps, room, peer);
}
