// The presence snapshot (issue 19) in both stores: one table, rewritten whole in one transaction (a few thousand
// rows for 10,000 people: a few milliseconds), read once at start.
import type { PresenceRow } from "./repository.js";

export interface SnapshotRow {
  room: string;
  name: string;
  owner_key: string;
  saved_at: string;
}

/** The rows as read back: the entries and the time they were saved (the same on every row). */
export function fromSnapshotRows(rows: readonly SnapshotRow[]): { entries: PresenceRow[]; savedAt: Date } | null {
  const first = rows[0];
  if (first === undefined) return null;
  return { entries: rows.map((r) => ({ room: r.room, name: r.name, ownerKey: r.owner_key })), savedAt: new Date(first.saved_at) };
}

export const SQL_SNAPSHOT_READ = "SELECT room, name, owner_key, saved_at FROM presence_snapshot";
export const SQL_SNAPSHOT_CLEAR = "DELETE FROM presence_snapshot";
