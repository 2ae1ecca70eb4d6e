// Running beside the Flask app on one chat_history.db: another process's short write transactions make the
// port wait its turn (IMMEDIATE transactions, retried between event-loop turns) instead of failing sends.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import type { Ack, SendResult } from "../src/protocol.js";
import { nameKey } from "../src/shared/names.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { startTestApp, tempDatabase } from "./helpers/app.js";
import { startCoWriter } from "./helpers/co-writer.js";
import { FLASK_INSERT } from "./helpers/flask-db.js";

const ROOM = "lobby";
const SENDS = 60;

describe("beside a co-writer holding the write lock 50 ms in every 100 ms (as the Flask app would)", () => {
  it("acks all 60 sends in a row, each stored once, in order, among the co-writer's rows", async () => {
    const app = await startTestApp({ env: { RATE_SEND_PER_SEC: "0" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const coWriter = await startCoWriter(app.databasePath, ROOM);
    let isStopped = false;
    onTestFinished(async () => void (isStopped || (await coWriter.stop())));

    const answers: Ack<SendResult>[] = [];
    for (let i = 0; i < SENDS; i++) {
      // With a clientId, as the page sends: the duplicate check reads before the INSERT writes.
      answers.push(await alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: `send ${i}`, clientId: crypto.randomUUID() }));
    }
    const flaskRows = await coWriter.stop();
    isStopped = true;

    const codes = answers.map((a) => (a.ok ? "ok" : a.error.code));
    expect(codes.filter((c) => c === "ok").length, `answers: ${codes.join(",")}`).toBe(SENDS);
    expect(flaskRows).toBeGreaterThan(0); // it really wrote meanwhile
    const stored = (await app.repo.page(ROOM, { limit: 1000 })).messages;
    expect(stored.filter((m) => m.sender === "alice").map((m) => m.content)).toEqual(answers.map((_, i) => `send ${i}`));
    expect(stored.filter((m) => m.sender === "flask-user")).toHaveLength(flaskRows);
  });
});

// The Flask app's INSERT does not name sender_key (migration 15), so its rows have none until the search indexer
// keys them; the indexer needs the write lock, which the Flask app may be holding when a search comes.
describe("a row the Flask app inserts, searched by from: its sender", () => {
  it("is found while the Flask app holds the lock and the row has no key yet, and again once the indexer has keyed it", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const log = createCapturingLogger();
    const repo = new SqliteMessageRepository(db.path, { busyTimeoutMs: 10, writeRetryMs: 30, searchIndexDelayMs: 60_000, log });
    onTestFinished(() => repo.close());
    const ours = await repo.append({ room: "lobby", sender: "Ana", content: "from the port", sentAt: new Date() });
    const flask = new Database(db.path);
    onTestFinished(() => void flask.close());
    // The sender spelled with a Cyrillic "а": the same name as "Ana" in the room.
    const flaskId = Number(flask.prepare(FLASK_INSERT).run("lobby", "\u0430na", "from the Flask app", "2024-05-06 07:08:09.123456").lastInsertRowid);
    const keyOf = (id: number): unknown => flask.prepare("SELECT sender_key FROM chat_message WHERE id = ?").pluck().get(id);
    const from = (name: string) => repo.search("lobby", { terms: [], from: name }, { limit: 20 });

    flask.exec("BEGIN IMMEDIATE"); // the Flask app in the middle of a write: the indexer cannot run
    expect((await from("ANA")).messages.map((m) => m.id)).toEqual([flaskId, ours.message.id]);
    expect(log.lines.map((l) => l.event)).toContain("search_index_failed");
    expect(keyOf(flaskId)).toBeNull();
    expect(keyOf(ours.message.id)).toBe(nameKey("Ana")); // the port writes the key with the row itself
    flask.exec("COMMIT");

    expect((await from("ana")).messages.map((m) => m.id)).toEqual([flaskId, ours.message.id]);
    expect(keyOf(flaskId)).toBe(nameKey("Ana"));
  });
});
