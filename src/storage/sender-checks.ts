// A send racing a ban or a kick (left open by the 2026-12-07 review; closed first for direct conversations). The
// handler checks that its socket is in the room under its name; a ban or a kick committing after that check evicts
// the socket, but the send was already on its way and was stored and broadcast. The append checks again, in its own
// transaction, that the room is still open to its sender, by the join's rules: no ban in force of the name it sends
// under or of its session in the room (chat/moderation.ts banRefusal); in a private room or a direct conversation,
// still a member (a kick ends the admission: expelMember); in a direct conversation, no ban in the room it was opened
// in of those or of the name the conversation knows it by (chat/private-rooms.ts joinAdmission). SQLite's writes
// take turns, so a ban or kick committed before the append's transaction is seen by it. PostgreSQL's batch and its
// locks: postgres-sender-checks.ts.
import type Database from "better-sqlite3";
import { isPrivateAddress } from "../access/room-address.js";
import { nameKey } from "../shared/names.js";
import { RoomClosedError, type NewMessage } from "./repository.js";
import { prepared } from "./sqlite-statements.js";

/**
 * A send the store checks: a socket's (memberSince), of a session (ownerKey). Anything else (a tool, an import)
 * passed no checks to go stale, and is stored as it always was.
 */
export type CheckedSend = NewMessage & { ownerKey: string; memberSince: Date };

export function isCheckedSend(msg: NewMessage): msg is CheckedSend {
  return msg.memberSince !== undefined && msg.ownerKey !== undefined;
}

/** A private room or conversation as its sender's append sees it; no row for a public room. */
export interface AdmissionRow {
  kind: "private" | "direct";
  origin_room: string | null;
  /** The name the room knows the sender by (in a conversation, the one it had in the origin room). */
  name: string | null;
  is_member: number | boolean;
}

const SQL_ADMISSION_SQLITE = `SELECT r.kind, r.origin_room, m.name, m.session_key IS NOT NULL AS is_member FROM room_record r
  LEFT JOIN room_member m ON m.room = r.room AND m.session_key = ? WHERE r.room = ?`;

/**
 * The ban in force at a time in the room, of the name key or the session, that ends last; NULL for none. Every checked
 * send pays it: two seeks of the covering indexes rather than an OR, which SQLite answered by walking every ban of
 * the room (11 against 7 µs with 50 bans there), and positional parameters rather than the direct statement's IN lists
 * and object (the check cost 13 µs a send that way, 5 this way, on the busy test machine).
 */
const SQL_ROOM_BAN_SQLITE = `SELECT max(until) AS until FROM (
  SELECT until FROM room_ban WHERE room = ? AND name_key = ? AND until > ?
  UNION ALL SELECT until FROM room_ban WHERE room = ? AND session_key = ? AND until > ?)`;

/** Which of these rooms (a JSON array) have a ban row at all, ended ones too: one seek each. */
const SQL_ROOMS_WITH_BANS_SQLITE = "SELECT value FROM json_each(?) WHERE EXISTS (SELECT 1 FROM room_ban WHERE room = value)";

/**
 * In a batch's transaction, before its appends: the public rooms of its checked sends that have a ban row at all.
 * Almost none has one, and a send into one that has not needs no ban read: the batch pays one statement, not each
 * send. Nothing changes room_ban while the batch holds the write lock.
 */
export function sqliteRoomsWithBans(db: Database.Database, batch: readonly NewMessage[]): ReadonlySet<string> {
  const rooms = [...new Set(batch.flatMap((m) => (isCheckedSend(m) && !isPrivateAddress(m.room) ? [m.room] : [])))];
  if (rooms.length === 0) return new Set();
  return new Set(prepared(db, SQL_ROOMS_WITH_BANS_SQLITE).pluck().all(JSON.stringify(rooms)) as string[]);
}

/** The same in a direct conversation, in it and in the room it was opened in, on either name key. */
const SQL_DIRECT_BAN_SQLITE = `SELECT max(until) AS until FROM (
  SELECT until FROM room_ban WHERE room IN (@room, @origin) AND name_key IN (@sentAs, @knownAs) AND until > @at
  UNION ALL SELECT until FROM room_ban WHERE room IN (@room, @origin) AND session_key = @session AND until > @at)`;

/** The two name keys a ban may bind the sender by: the name it sends under, the one a conversation knows. */
export const senderNameKeys = (msg: NewMessage, knownAs: string | null): [string, string] => [nameKey(msg.sender), nameKey(knownAs ?? msg.sender)];

export const isMember = (row: AdmissionRow): boolean => row.is_member === true || row.is_member === 1;

/** The refusal for a private room or conversation the sender is no member of, or one a ban (ending at `banUntil`) closes to it; else null. */
export function closedRefusal(admission: AdmissionRow | undefined, banUntil: string | null): RoomClosedError | null {
  const isDirect = admission?.kind === "direct";
  if (admission !== undefined && !isMember(admission)) return new RoomClosedError(null, isDirect);
  return banUntil === null ? null : new RoomClosedError(new Date(banUntil), isDirect);
}

/**
 * SQLite, in the append's own transaction: for a public room with bans one statement (two index seeks), for one
 * without (not in `withBans`, sqliteRoomsWithBans) none; a private address reads its record and the sender's
 * membership first. `senderKey` is nameKey(msg.sender), which the insert needs too.
 */
export function sqliteClosedRefusal(db: Database.Database, msg: NewMessage, senderKey: string, withBans: ReadonlySet<string>): RoomClosedError | null {
  if (!isCheckedSend(msg)) return null;
  const isPrivate = isPrivateAddress(msg.room);
  if (!isPrivate && !withBans.has(msg.room)) return null;
  const admission = isPrivate ? (prepared(db, SQL_ADMISSION_SQLITE).get(msg.ownerKey, msg.room) as AdmissionRow | undefined) : undefined;
  if (admission !== undefined && !isMember(admission)) return closedRefusal(admission, null);
  const at = msg.sentAt.toISOString();
  const ban =
    admission?.kind === "direct" && admission.origin_room !== null
      ? { room: msg.room, origin: admission.origin_room, at, sentAs: senderKey, knownAs: nameKey(admission.name ?? msg.sender), session: msg.ownerKey }
      : null;
  const found = (ban === null ? prepared(db, SQL_ROOM_BAN_SQLITE).get(msg.room, senderKey, at, msg.room, msg.ownerKey, at) : prepared(db, SQL_DIRECT_BAN_SQLITE).get(ban)) as { until: string | null };
  return closedRefusal(admission, found.until);
}
