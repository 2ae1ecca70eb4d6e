// What the search index costs a send on SQLite: rows appended in transactions of 1, 2 and 8 rows (what group
// commit makes of a busy room) on a file at schema 7 (index kept by an INSERT trigger inside each send's
// transaction) and on one at the latest schema (the index filled afterwards, 256 rows per transaction).
// Usage: node --import tsx bench/search-index-cost.ts [rows]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { applyMigration, migrate, migrations } from "../src/storage/migrations.js";
import { createSearchIndexer } from "../src/storage/sqlite-search-index.js";

const ROWS = Number(process.argv[2] ?? 20_000);
const WORDS = "the quick brown fox jumps over a lazy dog budget meeting tomorrow hello world chat room message sent".split(" ");
const text = (i: number): string => Array.from({ length: 8 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(" ") + ` ${i}`;

function openAt(version: number | "latest"): { db: Database.Database; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mr-index-cost-"));
  const db = new Database(join(dir, "chat.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL"); // as the app runs it
  if (version === "latest") migrate(db);
  else for (const m of migrations.filter((s) => s.version <= version)) applyMigration(db, m);
  return { db, remove: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** CPU time (user + system) per row: steadier than wall time on a shared machine, and fsync waits are not in it. */
function microsPerRow(version: 7 | "latest", batch: number): number {
  const { db, remove } = openAt(version);
  const insert = db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, 'ana', ?, '2024-01-01 10:00:00')");
  const send = db.transaction((from: number) => {
    for (let i = from; i < from + batch; i++) insert.run(`room${i % 20}`, text(i));
  });
  const indexer = version === "latest" ? createSearchIndexer(db) : null;
  const indexChunk = db.transaction(() => indexer?.indexChunk() ?? 0);
  const started = process.cpuUsage();
  for (let i = 0; i < ROWS; i += batch) {
    send.immediate(i);
    if (indexer && i % 256 < batch) while (indexChunk.immediate() > 0);
  }
  while (indexChunk.immediate() > 0);
  const used = process.cpuUsage(started);
  const us = (used.user + used.system) / ROWS;
  remove();
  return us;
}

console.log(`${ROWS} rows, synchronous=FULL, CPU µs per row (sends + indexing)`);
console.log("batch  trigger (schema 7)  deferred (latest)");
for (const batch of [1, 2, 8]) {
  console.log(`${String(batch).padStart(5)}  ${microsPerRow(7, batch).toFixed(1).padStart(18)}  ${microsPerRow("latest", batch).toFixed(1).padStart(17)}`);
}
