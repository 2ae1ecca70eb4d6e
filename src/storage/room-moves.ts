// Where rooms moved from (issue 17: a room made private or public changes address). Each move is written down in its
// own transaction, so an append that passed its checks as a member of the room before the move is refused instead of
// being stored under the old address: a fresh public room once the room went private, an address nobody can join once
// it went public (found by the 2026-12-07 review). The moves write their row in sqlite-access.ts and
// postgres-access.ts; PostgreSQL's batch check is postgres-append.ts's.
import type Database from "better-sqlite3";
import type { Move } from "../access/store.js";
import { RoomMovedError, type NewMessage } from "./repository.js";
import { prepared } from "./sqlite-statements.js";
import { fromStoredTimestamp } from "./timestamps.js";

/**
 * SQLite's migration 16 and PostgreSQL's 12 alike. One row per move (a moderator's act: few, and kept: a connection
 * that joined before a move may send days later). Times are ISO text, as everywhere in both schemas. The index makes
 * the append's lookup one seek, which finds nothing for a room that never moved (most of them).
 */
export const ROOM_MOVE_DDL = `
CREATE TABLE IF NOT EXISTS room_move (
  from_room text NOT NULL,
  to_room text NOT NULL,
  moved_at text NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_room_move_from ON room_move (from_room, moved_at);`;

export const SQL_RECORD_MOVE_SQLITE = "INSERT INTO room_move (from_room, to_room, moved_at) VALUES (?, ?, ?)";
export const SQL_RECORD_MOVE_PG = "INSERT INTO room_move (from_room, to_room, moved_at) VALUES ($1, $2, $3)";

/** A room's latest move away. */
export interface MoveRow {
  to_room: string;
  moved_at: string;
}

export const SQL_HAS_MOVED_FROM_SQLITE = "SELECT 1 FROM room_move WHERE from_room = ? LIMIT 1";
export const SQL_HAS_MOVED_FROM_PG = "SELECT 1 FROM room_move WHERE from_room = $1 LIMIT 1";

export const SQL_LATEST_MOVE_SQLITE = "SELECT to_room, moved_at FROM room_move WHERE from_room = ? ORDER BY moved_at DESC LIMIT 1";

/**
 * Where the room at an address went with its latest move, when that move took this message along (the message is
 * there now): a rejoin from that message was in the room before it moved. Two index seeks (room_move's, the
 * message's primary key). The times come back for movedWithBefore: the message must be older than the move.
 */
export const SQL_MOVED_WITH_SQLITE = `SELECT m.to_room, m.moved_at, c.timestamp FROM (SELECT to_room, moved_at FROM room_move WHERE from_room = ? ORDER BY moved_at DESC LIMIT 1) m
  JOIN chat_message c ON c.chat_room = m.to_room AND c.id = ?`;
export const SQL_MOVED_WITH_PG = `SELECT m.to_room, m.moved_at, c.timestamp FROM (SELECT to_room, moved_at FROM room_move WHERE from_room = $1 ORDER BY moved_at DESC LIMIT 1) m
  JOIN chat_message c ON c.chat_room = m.to_room AND c.id = $2`;

/**
 * The first move away from an address after a time (a page's join, rejoin-token.ts; then each move after the one
 * before, moved-rejoin.ts). Strictly after, as refusalOf: a join in the move's millisecond is a join of the fresh
 * room. One seek of ix_room_move_from. COLLATE "C" on PostgreSQL: ISO times compare as bytes, whatever the
 * database's collation.
 */
export const SQL_MOVED_AFTER_SQLITE = "SELECT to_room, moved_at FROM room_move WHERE from_room = ? AND moved_at > ? ORDER BY moved_at LIMIT 1";
export const SQL_MOVED_AFTER_PG = `SELECT to_room, moved_at FROM room_move WHERE from_room = $1 AND moved_at COLLATE "C" > $2 ORDER BY moved_at COLLATE "C" LIMIT 1`;

export function toMove(row: MoveRow | undefined): Move | null {
  return row === undefined ? null : { to: row.to_room, movedAt: new Date(row.moved_at) };
}

export interface MovedWithRow {
  to_room: string;
  moved_at: string;
  timestamp: unknown;
}

/**
 * The new address, when the message was stored before the move (it moved with the room); else null. A message
 * posted at the new address after the move is not one a page away during the move can have seen, and answering
 * room_moved for it would tell anyone who asks, id by id, when the private room's members post (second read of
 * 2026-12-07). The stored time is the Flask format or ours (timestamps.ts); compared as ISO text, as refusalOf does.
 */
export function movedWithBefore(row: MovedWithRow | undefined): string | null {
  return row !== undefined && fromStoredTimestamp(row.timestamp).toISOString() <= row.moved_at ? row.to_room : null;
}

/**
 * The refusal when the room's latest move came after the sender joined it, else null. Strictly after: a join in the
 * same millisecond as the move is taken as after it, or a socket that joined the fresh room at once would be refused
 * for as long as it stays (its join time never changes), and tests whose clock stands still could never send there.
 * Compared as text in JavaScript (ISO times of one length sort as times), so no database collation can reorder them.
 */
export function refusalOf(latest: MoveRow | undefined, memberSince: Date): RoomMovedError | null {
  return latest !== undefined && latest.moved_at > memberSince.toISOString() ? new RoomMovedError(latest.to_room) : null;
}

/** SQLite, in the append's own transaction (moves write through the same connection): one index seek per checked append. */
export function sqliteMoveRefusal(db: Database.Database, msg: NewMessage): RoomMovedError | null {
  if (msg.memberSince === undefined) return null; // not a socket's send (tools, tests): nothing to compare with
  return refusalOf(prepared(db, SQL_LATEST_MOVE_SQLITE).get(msg.room) as MoveRow | undefined, msg.memberSince);
}
