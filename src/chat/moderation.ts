// Moderators (issue 12): who is one, removing a name from a room (kick, ban), the ban check at join, and the audit.
import type { Ack, Failure, KickResult, RemovedEvent } from "../protocol.js";
import type { AuditEntry } from "../storage/repository.js";
import { fail, nameKey, parseBanUser, parseKickUser } from "../validation.js";
import { isPrivateAddress } from "../access/room-address.js";
import { bannedMessage } from "../access/ban-end.js";
import { sessionKey } from "../shared/session-key.js";
import { evict } from "./room-exits.js";
import { tellMembersChanged } from "./members-changed.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

/** How much of a moderator's session key the log and the audit show: enough to tell moderators apart, not to forge. */
const WHO_CHARS = 12;

/**
 * A moderator: moderation is on (MODERATOR_TOKEN) and the socket's cookie carries the grant of a sign-in at
 * /moderate (http/session.ts). A tab opened before the sign-in has the old cookie, so it moderates once reloaded.
 */
export async function isModerator(socket: ChatSocket, deps: ChatDeps): Promise<boolean> {
  if (deps.config.moderatorToken === null || socket.data.moderatorKey === null) return false;
  return deps.store.isModerator(socket.data.moderatorKey);
}

/** Null when the socket may moderate this room; otherwise the refusal. */
export async function moderatorRefusal(socket: ChatSocket, deps: ChatDeps, room: string): Promise<Failure | null> {
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before moderating it.");
  if (deps.config.moderatorToken === null) return fail("not_moderator", "Moderation is not enabled on this server.");
  if (!(await isModerator(socket, deps))) return fail("not_moderator", "Only a moderator can do that; sign in at /moderate.");
  return null;
}

/** Stores the audit line and logs it: who (a prefix of the moderator's session key), what, when. */
export async function recordAction(socket: ChatSocket, deps: ChatDeps, entry: Omit<AuditEntry, "at" | "moderator">): Promise<void> {
  const full: AuditEntry = { at: deps.clock.now(), moderator: socket.data.ownerKey.slice(0, WHO_CHARS), ...entry };
  await deps.store.audit(full);
  deps.log.info("moderation_action", {
    moderator: full.moderator,
    action: full.action,
    room: full.room,
    target: full.target,
    messageId: full.messageId,
    detail: full.detail,
  });
}

/**
 * Takes the name out of the room on every node (each of its tabs hears `removed`; the room hears it leave).
 * In a private room or a direct conversation the holder's admission ends too, so all its tabs go, whatever name they use;
 * its own invite links of the room are revoked and a creator stops being one, or it could walk straight back in
 * with a link it made and manage the room again.
 */
async function removeFromRoom(io: ChatServer, deps: ChatDeps, holderKey: string | null, username: string, removed: RemovedEvent): Promise<void> {
  const room = removed.room;
  const endsAdmission = holderKey !== null && isPrivateAddress(room);
  if (endsAdmission) await deps.store.access.expelMember(room, holderKey, deps.clock.now());
  // Out of the room, out of its push notifications: one still on the device would keep quoting the room.
  if (holderKey !== null && (endsAdmission || removed.reason === "banned")) deps.push?.accessEnded(holderKey, room);
  evict(io, deps, { room, nameKey: nameKey(username), ...(endsAdmission ? { sessionKey: holderKey } : {}), removed });
  if (endsAdmission) tellMembersChanged(io, room); // an away member's removal changes no presence: the lists hear it here
}

/** The holder of the name in the room, on any node, and its session key (null for a client without a cookie). */
async function holderOf(deps: ChatDeps, room: string, username: string): Promise<{ name: string; key: string | null } | null> {
  const holder = await deps.presence.holder(room, username);
  if (holder === null) return null;
  return { name: holder.name, key: holder.sessionId.startsWith("s:") ? sessionKey(deps.config.secretKey, holder.sessionId) : null };
}

/**
 * Takes the name's holder out, and in a private room every member known by the name whose tabs are all closed
 * (found as the ban finds them): otherwise "Remove" did nothing to someone away, and only a ban could end their
 * admission. `absentMembers` says how many of those went; a kick of a present name alone answers as it always did.
 */
export async function kickUser(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<KickResult>> {
  const input = parseKickUser(raw);
  if (!input.ok) return input;
  const { room, username } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const holder = await holderOf(deps, room, username);
  const absent = await absentMembersNamed(deps, room, username, holder?.key ?? null);
  if (holder === null && absent.length === 0) return fail("not_found", `No one named "${username}" is in this room.`);
  const detail = absent.length === 0 ? null : JSON.stringify({ absentMembers: absent.length });
  await recordAction(socket, deps, { action: "kick", room, target: username, messageId: null, detail });
  const removed: RemovedEvent = { room, reason: "kicked" };
  if (holder !== null) await removeFromRoom(io, deps, holder.key, username, removed);
  for (const member of absent) await removeFromRoom(io, deps, member, username, removed);
  return absent.length === 0 ? { ok: true } : { ok: true, absentMembers: absent.length };
}

/** Bans the name (by its key) and the session holding it now, if any; a name nobody holds can be banned ahead. */
export async function banUser(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseBanUser(raw);
  if (!input.ok) return input;
  const { room, username, durationMs } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const holder = await holderOf(deps, room, username); // a name is held by one session, on any node
  const at = deps.clock.now();
  const until = new Date(at.getTime() + durationMs);
  const key = holder?.key ?? null;
  const absent = await absentMembersNamed(deps, room, username, key);
  // One row per session the ban binds (the name's row alone when it binds none): each is kept out under any name.
  for (const sessionKey of key === null && absent.length === 0 ? [null] : [...(key === null ? [] : [key]), ...absent]) {
    await deps.store.addBan({ room, nameKey: nameKey(username), name: username, sessionKey, until, by: socket.data.ownerKey.slice(0, WHO_CHARS), at });
  }
  await recordAction(socket, deps, { action: "ban", room, target: username, messageId: null, detail: JSON.stringify({ durationMs, until: until.toISOString() }) });
  const removed: RemovedEvent = { room, reason: "banned", until: until.toISOString() };
  if (holder !== null) await removeFromRoom(io, deps, key, username, removed);
  for (const member of absent) await removeFromRoom(io, deps, member, username, removed);
  for (const { room: direct, sessionKey: banned } of await directsBanned(deps, room, username, key)) {
    evict(io, deps, { room: direct, sessionKey: banned, removed: { ...removed, room: direct } });
    deps.push?.accessEnded(banned, direct);
  }
  // The push store knows by name also a session whose name was released long ago (no holder to find above).
  deps.push?.nameBanned(room, username);
  return { ok: true };
}

/**
 * A private room's members known by the banned (or kicked) name (the one they were let in under) other than its holder:
 * their pages are closed, so the name was released and nobody holds it. A kick ends their admission; a ban does and binds their
 * session as it does the holder's; before the 2026-12-07 access review it bound none, so such a member came back
 * under another name and read on (history, files, my_rooms' newest id). Direct conversations know theirs the same way.
 */
async function absentMembersNamed(deps: ChatDeps, room: string, username: string, holderKey: string | null): Promise<string[]> {
  if (!isPrivateAddress(room)) return [];
  const banned = nameKey(username);
  const named = (await deps.store.access.members(room)).filter((m) => m.sessionKey !== holderKey && m.name !== null && nameKey(m.name) === banned);
  if (named.length === 0) return [];
  // One present under another name now is not who the moderator meant: the name's holder is.
  const present = new Set((await deps.presence.holders(room)).filter((h) => h.sessionId.startsWith("s:")).map((h) => sessionKey(deps.config.secretKey, h.sessionId)));
  return named.filter((m) => !present.has(m.sessionKey)).map((m) => m.sessionKey);
}

/**
 * A ban covers the direct conversations opened from (or reached through) that room: which ones, and whose tabs
 * leave them. The holder's own, whatever name it had there; and every member the conversation knows by the banned
 * name, as the checks at join, my_rooms and push know it (direct-messages.ts), so a person who closed the room's
 * tab (the name released, no holder) is not left chatting with the people met there. Never the other member.
 */
async function directsBanned(deps: ChatDeps, room: string, username: string, holderKey: string | null): Promise<{ room: string; sessionKey: string }[]> {
  const found = new Map<string, { room: string; sessionKey: string }>();
  const add = (direct: string, sessionKey: string): void => void found.set(`${direct} ${sessionKey}`, { room: direct, sessionKey });
  if (holderKey !== null) {
    for (const { record } of await deps.store.access.roomsOf(holderKey)) if (record.kind === "direct" && record.originRoom === room) add(record.room, holderKey);
  }
  const banned = nameKey(username);
  for (const { room: direct, member } of await deps.store.access.directMembersFrom(room)) {
    if (member.name !== null && nameKey(member.name) === banned) add(direct, member.sessionKey);
  }
  return [...found.values()];
}

/** Null when the socket may join the room under this name; `banned` with the end time while a ban holds. */
export async function banRefusal(socket: ChatSocket, deps: ChatDeps, room: string, username: string): Promise<Failure | null> {
  const ban = await deps.store.activeBan(room, nameKey(username), socket.data.ownerKey, deps.clock.now());
  if (ban === null) return null;
  return fail("banned", bannedMessage(ban.until));
}
