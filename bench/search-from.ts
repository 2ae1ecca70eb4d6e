// from: searches on SQLite in a big room, and the migration that made them cheap (version 15, sender_key). The
// security review of 2026-12 found that `from:<a name that never wrote>` read every row of the room below the
// cursor, calling nameKey on each, with the event loop blocked. This fills a file of `rows` messages (90 % in
// one room, 50 senders per room), brings it to version 14 as the previous release left it, opens it through
// the repository (which runs whatever migrations this build has above 14, timed) and times first pages of
// from: searches. Not part of `npm run bench`: it measures a one-off migration and a fix.
// Run: node --import tsx bench/search-from.ts [rows, default 1000000] [samples per query, default 10]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger, LogFields } from "../src/log.js";
import { parseSearchQuery } from "../src/shared/search-query.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { chatLikeContent, fileSize, fillDatabase, migrateFileTo, SEARCH_COMMON_WORD } from "./fill-db.js";
import { percentiles } from "./stats.js";

const ROOM = "big";
/** The schema of the release before sender_key: opening the file runs migration 15 alone. */
const PREVIOUS_VERSION = 14;
const QUERIES = [
  "from:nobody", // a name that never wrote: the review's case
  `${SEARCH_COMMON_WORD} from:nobody`, // a common word, and that name
  "from:user7", // one of the room's 50 senders
  `${SEARCH_COMMON_WORD} from:user7`,
];
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const samples = Number(process.argv[3] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), "mr-search-from-"));
  try {
    const path = join(dir, "chat_history.db");
    const fill = fillDatabase(path, [{ room: ROOM, messages: Math.round(rows * 0.9) }, { room: "other", messages: rows - Math.round(rows * 0.9) }], chatLikeContent);
    const prepared = performance.now();
    migrateFileTo(path, PREVIOUS_VERSION);
    console.log(JSON.stringify({ rows: fill.rows, fillMs: Math.round(fill.fillMs), toVersion14Ms: Math.round(performance.now() - prepared), fileMb: +(fileSize(path) / MB).toFixed(1) }));

    const started = performance.now();
    const print = (event: string, fields?: LogFields): void => console.log(JSON.stringify({ event, ms: Math.round(performance.now() - started), ...fields }));
    const log: Logger = { debug: () => undefined, info: print, warn: print, error: print };
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 10, log });
    console.log(JSON.stringify({ openMs: Math.round(performance.now() - started), fileMbAfterCheckpoint: +(fileSize(path) / MB).toFixed(1) }));
    try {
      for (const q of QUERIES) {
        const query = parseSearchQuery(q);
        const times: number[] = [];
        let hits = 0;
        for (let i = 0; i < samples; i++) {
          const t = performance.now();
          hits = (await repo.search(ROOM, query, { limit: 20 })).messages.length;
          times.push(performance.now() - t);
        }
        const p = percentiles(times);
        console.log(JSON.stringify({ q, hits, p50Ms: +p.p50.toFixed(2), maxMs: +p.max.toFixed(2), samples }));
      }
    } finally {
      await repo.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
