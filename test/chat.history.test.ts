// Bounded history: join sends the newest HISTORY_LIMIT messages, fetch_history pages by id (keyset), oldest first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import type { HistoryResult, WireMessage } from "../src/protocol.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { SQL_PAGE_AFTER, SQL_PAGE_BEFORE } from "../src/storage/sqlite-message-statements.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isNoticeWith, seedMessages } from "./helpers/messages.js";
import { collectUntil } from "./helpers/wait.js";

const contents = (list: { content: string }[]): string[] => list.map((m) => m.content);
const range = (from: number, to: number, prefix = "m"): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

async function fetchPage(socket: ClientSocket, payload: Record<string, unknown>): Promise<HistoryResult> {
  const res = await call<HistoryResult>(socket, "fetch_history", { room: "general", ...payload });
  if (!res.ok) throw new Error(`fetch_history failed: ${res.error.code}`);
  return res;
}

describe("join replays the newest HISTORY_LIMIT messages", () => {
  it("answers the newest ones, oldest first, with hasMore when older ones exist", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "5" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 8);
    const alice = await app.joined("general", "alice");
    expect(contents(alice.joinResult.history)).toEqual(range(4, 8));
    expect(alice.joinResult.hasMore).toBe(true);
  });

  it("says hasMore: false when the room holds exactly HISTORY_LIMIT messages", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "5" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 5);
    const alice = await app.joined("general", "alice");
    expect(contents(alice.joinResult.history)).toEqual(range(1, 5));
    expect(alice.joinResult.hasMore).toBe(false);
  });

  it("replays only the newest HISTORY_LIMIT to a client without ack", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 7);
    const legacy = await app.connect();
    const seen = collectUntil(legacy, "message", isNoticeWith("alice has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "alice", room: "general" });
    expect(contents(await seen)).toEqual([...range(5, 7), "alice has joined the chat."]);
  });

  it("defaults HISTORY_LIMIT to 100", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 101);
    const alice = await app.joined("general", "alice");
    expect(contents(alice.joinResult.history)).toEqual(range(2, 101));
    expect(alice.joinResult.hasMore).toBe(true);
  });

  it("honours the maximum HISTORY_LIMIT of 500", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "500" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 501);
    const alice = await app.joined("general", "alice");
    expect(alice.joinResult.history).toHaveLength(500);
    expect(alice.joinResult.history[0]?.content).toBe("m2");
    expect(alice.joinResult.hasMore).toBe(true);
  });
});

describe("fetch_history {before}", () => {
  it("pages older messages by id, oldest first, until hasMore is false, without gaps or repeats", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "4" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 11);
    await seedMessages(app.repo, "other", 3, { prefix: "other" }); // ids after general's: never in its pages
    const alice = await app.joined("general", "alice");
    let shown: WireMessage[] = alice.joinResult.history;
    let hasMore = alice.joinResult.hasMore;
    const pages: string[][] = [];
    while (hasMore) {
      const page = await fetchPage(alice, { before: shown[0]?.id, limit: 3 });
      pages.push(contents(page.messages));
      shown = [...page.messages, ...shown];
      hasMore = page.hasMore;
    }
    expect(pages).toEqual([range(5, 7), range(2, 4), ["m1"]]);
    expect(contents(shown)).toEqual(range(1, 11));
    expect(shown.every((m) => m.room === "general")).toBe(true);
  });

  it("starts from the newest message when before is left out, with 50 as the default limit", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 60);
    const alice = await app.joined("general", "alice");
    const page = await fetchPage(alice, {});
    expect(contents(page.messages)).toEqual(range(11, 60));
    expect(page.hasMore).toBe(true);
  });

  it("answers an empty last page when nothing is older", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const [first] = await seedMessages(app.repo, "general", 2);
    const alice = await app.joined("general", "alice");
    expect(await fetchPage(alice, { before: first?.id })).toEqual({ ok: true, messages: [], hasMore: false });
    expect(await fetchPage(alice, { before: 0 })).toEqual({ ok: true, messages: [], hasMore: false });
  });

  it("accepts limit 1 and 500 and refuses 0 and 501", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 501);
    const alice = await app.joined("general", "alice");
    const one = await fetchPage(alice, { limit: 1 });
    expect(contents(one.messages)).toEqual(["m501"]);
    expect(one.hasMore).toBe(true);
    const most = await fetchPage(alice, { limit: 500 });
    expect(most.messages).toHaveLength(500);
    expect(most.messages[0]?.content).toBe("m2");
    expect(most.hasMore).toBe(true);
    for (const limit of [0, 501]) {
      expect(await call(alice, "fetch_history", { room: "general", limit })).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    }
  });

  it("sends wire messages with the original's timestamp format", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 1, { sender: "zoe", start: new Date("2024-02-29T23:59:59.999Z") });
    const alice = await app.joined("general", "alice");
    expect((await fetchPage(alice, {})).messages).toEqual([
      { id: 1, room: "general", sender: "zoe", content: "m1", timestamp: "2024-02-29 23:59:59", sentAt: "2024-02-29T23:59:59.999Z" },
    ]);
  });
});

describe("the query plan: join costs the same for 100 or 1,000,000 messages", () => {
  // Both page queries must walk ix_chat_message_room_id from one end of the room's range and stop after
  // LIMIT rows: a SEARCH on the index, no SCAN of the table, no temporary B-tree to sort.
  function planOf(db: Database.Database, sql: string, room = "big"): string[] {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(room, 1_000_000, 100) as { detail: string }[]).map((r) => r.detail);
  }

  function migratedDatabase(): Database.Database {
    const dir = mkdtempSync(join(tmpdir(), "mr-plan-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "plan.db");
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    void repo.close();
    const db = new Database(path);
    onTestFinished(() => void db.close());
    return db;
  }

  it.each([
    ["SQL_PAGE_BEFORE", SQL_PAGE_BEFORE, "<"],
    ["SQL_PAGE_AFTER", SQL_PAGE_AFTER, ">"],
  ])("%s searches ix_chat_message_room_id and sorts nothing", (_name, sql, op) => {
    const db = migratedDatabase();
    const plan = planOf(db, sql);
    expect(plan).toEqual([expect.stringMatching(new RegExp(`^SEARCH chat_message USING (COVERING )?INDEX ix_chat_message_room_id \\(chat_room=\\? AND id${op}\\?\\)$`))]);
  });

  it.each([
    ["SQL_PAGE_BEFORE", SQL_PAGE_BEFORE],
    ["SQL_PAGE_AFTER", SQL_PAGE_AFTER],
  ])("%s keeps that plan once ANALYZE has stats, for a room holding half the rows and for a small one", (_name, sql) => {
    // The shape that hurts a rowid scan: the big room's rows are the oldest, every newer row is another room's.
    const db = migratedDatabase();
    const insert = db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, 's', 'c', '2025-01-01 00:00:00.000000')");
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run("big");
      for (let i = 0; i < 20_000; i++) insert.run(`room-${i % 1000}`);
    })();
    db.exec("ANALYZE");
    for (const room of ["big", "room-7"]) {
      const plan = planOf(db, sql, room);
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(/^SEARCH chat_message USING (COVERING )?INDEX ix_chat_message_room_id \(chat_room=\? AND id[<>]\?\)$/);
      expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN/);
    }
  });
});
