// The SQLite search index is filled after the fact (migration 8, src/storage/sqlite-search-index.ts): a send's
// transaction leaves it alone, the indexer adds the new rows shortly after, and a search indexes what is still
// pending first, so it never misses a stored message, even one stored just before a crash.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { nameKey } from "../src/shared/names.js";
import type { SearchOptions, SearchQuery } from "../src/storage/repository.js";
import { SqliteMessageRepository, type SqliteOptions } from "../src/storage/sqlite.js";
import { SQL_PAGE_BEFORE } from "../src/storage/sqlite-message-statements.js";
import { prepareSearchStatements, searchRows, searchSql, type SearchStatements } from "../src/storage/sqlite-search.js";
import { tempDatabase } from "./helpers/app.js";
import { FLASK_INSERT } from "./helpers/flask-db.js";

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

// The security review's case (2026-12): from:<a name that never wrote> read every row of the room below the cursor,
// calling the JavaScript name_key() on each with the event loop blocked (a room of 200,000 rows: 0.4–0.7 s per
// search, and a client may send 20 in a burst). Since migration 15 it reads the sender's rows through an index.
describe("from: on SQLite, through the sender_key index (migration 15)", () => {
  const ROOM_ROWS = 5000;
  const NEWEST = Number.MAX_SAFE_INTEGER;
  const fromOnly = (name: string): SearchQuery => ({ terms: [], from: name });
  const wordsFrom = (q: string, name: string): SearchQuery => ({ ...words(q), from: name });

  /** A room of ROOM_ROWS messages from 50 senders, stored (and keyed) by the repository, then opened on a plain connection. */
  async function bigRoom(): Promise<Database.Database> {
    const path = tempPath();
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    await Promise.all(Array.from({ length: ROOM_ROWS }, (_, i) => repo.append({ room: "r", sender: `Sender ${i % 50}`, content: `message number ${i}`, sentAt: new Date() })));
    await repo.close();
    const db = new Database(path);
    onTestFinished(() => void db.close());
    return db;
  }

  /** Replaces the connection's name_key with one that counts its calls (the statements prepared before are recompiled). */
  function countNameKeyCalls(db: Database.Database): () => number {
    let calls = 0;
    db.function("name_key", { deterministic: true }, (name: unknown) => {
      calls++;
      return typeof name === "string" ? nameKey(name) : null;
    });
    return () => calls;
  }

  it("reads both the keyed rows and the rows not keyed yet through ix_chat_message_room_sender, never the room (EXPLAIN QUERY PLAN)", async () => {
    const db = await bigRoom();
    prepareSearchStatements(db, SQL_PAGE_BEFORE); // registers name_key, as the store does
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${searchSql({ withTerms: false, withFrom: true })}`).all({ room: "r", before: NEWEST, key: "x", take: 21 }) as { detail: string }[]).map((r) => r.detail);
    const reads = plan.filter((d) => /^(SEARCH|SCAN) m\b/.test(d));
    expect(reads).toEqual([
      "SEARCH m USING INDEX ix_chat_message_room_sender (chat_room=? AND sender_key=? AND id<?)", // sender_key = the key
      "SEARCH m USING INDEX ix_chat_message_room_sender (chat_room=? AND sender_key=? AND id<?)", // sender_key IS NULL
    ]);
  });

  it("calls name_key for no row of a room of 5,000 keyed rows when the name never wrote there, with words or without", async () => {
    const db = await bigRoom();
    const stmts = prepareSearchStatements(db, SQL_PAGE_BEFORE);
    const calls = countNameKeyCalls(db); // after prepareSearchStatements, which registers the real one
    expect(searchRows(stmts, "r", fromOnly("nobody"), NEWEST, 21, 500)).toEqual([]);
    expect(searchRows(stmts, "r", wordsFrom("message", "nobody"), NEWEST, 21, 500)).toEqual([]); // the sender's rows, matched here
    expect(searchRows(stmts, "r", wordsFrom("message", "nobody"), NEWEST, 21, 0)).toEqual([]); // through the FTS index
    const found = searchRows(stmts, "r", fromOnly("SENDER 7"), NEWEST, 21, 500);
    expect(found.map((r) => r.sender)).toEqual(Array(21).fill("Sender 7"));
    expect(searchRows(stmts, "r", wordsFrom("number", "sender 7"), NEWEST, 21, 0)).toHaveLength(21);
    expect(calls()).toBe(0);
  });

  it("matches words among the sender's own rows when there are at most searchScanRows of them, instead of walking the words' rows of everyone", async () => {
    const db = await bigRoom();
    const stmts = prepareSearchStatements(db, SQL_PAGE_BEFORE);
    // Through the FTS index, "message from:nobody" read every row holding "message" (the whole room here) for nothing.
    const notUsed = { all: () => expect.unreachable("the FTS index was walked") } as unknown as SearchStatements["searchFrom"];
    const bySender = { ...stmts, search: notUsed, searchFrom: notUsed };
    expect(searchRows(bySender, "r", wordsFrom("message", "nobody"), NEWEST, 21, 500)).toEqual([]);
    const viaIndex = searchRows(stmts, "r", wordsFrom("message", "sender 7"), NEWEST, 21, 0); // 0: the path turned off
    expect(viaIndex).toHaveLength(21);
    expect(searchRows(bySender, "r", wordsFrom("message", "sender 7"), NEWEST, 21, 500)).toEqual(viaIndex); // 100 rows of theirs
    expect(searchRows(stmts, "r", wordsFrom("message", "sender 7"), NEWEST, 21, 99)).toEqual(viaIndex); // more than 99: the index
  });

  it("calls name_key only for the rows nobody has keyed yet (the Flask app's), and finds them", async () => {
    const db = await bigRoom();
    const stmts = prepareSearchStatements(db, SQL_PAGE_BEFORE);
    const calls = countNameKeyCalls(db);
    const flaskId = Number(db.prepare(FLASK_INSERT).run("r", "\u0430na", "written by the original app", "2024-05-06 07:08:09.123456").lastInsertRowid);
    expect(searchRows(stmts, "r", fromOnly("Ana"), NEWEST, 21, 500).map((r) => r.id)).toEqual([flaskId]);
    expect(calls()).toBe(1);
  });
});
