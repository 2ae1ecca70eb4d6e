// Moderators (issue 12): who is one, removing a name from a room (kick, ban), the ban check at join, and the audit.
import type { Ack, Failure, RemovedEvent } from "../protocol.js";
import type { AuditEntry } from "../storage/repository.js";
import { fail, nameKey, parseBanUser, parseKickUser } from "../validation.js";
import { exitRoom } from "./membership.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

/** How much of a moderator's session key the log and the audit show: enough to tell moderators apart, not to forge. */
const WHO_CHARS = 12;

/** A moderator: moderation is on (MODERATOR_TOKEN), the socket has a browser session, and it signed in at /moderate. */
export async function isModerator(socket: ChatSocket, deps: ChatDeps): Promise<boolean> {
  if (deps.config.moderatorToken === null || !socket.data.sessionId.startsWith("s:")) return false;
  return deps.store.isModerator(socket.data.ownerKey);
}

/** Null when the socket may moderate this room; otherwise the refusal. */
async function moderatorRefusal(socket: ChatSocket, deps: ChatDeps, room: string): Promise<Failure | null> {
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

/** The sockets that hold `username` in the room (every tab of that name), matched by name key. */
function holdersOf(io: ChatServer, room: string, username: string): ChatSocket[] {
  const key = nameKey(username);
  const ids = io.of("/").adapter.rooms.get(room) ?? new Set<string>();
  const holders: ChatSocket[] = [];
  for (const id of ids) {
    const socket = io.of("/").sockets.get(id);
    const name = socket?.data.rooms.get(room);
    if (socket !== undefined && name !== undefined && nameKey(name) === key) holders.push(socket);
  }
  return holders;
}

/** Takes each socket out of the room at once (no name grace: the name is free now), then tells it why. */
function removeFromRoom(io: ChatServer, deps: ChatDeps, sockets: ChatSocket[], event: RemovedEvent): void {
  for (const socket of sockets) {
    void exitRoom(io, socket, deps, event.room); // the last tab's leaving tells the room ("has left", presence)
    socket.emit("removed", event);
  }
}

export async function kickUser(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseKickUser(raw);
  if (!input.ok) return input;
  const { room, username } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const holders = holdersOf(io, room, username);
  if (holders.length === 0) return fail("not_found", `No one named "${username}" is in this room.`);
  await recordAction(socket, deps, { action: "kick", room, target: username, messageId: null, detail: null });
  removeFromRoom(io, deps, holders, { room, reason: "kicked" });
  return { ok: true };
}

/** Bans the name (by its key) and the session holding it now, if any; a name nobody holds can be banned ahead. */
export async function banUser(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseBanUser(raw);
  if (!input.ok) return input;
  const { room, username, durationMs } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const holders = holdersOf(io, room, username);
  const at = deps.clock.now();
  const until = new Date(at.getTime() + durationMs);
  const sessionKey = holders[0]?.data.ownerKey ?? null; // a name is held by one session
  await deps.store.addBan({ room, nameKey: nameKey(username), sessionKey, until, by: socket.data.ownerKey.slice(0, WHO_CHARS), at });
  await recordAction(socket, deps, { action: "ban", room, target: username, messageId: null, detail: JSON.stringify({ durationMs, until: until.toISOString() }) });
  removeFromRoom(io, deps, holders, { room, reason: "banned", until: until.toISOString() });
  return { ok: true };
}

/** Null when the socket may join the room under this name; `banned` with the end time while a ban holds. */
export async function banRefusal(socket: ChatSocket, deps: ChatDeps, room: string, username: string): Promise<Failure | null> {
  const ban = await deps.store.activeBan(room, nameKey(username), socket.data.ownerKey, deps.clock.now());
  if (ban === null) return null;
  return fail("banned", `You are banned from this room until ${ban.until.toISOString()}.`);
}
