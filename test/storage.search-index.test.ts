// The SQLite search index is filled after the fact (migration 8, src/storage/sqlite-search-index.ts): a send's
// transaction leaves it alone, the indexer adds the new rows shortly after, and a search indexes what is still
// pending first, so it never misses a stored message, even one stored just before a crash.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import type { SearchOptions, SearchQuery } from "../src/storage/repository.js";
import { SqliteMessageRepository, type SqliteOptions } from "../src/storage/sqlite.js";
import { tempDatabase } from "./helpers/app.js";

const ALL: SearchOptions = { limit: 50 };
const words = (q: string): SearchQuery => ({ terms: q.split(" ").map((word) => ({ tokens: [word], prefix: false })) });

function openRepo(path: string, opts: Partial<SqliteOptions> = {}): SqliteMessageRepository {
  // searchScanRows 0: every search goes through the index (small rooms are otherwise matched without it).
  const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger(), searchScanRows: 0, ...opts });
  onTestFinished(() => repo.close());
  return repo;
}

function tempPath(): string {
  const db = tempDatabase();
  onTestFinished(db.remove);
  return db.path;
}

/** What the index holds, read on a connection of its own. */
function indexedIds(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT id FROM chat_message_fts_docsize ORDER BY id").all() as { id: number }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

const send = (repo: SqliteMessageRepository, content: string) => repo.append({ room: "r", sender: "ana", content, sentAt: new Date() });

describe("the SQLite search index, filled after the fact", () => {
  it("is not written by the send's transaction; the indexer adds the rows after SEARCH_INDEX_DELAY_MS", async () => {
    const path = tempPath();
    let indexed: (rows: number) => void = () => {};
    const ran = new Promise<number>((resolve) => (indexed = resolve));
    const repo = openRepo(path, { searchIndexDelayMs: 50, onIndexed: (rows) => indexed(rows) });
    const [a, b] = await Promise.all([send(repo, "first budget"), send(repo, "second budget")]);
    expect(indexedIds(path)).toEqual([]);
    expect(await ran).toBe(2);
    expect(indexedIds(path)).toEqual([a.message.id, b.message.id]);
  });

  it("is brought up to date by a search, so a message acked a moment ago is found", async () => {
    const repo = openRepo(tempPath(), { searchIndexDelayMs: 60_000 });
    const sent = await send(repo, "the quarterly budget");
    const page = await repo.search("r", words("budget"), ALL);
    expect(page.messages.map((m) => m.id)).toEqual([sent.message.id]);
  });

  it("finds an edited message that was not indexed yet by its new text only, and a deleted one not at all", async () => {
    const repo = openRepo(tempPath(), { searchIndexDelayMs: 60_000 });
    const edited = await send(repo, "draft wording");
    const erased = await send(repo, "draft regret");
    await repo.edit("r", edited.message.id, "final wording", new Date());
    await repo.erase("r", erased.message.id, new Date());
    expect((await repo.search("r", words("draft"), ALL)).messages).toEqual([]);
    expect((await repo.search("r", words("final"), ALL)).messages.map((m) => m.id)).toEqual([edited.message.id]);
    // Now indexed: an edit goes through the trigger.
    await repo.edit("r", edited.message.id, "second thoughts", new Date());
    expect((await repo.search("r", words("final"), ALL)).messages).toEqual([]);
    expect((await repo.search("r", words("thoughts"), ALL)).messages.map((m) => m.id)).toEqual([edited.message.id]);
  });

  it("finds, after a restart, a message stored but not indexed when the process died", async () => {
    const path = tempPath();
    const dead = openRepo(path, { searchIndexDelayMs: 60_000 });
    const sent = await send(dead, "stored before the crash");
    expect(indexedIds(path)).toEqual([]); // the dead process never closes, so nothing indexed it
    const next = openRepo(path, { searchIndexDelayMs: 60_000 });
    expect((await next.search("r", words("crash"), ALL)).messages.map((m) => m.id)).toEqual([sent.message.id]);
  });

  it("leaves the file fully indexed when closed", async () => {
    const path = tempPath();
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger(), searchIndexDelayMs: 60_000 });
    const sent = await send(repo, "indexed on the way out");
    await repo.close();
    expect(indexedIds(path)).toEqual([sent.message.id]);
  });
});
