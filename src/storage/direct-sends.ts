// A send into a direct conversation racing a ban from the room the conversation was opened in (left open by the
// 2026-12-07 review). The handler checks that its socket is in the conversation; a ban committing after that check
// evicts the socket, but the send was already on its way and was stored and broadcast. The append now checks again,
// in its own transaction, that the conversation is still open to its sender: the same rule as the join's
// (chat/private-rooms.ts joinAdmission), a ban in the origin room of the name it sends under, of the name the
// conversation knows it by, or of its session. SQLite's writes take turns, so a ban committed before the append's
// transaction is seen by it. PostgreSQL's batch and ban take the origin room's ban lock (postgres-direct-sends.ts).
import type Database from "better-sqlite3";
import { isPrivateAddress } from "../access/room-address.js";
import { nameKey } from "../shared/names.js";
import { DirectClosedError, type NewMessage } from "./repository.js";
import { prepared } from "./sqlite-statements.js";

/** A send the store checks: a socket's (memberSince), of a browser session (ownerKey), into a private address. */
export type CheckedSend = NewMessage & { ownerKey: string; memberSince: Date };

export function isCheckedSend(msg: NewMessage): msg is CheckedSend {
  return msg.memberSince !== undefined && msg.ownerKey !== undefined && isPrivateAddress(msg.room);
}

/** The conversation as its sender's append sees it; no row for a private room (not a conversation). */
export interface DirectSenderRow {
  origin_room: string | null;
  /** The name the conversation knows the sender by (the one it had in the origin room). */
  name: string | null;
  is_member: number | boolean;
}

const SQL_DIRECT_SENDER_SQLITE = `SELECT r.origin_room, m.name, m.session_key IS NOT NULL AS is_member FROM room_record r
  LEFT JOIN room_member m ON m.room = r.room AND m.session_key = ? WHERE r.room = ? AND r.kind = 'direct'`;

/**
 * The ban in force at a time in a room on either name key or the session that ends last; NULL for none. Two seeks of
 * the covering indexes rather than an OR, which SQLite answered by walking every ban of the room (11 against 7 µs
 * with 50 bans there, on the busy test machine).
 */
const SQL_DIRECT_BAN_SQLITE = `SELECT max(until) AS until FROM (
  SELECT until FROM room_ban WHERE room = @room AND name_key IN (@sentAs, @knownAs) AND until > @at
  UNION ALL SELECT until FROM room_ban WHERE room = @room AND session_key = @session AND until > @at)`;

/** The two name keys a ban may bind the sender by: the name it sends under, the one the conversation knows. */
export const senderNameKeys = (msg: NewMessage, knownAs: string | null): [string, string] => [nameKey(msg.sender), nameKey(knownAs ?? msg.sender)];

/** The refusal for a conversation the sender is no member of, or one a ban (ending at `banUntil`) closes to it; else null. */
export function directRefusal(sender: DirectSenderRow, banUntil: string | null): DirectClosedError | null {
  if (sender.is_member !== true && sender.is_member !== 1) return new DirectClosedError(null);
  return banUntil === null ? null : new DirectClosedError(new Date(banUntil));
}

/** SQLite, in the append's own transaction: two index seeks for a send into a private address, none for any other. */
export function sqliteDirectRefusal(db: Database.Database, msg: NewMessage): DirectClosedError | null {
  if (!isCheckedSend(msg)) return null;
  const sender = prepared(db, SQL_DIRECT_SENDER_SQLITE).get(msg.ownerKey, msg.room) as DirectSenderRow | undefined;
  if (sender === undefined) return null;
  if (sender.origin_room === null) return directRefusal(sender, null);
  const [sentAs, knownAs] = senderNameKeys(msg, sender.name);
  const ban = prepared(db, SQL_DIRECT_BAN_SQLITE).get({ room: sender.origin_room, at: msg.sentAt.toISOString(), sentAs, knownAs, session: msg.ownerKey }) as { until: string | null };
  return directRefusal(sender, ban.until);
}
