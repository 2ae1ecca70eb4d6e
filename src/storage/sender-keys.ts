// chat_message.sender_key on SQLite (migration 15): the sender's name key (shared/names.ts), so `from:` reads the
// sender's rows through an index instead of calling nameKey on every row of the room. The app writes it with each
// row it inserts (sqlite.ts); this file keys the rows that have none: those already there when the migration runs,
// and those the Flask app inserts later (which never names the column), as the search indexer reaches them.
import type Database from "better-sqlite3";
import { nameKey } from "../shared/names.js";
import type { MigrationContext } from "./migrations.js";

export const SENDER_KEY_INDEX = "ix_chat_message_room_sender";
// The same shape as PostgreSQL's (schema 5): a room's rows of one sender, newest first, as from: reads them.
const SENDER_KEY_INDEX_DDL = `CREATE INDEX IF NOT EXISTS ${SENDER_KEY_INDEX} ON chat_message (chat_room, sender_key, id)`;
/** Rows keyed per UPDATE while migrating: one progress line each, as migrations 4 and 5 log theirs. */
const KEY_CHUNK_ROWS = 100_000;

/**
 * Keys every row without a key, then builds the index. SQL cannot compute the key (NFKC, case folding, the
 * confusable skeleton), and the connection has no name_key function yet while it migrates, so the distinct
 * senders are keyed here, once each, into a temporary table; one UPDATE per id range then looks each row's key
 * up there. An UPDATE per sender would scan the whole table once per sender (there is no index on sender). The
 * index comes last, built once from the filled column rather than changed row by row. Re-runnable: only rows
 * without a key are touched and the index is made only when missing.
 */
export function keyExistingSenders(db: Database.Database, ctx: MigrationContext, version: number): void {
  const senders = db.prepare("SELECT DISTINCT sender FROM chat_message WHERE sender_key IS NULL AND sender IS NOT NULL").pluck().all() as unknown[];
  if (senders.length > 0) {
    db.exec("DROP TABLE IF EXISTS temp.sender_key_fill");
    db.exec("CREATE TEMP TABLE sender_key_fill (sender TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID");
    const keep = db.prepare<[string, string]>("INSERT INTO temp.sender_key_fill (sender, key) VALUES (?, ?)");
    // SQLite is dynamically typed: a sender stored as a number or blob has no name key and keeps NULL.
    for (const sender of senders) if (typeof sender === "string") keep.run(sender, nameKey(sender));
    fillKeysByIdRange(db, ctx, version);
    db.exec("DROP TABLE temp.sender_key_fill");
  }
  db.exec(SENDER_KEY_INDEX_DDL);
}

/** In id order and in chunks of KEY_CHUNK_ROWS rows, so a large table logs its progress. */
function fillKeysByIdRange(db: Database.Database, ctx: MigrationContext, version: number): void {
  const total = (db.prepare("SELECT count(*) AS n FROM chat_message").get() as { n: number }).n;
  const fill = db.prepare<[number, number]>(
    `UPDATE chat_message SET sender_key = (SELECT k.key FROM temp.sender_key_fill k WHERE k.sender = chat_message.sender)
     WHERE id > ? AND id <= ? AND sender_key IS NULL AND sender IS NOT NULL`,
  );
  const endOfChunk = db.prepare<[number], { id: number | null; n: number }>(
    `SELECT max(id) AS id, count(*) AS n FROM (SELECT id FROM chat_message WHERE id > ? ORDER BY id LIMIT ${KEY_CHUNK_ROWS})`,
  );
  let done = 0;
  for (let after = -Infinity; ; ) {
    const chunk = endOfChunk.get(after);
    if (chunk === undefined || chunk.id === null) break;
    fill.run(after, chunk.id);
    done += chunk.n;
    after = chunk.id;
    if (total > KEY_CHUNK_ROWS) ctx.onProgress?.(version, done, total);
  }
}

/** Keys the rows in an id range that have none (the Flask app's), in the caller's transaction; returns how many. */
export type KeyRange = (after: number, upto: number) => number;

export function createSenderKeyer(db: Database.Database): KeyRange {
  const unkeyed = db.prepare<[number, number], { id: number; sender: unknown }>(
    "SELECT id, sender FROM chat_message WHERE id > ? AND id <= ? AND sender_key IS NULL AND sender IS NOT NULL",
  );
  const setKey = db.prepare<[string, number]>("UPDATE chat_message SET sender_key = ? WHERE id = ?");
  return (after, upto) => {
    let keyed = 0;
    for (const row of unkeyed.all(after, upto)) {
      if (typeof row.sender !== "string") continue;
      keyed += setKey.run(nameKey(row.sender), row.id).changes;
    }
    return keyed;
  };
}
