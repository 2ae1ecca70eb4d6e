// SQLite's search index over chat_message.content, as migrations 5 and 8 (migrations.ts) build it: the FTS5 table
// and its triggers, then the watermark that lets it be filled after the fact (sqlite-search-index.ts fills it).
import type Database from "better-sqlite3";
import type { MigrationContext } from "./migrations.js";

export const SEARCH_TABLE = "chat_message_fts";
// Version 5: the search index. External content (the text lives once, in chat_message); the triggers are plain
// SQL, so the Flask app's own INSERTs, and any UPDATE or DELETE, keep the index in step without knowing of it.
// With external content FTS5 cannot read the old text back, so DELETE and UPDATE hand it the old values.
// prefix='1 2 3': the last word is matched as a prefix, and without these FTS5 merges the lists of every word
// a short prefix begins before it can return one row ("th" took 43 ms on 200,000 rows; 0.05 ms with them).
const SEARCH_TRIGGERS = ["chat_message_fts_insert", "chat_message_fts_delete", "chat_message_fts_update"];
const SEARCH_DDL = `CREATE VIRTUAL TABLE ${SEARCH_TABLE} USING fts5(
  content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER chat_message_fts_insert AFTER INSERT ON chat_message BEGIN
  INSERT INTO ${SEARCH_TABLE} (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message BEGIN
  INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message BEGIN
  INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO ${SEARCH_TABLE} (rowid, content) VALUES (new.id, new.content);
END;`;
const SEARCH_CHUNK_ROWS = 100_000;

const count = (db: Database.Database, sql: string): number => (db.prepare(sql).get() as { n: number }).n;

/** The index, its three triggers, and one entry per row (a file that kept them all needs nothing). */
function isSearchIndexComplete(db: Database.Database): boolean {
  const names = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE name = ? OR name LIKE 'chat_message_fts_%'").all(SEARCH_TABLE) as { name: string }[]).map((r) => r.name),
  );
  if (!names.has(SEARCH_TABLE) || !SEARCH_TRIGGERS.every((t) => names.has(t)) || !names.has(`${SEARCH_TABLE}_docsize`)) return false;
  return count(db, `SELECT count(*) AS n FROM ${SEARCH_TABLE}_docsize`) === count(db, "SELECT count(*) AS n FROM chat_message");
}

/**
 * Creates the index and indexes the rows already there, in id order and in chunks so a large table logs its
 * progress. Re-runnable: a complete index is left alone; anything less (a table without its triggers, after a
 * rebuild of chat_message dropped them) is dropped and made again.
 */
export function createSearchIndex(db: Database.Database, ctx: MigrationContext, version: number): void {
  if (isSearchIndexComplete(db)) return;
  for (const t of SEARCH_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  db.exec(`DROP TABLE IF EXISTS ${SEARCH_TABLE}`);
  db.exec(SEARCH_DDL);
  const total = count(db, "SELECT count(*) AS n FROM chat_message");
  const index = db.prepare(
    `INSERT INTO ${SEARCH_TABLE} (rowid, content) SELECT id, content FROM chat_message WHERE id > ? ORDER BY id LIMIT ${SEARCH_CHUNK_ROWS}`,
  );
  const lastIndexed = db.prepare(`SELECT max(id) AS id FROM (SELECT id FROM chat_message WHERE id > ? ORDER BY id LIMIT ${SEARCH_CHUNK_ROWS})`);
  let done = 0;
  for (let after = -Infinity; done < total; ) {
    const indexed = index.run(after).changes;
    if (indexed === 0) break;
    done += indexed;
    after = (lastIndexed.get(after) as { id: number }).id;
    if (total > SEARCH_CHUNK_ROWS) ctx.onProgress?.(version, done, total);
  }
}

// Version 8: the index holds the rows up to search_state.indexed_upto; the app indexes the rows above it soon
// after they are stored (and before every search). Every row is indexed when this runs (version 5's trigger
// saw to it), so the watermark starts at the newest id. While that trigger exists every row is indexed, so a
// re-run after version 5 rebuilt the index sets the watermark again; without it the watermark is kept. An UPDATE or DELETE fixes the index only for
// a row already in it: a row above the watermark is indexed later with whatever text it has by then.
const INDEXED = "(SELECT indexed_upto FROM search_state WHERE id = 1)";
export const DEFERRED_SEARCH_DDL = `
CREATE TABLE IF NOT EXISTS search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL);
INSERT INTO search_state (id, indexed_upto) VALUES (1, (SELECT coalesce(max(id), 0) FROM chat_message))
  ON CONFLICT (id) DO UPDATE SET indexed_upto = excluded.indexed_upto
  WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'chat_message_fts_insert');
DROP TRIGGER IF EXISTS chat_message_fts_insert;
DROP TRIGGER IF EXISTS chat_message_fts_delete;
DROP TRIGGER IF EXISTS chat_message_fts_update;
CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= ${INDEXED} BEGIN
  INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= ${INDEXED} BEGIN
  INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO ${SEARCH_TABLE} (rowid, content) SELECT new.id, new.content WHERE new.id <= ${INDEXED};
END;`;
