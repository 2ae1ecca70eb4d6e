// The MessageRepository contract on SQLite; the same suite runs on PostgreSQL in `npm run test:cluster`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { describeRepositoryContract } from "./helpers/repository-contract.js";

const dir = mkdtempSync(join(tmpdir(), "mr-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "chat.db");

// Another connection, as the Flask app or the edits code would write: the triggers keep the index in step.
const backdoor = {
  setContent: (id: number, content: string): Promise<void> => {
    const db = new Database(path, { fileMustExist: true, timeout: 2000 });
    try {
      db.prepare("UPDATE chat_message SET content = ? WHERE id = ?").run(content, id);
    } finally {
      db.close();
    }
    return Promise.resolve();
  },
};

// Twice: small rooms are searched by reading their rows; searchScanRows 0 sends every search through the FTS5 index.
describeRepositoryContract("sqlite", () => Promise.resolve(new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() })), backdoor);
describeRepositoryContract(
  "sqlite (search through the index)",
  () => Promise.resolve(new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger(), searchScanRows: 0 })),
  backdoor,
);
