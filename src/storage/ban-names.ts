// room_ban.name (SQLite's migration 19, PostgreSQL's 14): the banned name as the moderator typed it, which list_bans
// shows. Before it the table kept only the name's key (what bans match on: "Mod" is kept as "rnod"), and list_bans
// looked each name up in the room's newest `ban` audit lines. The app writes the name with every ban; this file
// names the bans already there from those same audit lines, once, when the column is added.
import type Database from "better-sqlite3";
import type pg from "pg";
import { nameKey } from "../shared/names.js";

// Every ban audit line, the newest first. A few per ban at most: moderators write them by hand.
const SQL_BAN_LINES = "SELECT room, target FROM moderation_audit WHERE action = 'ban' AND room IS NOT NULL AND target IS NOT NULL ORDER BY id DESC";

interface BanLine {
  room: unknown;
  target: unknown;
}

export interface BanSpelling {
  room: string;
  nameKey: string;
  name: string;
}

/**
 * The newest spelling of each (room, name key) the audit lines hold, as list_bans showed it until now. A room made
 * private moved its bans but not its audit lines, so its bans find none here and keep NULL (list_bans shows their
 * key, as before); so does a line whose name no longer folds to the ban's key.
 */
export function newestSpellings(lines: readonly BanLine[]): BanSpelling[] {
  const found = new Map<string, BanSpelling>();
  for (const { room, target } of lines) {
    // SQLite is dynamically typed: a value that is not text names nothing.
    if (typeof room !== "string" || typeof target !== "string") continue;
    const key = nameKey(target);
    const id = JSON.stringify([room, key]);
    if (!found.has(id)) found.set(id, { room, nameKey: key, name: target });
  }
  return [...found.values()];
}

/** SQLite: names the bans without a name. Re-runnable: a ban that has one is never touched. */
export function nameBansFromAuditSqlite(db: Database.Database): void {
  const update = db.prepare<[string, string, string]>("UPDATE room_ban SET name = ? WHERE room = ? AND name_key = ? AND name IS NULL");
  for (const s of newestSpellings(db.prepare(SQL_BAN_LINES).all() as BanLine[])) update.run(s.name, s.room, s.nameKey);
}

/** PostgreSQL: the same, in one UPDATE (run inside the migration's transaction). */
export async function nameBansFromAuditPostgres(client: pg.ClientBase): Promise<void> {
  const spellings = newestSpellings((await client.query<BanLine>(SQL_BAN_LINES)).rows);
  if (spellings.length === 0) return;
  await client.query(
    `UPDATE room_ban b SET name = s.name FROM unnest($1::text[], $2::text[], $3::text[]) AS s(room, name_key, name)
     WHERE b.room = s.room AND b.name_key = s.name_key AND b.name IS NULL`,
    [spellings.map((s) => s.room), spellings.map((s) => s.nameKey), spellings.map((s) => s.name)],
  );
}
