// The presence snapshot (issue 19) on SQLite: rewritten whole inside the caller's transaction, read once at start.
import type Database from "better-sqlite3";
import type { PresenceRow } from "./repository.js";
import { fromSnapshotRows, SQL_SNAPSHOT_CLEAR, SQL_SNAPSHOT_READ } from "./presence-snapshot-sql.js";

export function savePresenceRows(db: Database.Database, entries: readonly PresenceRow[], at: Date): void {
  db.prepare(SQL_SNAPSHOT_CLEAR).run();
  const insert = db.prepare("INSERT INTO presence_snapshot (room, name, owner_key, saved_at) VALUES (?, ?, ?, ?)");
  for (const e of entries) insert.run(e.room, e.name, e.ownerKey, at.toISOString());
}

export function loadPresenceRows(db: Database.Database): { entries: PresenceRow[]; savedAt: Date } | null {
  return fromSnapshotRows(db.prepare(SQL_SNAPSHOT_READ).all() as Parameters<typeof fromSnapshotRows>[0]);
}
