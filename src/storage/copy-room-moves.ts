// Where rooms moved from (room-moves.ts: a room made private or public changes address) copied from SQLite into
// PostgreSQL by migrate-db, after the messages and rooms. Without them a page that joined a room before its move
// and rejoins after the move to PostgreSQL is let into the fresh room under the old address instead of being told
// where the room went, and an old message's send is stored under the old address. A move never changes once
// written, so every column is its identity: one already there is skipped, and a re-run copies none again.
import type Database from "better-sqlite3";
import type pg from "pg";
import { asText, hasTable } from "./copy-moderation.js";

interface MoveRow {
  from_room: unknown;
  to_room: unknown;
  moved_at: unknown;
}

// Not ON CONFLICT: room_move has no unique key (two moves of one address in one millisecond are two rows).
const SQL_INSERT = `INSERT INTO room_move (from_room, to_room, moved_at)
  SELECT s.from_room, s.to_room, s.moved_at FROM unnest($1::text[], $2::text[], $3::text[]) AS s(from_room, to_room, moved_at)
  WHERE NOT EXISTS (SELECT 1 FROM room_move t WHERE t.from_room = s.from_room AND t.to_room = s.to_room AND t.moved_at = s.moved_at)`;

/** Copies room_move in one statement (its own transaction); the rows inserted. A file from before migration 16 copies nothing. */
export async function copyRoomMoves(source: Database.Database, target: pg.Client): Promise<number> {
  if (!hasTable(source, "room_move")) return 0;
  const rows = source.prepare("SELECT from_room, to_room, moved_at FROM room_move ORDER BY moved_at").all() as MoveRow[];
  if (rows.length === 0) return 0;
  const column = (pick: (r: MoveRow) => unknown): (string | null)[] => rows.map((r) => asText(pick(r)));
  const inserted = await target.query(SQL_INSERT, [column((r) => r.from_room), column((r) => r.to_room), column((r) => r.moved_at)]);
  return inserted.rowCount ?? 0;
}
