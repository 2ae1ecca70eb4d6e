// room_ban.name (SQLite's migration 19, PostgreSQL's 14): the banned name as the moderator typed it, which list_bans
// shows. Before it the table kept only the name's key (what bans match on: "Mod" is kept as "rnod"), and list_bans
// looked each name up in the room's newest `ban` audit lines. The app writes the name with every ban; this file
// names the bans already there from those same audit lines, once, when the column is added. A room made private (or
// public) moved its bans to the new address but left its audit lines at the old one, so each line is followed along
// the room's recorded moves (room_move, SQLite's 16 and PostgreSQL's 12) to where its ban is now.
import type Database from "better-sqlite3";
import type pg from "pg";
import { nameKey } from "../shared/names.js";

// Every ban audit line, the newest first. A few per ban at most: moderators write them by hand.
const SQL_BAN_LINES = "SELECT room, target, at FROM moderation_audit WHERE action = 'ban' AND room IS NOT NULL AND target IS NOT NULL ORDER BY id DESC";
// Every move: a moderator's act, so few.
const SQL_MOVES = "SELECT from_room, to_room, moved_at FROM room_move";

interface BanLine {
  room: unknown;
  target: unknown;
  at: unknown;
}

interface MoveLine {
  from_room: string;
  to_room: string;
  moved_at: string;
}

/** Each address's moves away, oldest first. */
export type MovesFrom = Map<string, MoveLine[]>;

export function movesByRoom(moves: readonly MoveLine[]): MovesFrom {
  const byRoom: MovesFrom = new Map();
  for (const m of moves) {
    const list = byRoom.get(m.from_room);
    if (list === undefined) byRoom.set(m.from_room, [m]);
    else list.push(m);
  }
  for (const list of byRoom.values()) list.sort((a, b) => (a.moved_at < b.moved_at ? -1 : a.moved_at > b.moved_at ? 1 : 0));
  return byRoom;
}

/**
 * Where a ban made in `room` at `at` is now: the room's first move at or after the ban (the ban went with it; a ban
 * in the move's own millisecond is taken as before it, the likelier order and harmless otherwise: only a NULL name
 * of the same key is filled), then each next move of the new address strictly after the one before (strictly, so
 * moves stamped with one time cannot loop). Times are ISO text, compared as text as room-moves.ts does. A line
 * without a usable time stays where it is.
 */
export function currentRoom(room: string, at: unknown, moves: MovesFrom): string {
  if (typeof at !== "string") return room;
  let here = room;
  let next = moves.get(here)?.find((m) => m.moved_at >= at);
  while (next !== undefined) {
    const movedAt = next.moved_at;
    here = next.to_room;
    next = moves.get(here)?.find((m) => m.moved_at > movedAt);
  }
  return here;
}

export interface BanSpelling {
  room: string;
  nameKey: string;
  name: string;
}

/**
 * The newest spelling of each (room, name key) the audit lines hold, as list_bans showed it until now, each line
 * under the address its room has now (currentRoom). A room made private before its moves were recorded (SQLite's 16,
 * PostgreSQL's 12) left no trail: its bans find nothing here and keep NULL (list_bans shows their key, as before);
 * so does a line whose name no longer folds to the ban's key.
 */
export function newestSpellings(lines: readonly BanLine[], moves: MovesFrom = new Map()): BanSpelling[] {
  const found = new Map<string, BanSpelling>();
  for (const { room, target, at } of lines) {
    // SQLite is dynamically typed: a value that is not text names nothing.
    if (typeof room !== "string" || typeof target !== "string") continue;
    const key = nameKey(target);
    const here = currentRoom(room, at, moves);
    const id = JSON.stringify([here, key]);
    if (!found.has(id)) found.set(id, { room: here, nameKey: key, name: target });
  }
  return [...found.values()];
}

/** SQLite: names the bans without a name. Re-runnable: a ban that has one is never touched. */
export function nameBansFromAuditSqlite(db: Database.Database): void {
  const update = db.prepare<[string, string, string]>("UPDATE room_ban SET name = ? WHERE room = ? AND name_key = ? AND name IS NULL");
  const moves = movesByRoom(db.prepare(SQL_MOVES).all() as MoveLine[]);
  for (const s of newestSpellings(db.prepare(SQL_BAN_LINES).all() as BanLine[], moves)) update.run(s.name, s.room, s.nameKey);
}

/** PostgreSQL: the same, in one UPDATE (run inside the migration's transaction). */
export async function nameBansFromAuditPostgres(client: pg.ClientBase): Promise<void> {
  const moves = movesByRoom((await client.query<MoveLine>(SQL_MOVES)).rows);
  const spellings = newestSpellings((await client.query<BanLine>(SQL_BAN_LINES)).rows, moves);
  if (spellings.length === 0) return;
  await client.query(
    `UPDATE room_ban b SET name = s.name FROM unnest($1::text[], $2::text[], $3::text[]) AS s(room, name_key, name)
     WHERE b.room = s.room AND b.name_key = s.name_key AND b.name IS NULL`,
    [spellings.map((s) => s.room), spellings.map((s) => s.nameKey), spellings.map((s) => s.name)],
  );
}
