// The MessageRepository contract on SQLite; the same suite runs on PostgreSQL in `npm run test:cluster`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { describeRepositoryContract } from "./helpers/repository-contract.js";

const dir = mkdtempSync(join(tmpdir(), "mr-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "chat.db");

describeRepositoryContract("sqlite", () => Promise.resolve(new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() })));
