// Lifting a ban early (unban_user) and the list of a room's bans (list_bans): moderators only, like kick and ban.
import type { Ack, BanInfo } from "../protocol.js";
import { fail, nameKey, parseListBans, parseUnbanUser } from "../validation.js";
import { moderatorRefusal, recordAction } from "./moderation.js";
import type { ChatDeps, ChatSocket } from "./types.js";

/**
 * Ends every ban of the name in force in the room now, and the session bans made with them. It is done the way a
 * ban ends on its own: its end moves to now. Every check (join, sends, direct conversations, my_rooms, push) asks
 * the store with the time of asking, on every node, so all of them let the name and the session back at once;
 * there is nothing to tell anyone (a ban that runs out tells nobody either).
 */
export async function unbanUser(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseUnbanUser(raw);
  if (!input.ok) return input;
  const { room, username } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const ended = await deps.store.endBans(room, nameKey(username), deps.clock.now());
  if (ended === 0) return fail("not_found", `No ban of "${username}" is in force in this room.`);
  await recordAction(socket, deps, { action: "unban", room, target: username, messageId: null, detail: JSON.stringify({ bansEnded: ended }) });
  return { ok: true };
}

/** The room's bans in force, the newest first, each name once, shown as the moderator typed it when banning. */
export async function listBans(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ bans: BanInfo[] }>> {
  const input = parseListBans(raw);
  if (!input.ok) return input;
  const { room } = input.value;
  const refusal = await moderatorRefusal(socket, deps, room);
  if (refusal !== null) return refusal;
  const bans = await deps.store.activeBans(room, deps.clock.now(), deps.config.bansListLimit);
  return { ok: true, bans: bans.map((b) => ({ username: b.name, until: b.until.toISOString(), createdAt: b.at.toISOString() })) };
}
