// The search workload (issue 12): on a room of 1,000,000 chat-like messages (plus another room's 100,000
// among them), how long migration 5 takes to index the rows already there, then p50/p95 of a search for a
// rare word, a common word and a phrase through the repository (query, rank and highlights, as the handler
// does), against a `LIKE '%word%'` scan of the same room on the same file. In-process: the socket round trip
// is the same for every event and is measured by the other workloads.
// Alone: npm run bench -- --only search [--quick]
import { join } from "node:path";
import Database from "better-sqlite3";
import { highlightRanges, parseSearchQuery } from "../src/shared/search-query.js";
import type { Logger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { chatLikeContent, fillDatabase, migrateFileTo, SEARCH_COMMON_WORD, SEARCH_PHRASE, SEARCH_RARE_WORD } from "./fill-db.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface SearchBenchSizes {
  roomMessages: number;
  otherMessages: number;
  ftsSamples: number;
  likeSamples: number;
}

export const FULL_SEARCH_SIZES: SearchBenchSizes = { roomMessages: 1_000_000, otherMessages: 100_000, ftsSamples: 300, likeSamples: 20 };
export const QUICK_SEARCH_SIZES: SearchBenchSizes = { roomMessages: 20_000, otherMessages: 2_000, ftsSamples: 30, likeSamples: 5 };

export interface SearchCase {
  name: "rare word" | "common word" | "phrase";
  q: string;
  /** Hits on the first page (limit 20), to show both methods answered the same question. */
  ftsHits: number;
  likeHits: number;
  fts: Percentiles;
  like: Percentiles;
}

export interface SearchBenchResult {
  /** Messages in the searched room, and in the whole file (another room's rows sit among them). */
  roomRows: number;
  rows: number;
  fillMs: number;
  /** Opening the repository on a file at version 4: migration 5 (indexing every row) and the WAL checkpoint. */
  migration5Ms: number;
  cases: SearchCase[];
}

const ROOM = "search1m";
const LIMIT = 20;
// What a LIKE search must do without an index for words: walk the room newest first, test every row.
const SQL_LIKE = `SELECT id FROM chat_message INDEXED BY ix_chat_message_room_id
  WHERE chat_room = ? AND content LIKE ? ORDER BY id DESC LIMIT ?`;

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function runSearchBench(workDir: string, sizes: SearchBenchSizes, progress: (line: string) => void): Promise<SearchBenchResult> {
  const path = join(workDir, "search.db");
  const fill = fillDatabase(path, [{ room: "other", messages: sizes.otherMessages }, { room: ROOM, messages: sizes.roomMessages }], chatLikeContent);
  progress(`search: filled ${fill.rows.toLocaleString("en-US")} messages in ${(fill.fillMs / 1000).toFixed(1)} s`);
  migrateFileTo(path, 4); // as the previous release left it: opening the repository runs migration 5 alone

  const started = performance.now();
  const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: quiet });
  const migration5Ms = performance.now() - started;
  progress(`search: migration 5 indexed ${fill.rows.toLocaleString("en-US")} rows in ${(migration5Ms / 1000).toFixed(1)} s`);

  const like = new Database(path, { readonly: true });
  const likeStmt = like.prepare<[string, string, number], { id: number }>(SQL_LIKE);
  const cases: SearchCase[] = [];
  try {
    for (const [name, q, pattern] of [
      ["rare word", SEARCH_RARE_WORD, `%${SEARCH_RARE_WORD}%`],
      ["common word", SEARCH_COMMON_WORD, `%${SEARCH_COMMON_WORD}%`],
      ["phrase", `"${SEARCH_PHRASE}"`, `%${SEARCH_PHRASE}%`],
    ] as const) {
      const query = parseSearchQuery(q);
      let ftsHits = 0;
      const ftsTimes: number[] = [];
      for (let i = 0; i < sizes.ftsSamples; i++) {
        const t = performance.now();
        const page = await repo.search(ROOM, query, { limit: LIMIT });
        for (const m of page.messages) highlightRanges(m.content, query);
        ftsTimes.push(performance.now() - t);
        ftsHits = page.messages.length;
      }
      let likeHits = 0;
      const likeTimes: number[] = [];
      for (let i = 0; i < sizes.likeSamples; i++) {
        const t = performance.now();
        likeHits = likeStmt.all(ROOM, pattern, LIMIT).length;
        likeTimes.push(performance.now() - t);
      }
      const result = { name, q, ftsHits, likeHits, fts: percentiles(ftsTimes), like: percentiles(likeTimes) };
      progress(`search: ${name} (${q}): FTS p50 ${result.fts.p50.toFixed(2)} ms p95 ${result.fts.p95.toFixed(2)} ms; LIKE p50 ${result.like.p50.toFixed(1)} ms p95 ${result.like.p95.toFixed(1)} ms`);
      cases.push(result);
    }
  } finally {
    like.close();
    await repo.close();
  }
  return { roomRows: sizes.roomMessages, rows: fill.rows, fillMs: fill.fillMs, migration5Ms, cases };
}

export function formatSearchTable(r: SearchBenchResult): string {
  const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(1));
  const lines = [
    `Search (SQLite): a room of ${r.roomRows.toLocaleString("en-US")} messages, ${r.rows.toLocaleString("en-US")} rows in the file; migration 5 indexed them in ${(r.migration5Ms / 1000).toFixed(1)} s`,
    "| query | FTS p50 ms | FTS p95 ms | LIKE p50 ms | LIKE p95 ms | first-page hits FTS / LIKE |",
    "|---|---|---|---|---|---|",
    ...r.cases.map((c) => `| ${c.name}: \`${c.q}\` | ${ms(c.fts.p50)} | ${ms(c.fts.p95)} | ${ms(c.like.p50)} | ${ms(c.like.p95)} | ${c.ftsHits} / ${c.likeHits} |`),
  ];
  return lines.join("\n");
}
