// The search index is filled after the fact, not by a trigger on every INSERT (migration 8). With a trigger,
// FTS5 wrote its segments (and the three prefix indexes) in every send's transaction: 65–145 µs per row for
// batches of 1–8 rows, the largest part of a send's cost. Indexing the rows above a watermark a few hundred at
// a time costs about 7 µs per row. Rows inserted by anyone (the Flask app too) are picked up the same way, and
// those inserted without a sender_key (the Flask app's) get theirs here too (migration 15, sender-keys.ts).
import type Database from "better-sqlite3";
import { SEARCH_TABLE } from "./migrations.js";
import { createSenderKeyer } from "./sender-keys.js";

/** Rows indexed per transaction: big enough to amortise FTS5's segment writes, small enough not to hold the loop. */
export const SEARCH_INDEX_CHUNK_ROWS = 256;

export interface SearchIndexer {
  /** Indexes up to `limit` rows above the watermark in the caller's transaction; returns how many. */
  indexChunk(limit?: number): number;
  /** The newest id minus the watermark (0 when everything is indexed); an estimate when ids have gaps. */
  backlog(): number;
}

export function createSearchIndexer(db: Database.Database): SearchIndexer {
  const watermark = db.prepare<[], { upto: number }>("SELECT indexed_upto AS upto FROM search_state WHERE id = 1");
  const lastOfChunk = db.prepare<[number, number], { id: number | null }>(
    "SELECT max(id) AS id FROM (SELECT id FROM chat_message WHERE id > ? ORDER BY id LIMIT ?)",
  );
  const index = db.prepare<[number, number]>(`INSERT INTO ${SEARCH_TABLE} (rowid, content) SELECT id, content FROM chat_message WHERE id > ? AND id <= ?`);
  const advance = db.prepare<[number]>("UPDATE search_state SET indexed_upto = ? WHERE id = 1");
  const newest = db.prepare<[], { id: number | null }>("SELECT max(id) AS id FROM chat_message");
  const keySenders = createSenderKeyer(db);
  const uptoNow = (): number => watermark.get()?.upto ?? 0;
  return {
    indexChunk(limit = SEARCH_INDEX_CHUNK_ROWS) {
      const upto = uptoNow();
      const last = lastOfChunk.get(upto, limit)?.id ?? null;
      if (last === null) return 0;
      const n = index.run(upto, last).changes;
      keySenders(upto, last);
      advance.run(last);
      return n;
    },
    backlog() {
      return Math.max(0, (newest.get()?.id ?? 0) - uptoNow());
    },
  };
}

/** Indexes everything pending, chunk by chunk, each in its own IMMEDIATE transaction (tests, tools). */
export function indexAllPending(db: Database.Database): number {
  const indexer = createSearchIndexer(db);
  let total = 0;
  for (let n = -1; n !== 0; total += n) n = db.transaction(() => indexer.indexChunk()).immediate();
  return total;
}
