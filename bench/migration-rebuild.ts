// How long the version 4 migration (the AUTOINCREMENT rebuild of chat_message) takes on an upgraded install's
// file, and how large the file and its WAL grow meanwhile. Not part of `npm run bench`: it measures a one-off.
// Run: node --import tsx bench/migration-rebuild.ts [rows, default 1000000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Logger, LogFields } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { fileSize, fillDatabase } from "./fill-db.js";

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), "mr-rebuild-"));
  try {
    const path = join(dir, "chat_history.db");
    const fill = fillDatabase(path, [
      { room: "big", messages: Math.round(rows * 0.9) },
      { room: "small", messages: rows - Math.round(rows * 0.9) },
    ]);
    const before = fileSize(path);
    const started = performance.now();
    const print = (event: string, fields?: LogFields): void => console.log(JSON.stringify({ event, ms: Math.round(performance.now() - started), ...fields }));
    const log: Logger = { debug: () => undefined, info: print, warn: print, error: print };
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 10, log });
    const migrateMs = performance.now() - started;
    const walAfterMigrate = fileSize(`${path}-wal`);
    // Awaited: the close ends with a last search-index run, and a close left running wrote to a file this
    // function had already deleted (SQLite refused it, and the run logged search_index_failed after the report).
    await repo.close();
    const db = new Database(path, { readonly: true });
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'chat_message'").get() as { seq: number };
    db.close();
    console.log(
      JSON.stringify({
        rows: fill.rows,
        fillMs: Math.round(fill.fillMs),
        migrateMs: Math.round(migrateMs),
        fileMbBefore: +(before / MB).toFixed(1),
        walMbAfterMigrate: +(walAfterMigrate / MB).toFixed(1),
        fileMbAfterCheckpoint: +(fileSize(path) / MB).toFixed(1),
        sequence: seq.seq,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
