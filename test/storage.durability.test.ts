// Acked means kept: the live connection runs WAL with synchronous=FULL (WAL + NORMAL may lose the last
// commits on power loss). Read from the connection the app writes with, not from the code that sets it.
import { copyFileSync, rmSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { startTestApp, tempDatabase } from "./helpers/app.js";

const SYNCHRONOUS_FULL = 2;
const message = (content: string) => ({ room: "general", sender: "alice", content, sentAt: new Date() });

describe("the live SQLite connection", () => {
  it("runs journal_mode=wal and synchronous=FULL", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    expect(app.sqlite.durability()).toEqual({ journalMode: "wal", synchronous: SYNCHRONOUS_FULL });
  });

  it("keeps them on the connection opened again after the file was replaced (a backup restored)", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = new SqliteMessageRepository(db.path, { busyTimeoutMs: 100, log: createCapturingLogger() });
    await first.append(message("before"));
    await first.close(); // checkpoints, so the main file alone holds every row
    const backup = `${db.path}.backup`;
    copyFileSync(db.path, backup);

    const repo = new SqliteMessageRepository(db.path, { busyTimeoutMs: 100, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    rmSync(db.path);
    copyFileSync(backup, db.path);
    await expect(repo.append(message("refused"))).rejects.toThrow(/removed or replaced/);
    await repo.append(message("after")); // on a connection opened again
    expect(repo.durability()).toEqual({ journalMode: "wal", synchronous: SYNCHRONOUS_FULL });
  });
});
