// The presence snapshot (issue 19) on PostgreSQL: rewritten whole inside the caller's transaction.
import type pg from "pg";
import type { PresenceRow } from "./repository.js";
import { SQL_SNAPSHOT_CLEAR } from "./presence-snapshot-sql.js";

export async function savePresenceRows(client: pg.ClientBase, entries: readonly PresenceRow[], at: Date): Promise<void> {
  await client.query(SQL_SNAPSHOT_CLEAR);
  if (entries.length === 0) return;
  await client.query("INSERT INTO presence_snapshot (room, name, owner_key, saved_at) SELECT r, n, k, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(r, n, k)", [
    entries.map((e) => e.room),
    entries.map((e) => e.name),
    entries.map((e) => e.ownerKey),
    at.toISOString(),
  ]);
}
