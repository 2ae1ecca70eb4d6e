// The PushStore contract on SQLite; the same suite runs on PostgreSQL in `npm run test:cluster`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { describePushContract } from "./helpers/push-contract.js";

const dir = mkdtempSync(join(tmpdir(), "mr-push-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describePushContract("sqlite", () => Promise.resolve(new SqliteMessageRepository(join(dir, "chat.db"), { busyTimeoutMs: 250, log: createCapturingLogger() })));
