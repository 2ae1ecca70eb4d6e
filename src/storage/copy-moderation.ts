// The moderation tables (issue 12) copied from SQLite into PostgreSQL by migrate-db, after the messages, so
// that moving to several nodes keeps who moderates, who is banned and what was done. Idempotent: a row is known by
// the columns that never change once it is written (its identity); one already there is not copied again, and its
// columns that do change are reconciled by a rule per column (IdTable.merged). A row keeps its id unless PostgreSQL
// used that id for another row, when it takes a new one (a ban written by a node that ran before the copy is never
// overwritten).
//
// A ban is one moderator's act: its room, the banned key and session, who banned and when. Its `until` is state,
// not identity: an unban (endBans) moves it to the moment of the unban, and nothing ever moves it later (a longer
// ban is a new row). So the earlier `until` of the two sides is the later decision, whichever side made it: an unban
// on PostgreSQL is never undone by a re-run, and an unban in SQLite after the first copy reaches PostgreSQL. Copying
// `until` as identity made such a ban a second row, which banned the person again. A ban's name (SQLite's 19,
// PostgreSQL's 14) is no part of its identity either: a file from before the column has none, and the copy fills a
// name PostgreSQL lacks instead of copying the ban a second time. Audit entries never change once written.
import type Database from "better-sqlite3";
import type pg from "pg";

export interface ModerationCounts {
  moderators: number;
  bans: number;
  audit: number;
}

type Row = Record<string, unknown>;

export const asText = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString("utf8") : String(v));

/** A table with an identity id: its other columns and their PostgreSQL types, in one order for both ends. */
export interface IdTable {
  name: string;
  columns: [string, string][];
  /**
   * Columns that are not part of a row's identity (they change after the row is written, or were added later): a row
   * matching on the other columns is the same row, and each of these becomes its SQL expression over PostgreSQL's
   * value (t.<column>) and the source's (s.<column>).
   */
  merged?: Record<string, string>;
}

/** A column added later: where PostgreSQL's copy has NULL the source's value fills it (it is never overwritten). */
export const fillNull = (column: string): string => `coalesce(t.${column}, s.${column})`;
/**
 * A time that only ever moves earlier once written (a ban's end, an invite's revocation): the earlier of the two
 * wins, so whichever side decided last keeps its decision. NULL (not yet set) loses to a time. ISO text, compared as
 * bytes (COLLATE "C"), as every time comparison on PostgreSQL here.
 */
export const earlierTime = (column: string): string => `least(t.${column} COLLATE "C", s.${column} COLLATE "C")`;

const ROOM_BAN: IdTable = {
  name: "room_ban",
  columns: [["room", "text"], ["name_key", "text"], ["session_key", "text"], ["until", "text"], ["moderator", "text"], ["created_at", "text"], ["name", "text"]],
  merged: { name: fillNull("name"), until: earlierTime("until") },
};
const AUDIT: IdTable = {
  name: "moderation_audit",
  columns: [["at", "text"], ["moderator", "text"], ["action", "text"], ["room", "text"], ["target", "text"], ["message_id", "bigint"], ["detail", "text"]],
};

export const hasTable = (db: Database.Database, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** Copies moderator_session, room_ban and moderation_audit in one transaction; a file without them copies nothing. */
export async function copyModeration(source: Database.Database, target: pg.Client): Promise<ModerationCounts> {
  await target.query("BEGIN");
  try {
    const counts = {
      moderators: hasTable(source, "moderator_session") ? await copyModerators(source, target) : 0,
      bans: hasTable(source, ROOM_BAN.name) ? await copyIdTable(source, target, ROOM_BAN) : 0,
      audit: hasTable(source, AUDIT.name) ? await copyIdTable(source, target, AUDIT) : 0,
    };
    await target.query("COMMIT");
    return counts;
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function copyModerators(source: Database.Database, target: pg.Client): Promise<number> {
  const rows = source.prepare("SELECT session_key, since FROM moderator_session").all() as Row[];
  if (rows.length === 0) return 0;
  const inserted = await target.query(
    `INSERT INTO moderator_session (session_key, since)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (session_key) DO NOTHING`,
    [rows.map((r) => asText(r.session_key)), rows.map((r) => asText(r.since))],
  );
  return inserted.rowCount ?? 0;
}

/** Copies a table with an identity id (see the file's comment); the rows inserted. */
export async function copyIdTable(source: Database.Database, target: pg.Client, table: IdTable): Promise<number> {
  const names = table.columns.map(([c]) => c);
  // The source is opened read-only and not migrated: a file from before a column was added copies it as NULL.
  const present = new Set((source.pragma(`table_info(${table.name})`) as { name: string }[]).map((c) => c.name));
  const selected = names.map((c) => (present.has(c) ? c : `NULL AS ${c}`));
  const rows = source.prepare(`SELECT id, ${selected.join(", ")} FROM ${table.name} ORDER BY id`).all() as Row[];
  if (rows.length === 0) return 0;
  const params = [rows.map((r) => String(r.id)), ...names.map((c) => rows.map((r) => asText(r[c])))];
  const unnestTypes = ["bigint", ...table.columns.map(([, type]) => type)].map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  const merged = Object.entries(table.merged ?? {});
  const sameRow = names.filter((c) => !(c in (table.merged ?? {}))).map((c) => `t.${c} IS NOT DISTINCT FROM s.${c}`).join(" AND ");
  const incoming = `unnest(${unnestTypes}) WITH ORDINALITY AS s(id, ${names.join(", ")}, n)`;
  if (merged.length > 0) await mergeExisting(target, table.name, merged, incoming, sameRow, params);
  // New ids must not land on ids still to come from the source: the identity starts above both ends' highest.
  await target.query(
    `SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM ${table.name})))`,
    [String(rows[rows.length - 1]?.id)],
  );
  // Rows go in id order; one whose values are already there is skipped, one whose id is taken gets a new id.
  const inserted = await target.query(
    `INSERT INTO ${table.name} (id, ${names.join(", ")})
     SELECT CASE WHEN EXISTS (SELECT 1 FROM ${table.name} t WHERE t.id = s.id)
                 THEN nextval(pg_get_serial_sequence('${table.name}', 'id')) ELSE s.id END,
            ${names.map((c) => `s.${c}`).join(", ")}
     FROM ${incoming}
     WHERE NOT EXISTS (SELECT 1 FROM ${table.name} t WHERE ${sameRow})
     ORDER BY s.n`,
    params,
  );
  // Keep the identity above every id now used, so the next ban or audit entry a node writes gets a free one.
  await target.query(
    `SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), m) FROM (SELECT max(id) AS m FROM ${table.name}) x WHERE m IS NOT NULL`,
  );
  return inserted.rowCount ?? 0;
}

/**
 * The rows already there (matched on the identity columns) take each merged column's reconciled value; only rows
 * where that changes something are written.
 */
async function mergeExisting(target: pg.Client, table: string, merged: [string, string][], incoming: string, sameRow: string, params: unknown[]): Promise<void> {
  await target.query(
    `UPDATE ${table} t SET ${merged.map(([c, rule]) => `${c} = ${rule}`).join(", ")}
     FROM ${incoming}
     WHERE ${sameRow} AND (${merged.map(([c, rule]) => `t.${c} IS DISTINCT FROM ${rule}`).join(" OR ")})`,
    params,
  );
}
