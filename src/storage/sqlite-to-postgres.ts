// Copies chat_message from an SQLite file (this app's, or the Flask original's) into PostgreSQL, keeping ids,
// timestamps and client ids. Resumable and idempotent: rows go in id order, one transaction per batch. First the
// whole file is checked for clashes (copy-clash-check.ts), so a different history stops the copy before it writes;
// then a row whose id is already there is the same message, and what changed on either side since the last copy is
// settled by the rule in copy-message-changes.ts.
import Database from "better-sqlite3";
import pg from "pg";
import { copyModeration, type ModerationCounts } from "./copy-moderation.js";
import { copyAccess, type AccessCounts } from "./copy-access.js";
import { copyFiles, type FileCounts } from "./copy-files.js";
import { copyReactions } from "./copy-reactions.js";
import { copyRoomMoves } from "./copy-room-moves.js";
import { PostgresFileStore } from "./postgres-file-store.js";
import { defaultFilesPath } from "./files.js";
import { migratePostgres } from "./postgres-migrations.js";
import { describeConnectError } from "./postgres-pool.js";
import { nameKey } from "../shared/names.js";
import { checkNoClash } from "./copy-clash-check.js";
import { carryChanges, noChanges, settle, type Carried, type ChangeCounts } from "./copy-message-changes.js";
import { clashError, COPIED_COLUMNS, CopyError, LATER_COLUMNS, sameIdentity, stateOf, toValues, type SourceRow, type Values } from "./copy-message-rows.js";

export { CopyError } from "./copy-message-rows.js";

export interface CopyOptions {
  from: string;
  to: string;
  /** The SQLite mode's file folder (FILES_PATH); default: beside the database, as the app puts it. */
  files?: string;
  batchSize: number;
  connectTimeoutMs: number;
  onProgress?: (p: CopyProgress) => void;
}

export interface CopyProgress {
  /** Rows looked at so far (copied + skipped). */
  done: number;
  total: number;
  copied: number;
  skipped: number;
}

export interface CopySummary extends CopyProgress {
  seconds: number;
  /** Moderators, bans and audit entries copied after the messages (0 each for a file without those tables). */
  moderation: ModerationCounts;
  /** Private rooms, their members and invite links (issue 17; 0 each for a file without those tables). */
  access: AccessCounts;
  /** Files' records and bytes (issue 18). */
  files: FileCounts;
  /** Issue 22: reactions copied (those already there are skipped). */
  reactions: number;
  /** Rooms' moves to another address (room-moves.ts) copied (those already there are skipped). */
  roomMoves: number;
  /** Messages copied before and changed since, on either side: what was carried over, what was left. */
  changes: ChangeCounts;
}

/**
 * The row's values and its sender's name key (schema 5): from: search needs it. Computed here for every row, not
 * read from the file: a file older than its migration 15 has no sender_key, and the Flask app's rows none yet.
 */
const withSenderKey = (v: Values): (string | null)[] => [...v, v[2] === null || v[2] === undefined ? null : nameKey(v[2])];

const SQL_INSERT = `INSERT INTO chat_message (id, chat_room, sender, content, timestamp, client_id, owner_key, edited_at, deleted_at, mentions, files, reply_to, sender_key)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::bigint[], $13::text[])
  ON CONFLICT DO NOTHING RETURNING id::text`;
// The skipped rows PostgreSQL holds differently (or not under their id: a room's client id taken), compared inside
// PostgreSQL: a re-run of a big file sends the batch once and gets back only what changed.
const asTextColumn = (c: string): string => (c === "files" || c === "reply_to" ? `t.${c}::text` : `t.${c}`);
const SQL_DIFFERING = `SELECT s.id::text AS file_id, ${COPIED_COLUMNS.map(asTextColumn).join(", ")}
  FROM unnest($1::bigint[], ${COPIED_COLUMNS.slice(1).map((_, i) => `$${i + 2}::text[]`).join(", ")}) AS s(${COPIED_COLUMNS.join(", ")})
  LEFT JOIN chat_message t ON t.id = s.id
  WHERE t.id IS NULL OR ${COPIED_COLUMNS.slice(1).map((c) => `${asTextColumn(c)} IS DISTINCT FROM s.${c}`).join(" OR ")}`;
// Keeps the identity sequence above every copied id (never lowers it), batch by batch: a node started on a
// half-copied database must not hand out an id the rest of the copy will need.
const SQL_BUMP_SEQUENCE = `SELECT setval(pg_get_serial_sequence('chat_message', 'id'), $1::bigint)
  FROM chat_message_id_seq WHERE NOT is_called OR last_value < $1::bigint`;

function openSource(path: string): { db: Database.Database; select: Database.Statement<[number, number], SourceRow>; total: number } {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new CopyError(`cannot open ${path}: ${(err as Error).message}`);
  }
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chat_message'").get() !== undefined;
  if (!hasTable) {
    db.close();
    throw new CopyError(`${path} has no chat_message table: is it a chat_history.db?`);
  }
  // The Flask original's file has no client_id column, a file from before issue 12 no owner or edit columns, and one before migration 7 no mentions.
  const columns = (db.prepare("PRAGMA table_info(chat_message)").all() as { name: string }[]).map((c) => c.name);
  const later = LATER_COLUMNS.map((c) => (columns.includes(c) ? c : `NULL AS ${c}`)).join(", ");
  const select = db.prepare<[number, number], SourceRow>(
    `SELECT id, chat_room, sender, content, timestamp, ${later} FROM chat_message WHERE id > ? ORDER BY id LIMIT ?`,
  );
  const total = (db.prepare("SELECT COUNT(*) AS n FROM chat_message").get() as { n: number }).n;
  return { db, select, total };
}

/** PostgreSQL's file store over the tool's one connection (its own transactions: nothing else runs on it meanwhile). */
function clientFileStore(client: pg.Client): PostgresFileStore {
  return new PostgresFileStore(
    async (sql, params) => (await client.query(sql, params)).rows,
    async (work) => {
      await client.query("BEGIN");
      try {
        const result = await work(client);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    },
    "/nonexistent", // nothing is spooled: the bytes come from the SQLite mode's folder
  );
}

export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopySummary> {
  const started = performance.now();
  const source = openSource(opts.from);
  const target = new pg.Client({ connectionString: opts.to, connectionTimeoutMillis: opts.connectTimeoutMs, application_name: "messenger-room migrate-db" });
  const progress: CopyProgress = { done: 0, total: source.total, copied: 0, skipped: 0 };
  const changes = noChanges();
  let moderation: ModerationCounts = { moderators: 0, bans: 0, audit: 0 };
  let access: AccessCounts = { rooms: 0, members: 0, invites: 0 };
  let files: FileCounts = { files: 0, blobs: 0, missing: 0 };
  let reactions = 0;
  let roomMoves = 0;
  try {
    await target.connect().catch((err: unknown) => {
      throw new CopyError(`cannot connect to PostgreSQL: ${describeConnectError(err, opts.to, opts.connectTimeoutMs)}`);
    });
    await migratePostgres(target);
    // An empty chat_message (a first copy) holds nothing to clash with: the file is read once.
    const highestId = await highestMessageId(target);
    if (highestId > 0) for (const rows of batches(source.select, opts.batchSize)) await checkNoClash(target, rows, highestId);
    opts.onProgress?.({ ...progress });
    for (const rows of batches(source.select, opts.batchSize)) {
      const copied = await copyBatch(source.db, target, rows, changes);
      progress.done += rows.length;
      progress.copied += copied;
      progress.skipped += rows.length - copied;
      opts.onProgress?.({ ...progress });
    }
    moderation = await copyModeration(source.db, target);
    access = await copyAccess(source.db, target);
    roomMoves = await copyRoomMoves(source.db, target);
    files = await copyFiles(source.db, opts.files ?? defaultFilesPath(opts.from), target, clientFileStore(target));
    reactions = await copyReactions(source.db, target);
  } finally {
    source.db.close();
    await target.end().catch(() => undefined);
  }
  return { ...progress, moderation, access, roomMoves, files, reactions, changes, seconds: (performance.now() - started) / 1000 };
}

/** PostgreSQL's highest message id before the copy writes (0 for none): the file's ids above it cannot clash by id. */
async function highestMessageId(target: pg.Client): Promise<number> {
  const { rows } = await target.query<{ id: string }>("SELECT coalesce(max(id), 0)::text AS id FROM chat_message");
  return Number(rows[0]?.id ?? 0);
}

/** The file's messages in id order, a batch at a time (keyset paging: each batch costs the same). */
function* batches(select: Database.Statement<[number, number], SourceRow>, batchSize: number): Generator<Values[]> {
  for (let lastId = 0; ; ) {
    const rows = select.all(lastId, batchSize).map(toValues);
    if (rows.length === 0) return;
    lastId = Number(rows[rows.length - 1]?.[0]);
    yield rows;
  }
}

/**
 * One transaction: insert what is new, settle what was already there (carried over or left, counted into
 * `changes`). Returns rows inserted.
 */
async function copyBatch(source: Database.Database, target: pg.Client, rows: Values[], changes: ChangeCounts): Promise<number> {
  await target.query("BEGIN");
  try {
    const keyed = rows.map(withSenderKey);
    const column = (i: number): (string | null)[] => keyed.map((r) => r[i] ?? null);
    const inserted = await target.query<{ id: string }>(SQL_INSERT, Array.from({ length: 13 }, (_, i) => column(i)));
    if (inserted.rows.length < rows.length) await settleSkipped(source, target, rows, new Set(inserted.rows.map((r) => r.id)), changes);
    await target.query(SQL_BUMP_SEQUENCE, [rows[rows.length - 1]?.[0]]);
    await target.query("COMMIT");
    return inserted.rows.length;
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/**
 * A skipped row must be the very same message under the same id (the check before the copy saw to that; a node
 * writing meanwhile could still clash); its state is settled by the rule, and the changes SQLite wins are written
 * in one go for the batch.
 */
async function settleSkipped(source: Database.Database, target: pg.Client, rows: Values[], inserted: Set<string>, changes: ChangeCounts): Promise<void> {
  const skipped = rows.filter((r) => !inserted.has(r[0]));
  const params = COPIED_COLUMNS.map((_, i) => skipped.map((r) => r[i] ?? null));
  const { rows: differing } = await target.query<Record<string, string | null>>(SQL_DIFFERING, params);
  const byId = new Map(skipped.map((r) => [r[0], r]));
  const deletions: Carried[] = [];
  const edits: Carried[] = [];
  for (const d of differing) {
    const row = byId.get(d.file_id as string) as Values;
    const there = COPIED_COLUMNS.map((c) => d[c] ?? null);
    if (d.id === null) throw clashError(row, [null], false, "copy");
    if (!sameIdentity(row, there)) throw clashError(row, there, true, "copy");
    const settlement = settle(stateOf(row), stateOf(there));
    if (settlement === "carry_deletion") deletions.push({ id: row[0], state: stateOf(row) });
    if (settlement === "carry_edit") edits.push({ id: row[0], state: stateOf(row) });
    if (settlement === "keep_postgres") changes.keptInPostgres++;
  }
  await carryChanges(source, target, deletions, edits);
  changes.deletions += deletions.length;
  changes.edits += edits.length;
}
