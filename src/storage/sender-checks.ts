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
 * The ban in force at a time, in the room or the conversation's origin (NULL for a room), on either name key or the
 * session, that ends last; NULL for none. Seeks of the two covering indexes rather than an OR, which SQLite answered
 * by walking every ban of the room (11 against 7 µs with 50 bans there, on the busy test machine).
 */
const SQL_BAN_SQLITE = `SELECT max(until) AS until FROM (
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
 * SQLite, in the append's own transaction: for a public room one statement (two index seeks, none finding a row in
 * a room without bans); a private address reads its record and the sender's membership first.
 */
export function sqliteClosedRefusal(db: Database.Database, msg: NewMessage): RoomClosedError | null {
  if (!isCheckedSend(msg)) return null;
  const admission = isPrivateAddress(msg.room) ? (prepared(db, SQL_ADMISSION_SQLITE).get(msg.ownerKey, msg.room) as AdmissionRow | undefined) : undefined;
  if (admission !== undefined && !isMember(admission)) return closedRefusal(admission, null);
  const origin = admission?.kind === "direct" ? admission.origin_room : null;
  const [sentAs, knownAs] = senderNameKeys(msg, origin === null ? null : (admission?.name ?? null));
  const ban = prepared(db, SQL_BAN_SQLITE).get({ room: msg.room, origin, at: msg.sentAt.toISOString(), sentAs, knownAs, session: msg.ownerKey }) as { until: string | null };
  return closedRefusal(admission, ban.until);
}
