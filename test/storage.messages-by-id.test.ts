// messagesById on SQLite: one statement prepared with the connection serves every length of id list (the ids go in
// as one JSON array), and its plan searches each id by the primary key. It was prepared again on every call, with
// one ? per id: about 35 µs per call of compiling SQL, most of a one-id read (a reply's quote).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { SQL_BY_IDS } from "../src/storage/sqlite-message-statements.js";
import { seedMessages } from "./helpers/messages.js";

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-by-id-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "by-id.db");
}

describe("messagesById on SQLite", () => {
  it("prepares no statement per call, for lists of 1 to 1,000 ids", async () => {
    const repo = new SqliteMessageRepository(tempPath(), { busyTimeoutMs: 1000, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    const seeded = (await seedMessages(repo, "general", 40)).map((m) => m.id);
    await repo.messagesById("general", [seeded[0] as number]); // the connection is open and its statements ready

    const prepare = vi.spyOn(Database.prototype, "prepare");
    onTestFinished(() => prepare.mockRestore());
    for (const count of [1, 2, 3, 7, 20, 40]) expect(await repo.messagesById("general", seeded.slice(0, count))).toHaveLength(count);
    const many = Array.from({ length: 1000 }, (_, k) => k + 1);
    expect(await repo.messagesById("general", many)).toHaveLength(40);
    expect(prepare).not.toHaveBeenCalled();
  });

  it("searches each listed id by the primary key, without a scan or a sort, on an empty table, a filled one and after ANALYZE", async () => {
    const path = tempPath();
    await new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() }).close(); // migrates
    const db = new Database(path);
    onTestFinished(() => void db.close());
    const planOf = (): string[] => (db.prepare(`EXPLAIN QUERY PLAN ${SQL_BY_IDS}`).all("big", "[1, 2, 3]") as { detail: string }[]).map((r) => r.detail);
    const keyPlan = ["SEARCH chat_message USING INTEGER PRIMARY KEY (rowid=?)", "LIST SUBQUERY 1", expect.stringMatching(/^SCAN json_each VIRTUAL TABLE/)];
    expect(planOf()).toEqual(keyPlan);

    // Two rooms, the asked one holding most rows: neither rows nor stats turn it to the room's index.
    const insert = db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, 's', 'c', '2025-01-01 00:00:00.000000')");
    db.transaction(() => {
      for (let k = 0; k < 5000; k++) insert.run(k % 10 === 0 ? "small" : "big");
    })();
    expect(planOf()).toEqual(keyPlan);
    db.exec("ANALYZE");
    expect(planOf()).toEqual(keyPlan);
  });
});
