// The database stays the Flask original's, both ways: the port shows what the Flask app wrote, and the Flask
// app's own SQL reads back (and keeps writing) what the port wrote.
import { describe, expect, it, onTestFinished } from "vitest";
import type { SearchHit } from "../src/protocol.js";
import { LATEST_VERSION } from "../src/storage/migrations.js";
import { startTestApp, tempDatabase } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isNoticeWith } from "./helpers/messages.js";
import { collectUntil } from "./helpers/wait.js";
import { createFlaskDatabase, FLASK_INSERT, flaskHistory, SQLALCHEMY_DATETIME, withFlaskConnection, type FlaskMessage } from "./helpers/flask-db.js";

const FLASK_ROWS: FlaskMessage[] = [
  { room: "lobby", sender: "ana", content: "hello from Flask", timestamp: "2024-05-06 07:08:09.123456" },
  { room: "garden", sender: "ben", content: "other room", timestamp: "2024-05-06 07:08:10.000001" },
  { room: "lobby", sender: "ben", content: "<i>still</i> text", timestamp: "2024-05-06 07:09:00.000000" },
  { room: "lobby", sender: "ana", content: "the day after", timestamp: "2024-05-07 00:00:00.999999" },
];

function flaskFixture(messages = FLASK_ROWS): string {
  const db = tempDatabase("chat_history.db");
  onTestFinished(db.remove);
  createFlaskDatabase(db.path, messages);
  return db.path;
}

describe("a chat_history.db written by the Flask app", () => {
  it("shows its rooms' history in the join answer, in the original's wire format", async () => {
    const app = await startTestApp({ databasePath: flaskFixture() });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    expect(alice.joinResult.history).toEqual([
      { id: 1, room: "lobby", sender: "ana", content: "hello from Flask", timestamp: "2024-05-06 07:08:09", sentAt: "2024-05-06T07:08:09.123Z" },
      { id: 3, room: "lobby", sender: "ben", content: "<i>still</i> text", timestamp: "2024-05-06 07:09:00", sentAt: "2024-05-06T07:09:00.000Z" },
      { id: 4, room: "lobby", sender: "ana", content: "the day after", timestamp: "2024-05-07 00:00:00", sentAt: "2024-05-07T00:00:00.999Z" },
    ]);
  });

  it("replays that history to the original's page (no ack) as message events, oldest first", async () => {
    const app = await startTestApp({ databasePath: flaskFixture() });
    onTestFinished(app.close);
    const legacy = await app.connect();
    const seen = collectUntil(legacy, "message", isNoticeWith("alice has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "alice", room: "lobby" });
    expect((await seen).map((m) => [m.content, "timestamp" in m ? m.timestamp : null])).toEqual([
      ["hello from Flask", "2024-05-06 07:08:09"],
      ["<i>still</i> text", "2024-05-06 07:09:00"],
      ["the day after", "2024-05-07 00:00:00"],
      ["alice has joined the chat.", null],
    ]);
  });

  it("shows rows with NULL columns (the original's columns are nullable) instead of failing the join", async () => {
    const path = flaskFixture([{ room: "lobby", sender: null, content: null, timestamp: null }]);
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    expect(alice.joinResult.history).toEqual([
      { id: 1, room: "lobby", sender: "", content: "", timestamp: "1970-01-01 00:00:00", sentAt: "1970-01-01T00:00:00.000Z" },
    ]);
  });

  it("marks a timestamp that is not a date and time (a date alone, fields out of range, none) with its stored text for the page, keeps the original's fields and payload as they were, and leaves the rows as stored", async () => {
    const odd: FlaskMessage[] = [
      { room: "lobby", sender: "ana", content: "a date alone", timestamp: "2024-05-06" },
      { room: "lobby", sender: "ana", content: "fields out of range", timestamp: "2024-13-45 99:99:99" },
      { room: "lobby", sender: "ana", content: "no date", timestamp: "yesterday" },
      { room: "lobby", sender: "ana", content: "none", timestamp: null },
      { room: "lobby", sender: "ana", content: "as written", timestamp: "2024-05-06 07:08:09.123456" },
    ];
    const path = flaskFixture(odd);
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice", { session: app.newSession() });
    expect(alice.joinResult.history.map((m) => [m.content, m.storedTimestamp])).toEqual([
      ["a date alone", "2024-05-06"],
      ["fields out of range", "2024-13-45 99:99:99"],
      ["no date", "yesterday"],
      ["none", ""],
      ["as written", undefined],
    ]);
    // The original's fields read as before (the epoch, the fields rolled over): its clients see no change.
    expect(alice.joinResult.history.map((m) => m.timestamp)).toEqual(["1970-01-01 00:00:00", "2025-02-18 04:40:39", "1970-01-01 00:00:00", "1970-01-01 00:00:00", "2024-05-06 07:08:09"]);
    const legacy = await app.connect();
    const seen = collectUntil(legacy, "message", isNoticeWith("bo has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "bo", room: "lobby" });
    for (const m of await seen) expect(m).not.toHaveProperty("storedTimestamp");
    await app.close();
    withFlaskConnection(path, (db) => expect(db.prepare("SELECT timestamp FROM chat_message ORDER BY id").all()).toEqual(odd.map((m) => ({ timestamp: m.timestamp }))));
  });

  it("migrates and shows, as they are, rows our validators would refuse: 200,000 characters, control characters, an empty name", async () => {
    // The original checked nothing: VARCHAR(500) and VARCHAR(50) are not enforced by SQLite.
    const odd: FlaskMessage[] = [
      { room: "lobby", sender: "", content: "from nobody", timestamp: "2024-05-06 07:08:09.000000" },
      { room: "lobby", sender: "n".repeat(5000), content: "c".repeat(200_000), timestamp: "2024-05-06 07:08:10.000000" },
      { room: "lobby", sender: "ctl\u0000\u0007\u202e", content: "a\u0000b\u001b<script>x</script>", timestamp: "2024-05-06 07:08:11.000000" },
    ];
    const path = flaskFixture(odd);
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    expect(alice.joinResult.history.map((m) => [m.sender, m.content])).toEqual(odd.map((m) => [m.sender, m.content]));
    await app.close();
    withFlaskConnection(path, (db) => expect(db.prepare("SELECT sender, content FROM chat_message ORDER BY id").all()).toEqual(odd.map((m) => ({ sender: m.sender, content: m.content }))));
  });

  it("is migrated in place: its rows and columns kept, the schema version recorded", async () => {
    const path = flaskFixture();
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    await app.close();
    withFlaskConnection(path, (db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
      const columns = (db.pragma("table_info(chat_message)") as { name: string; type: string }[]).map((c) => `${c.name} ${c.type}`);
      expect(columns.slice(0, 5)).toEqual(["id INTEGER", "chat_room VARCHAR(50)", "sender VARCHAR(50)", "content VARCHAR(500)", "timestamp DATETIME"]);
      const rows = db.prepare("SELECT chat_room, sender, content, timestamp FROM chat_message ORDER BY id").all();
      expect(rows).toEqual(FLASK_ROWS.map((m) => ({ chat_room: m.room, sender: m.sender, content: m.content, timestamp: m.timestamp })));
    });
  });

  it("is searchable: its old rows (indexed by migration 5) and what it inserts while the port runs (the triggers)", async () => {
    const path = flaskFixture();
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    withFlaskConnection(path, (db) => db.prepare(FLASK_INSERT).run("lobby", "ben", "inserted by Flask just now", "2024-05-08 10:00:00.000000"));
    const found = await alice.timeout(3000).emitWithAck("search_messages", { room: "lobby", q: "flask" });
    expect(found.ok && found.hits.map((h: SearchHit) => [h.message.id, h.message.content, h.highlights])).toEqual([
      [1, "hello from Flask", [[11, 16]]], // the shorter message ranks first
      [5, "inserted by Flask just now", [[12, 17]]],
    ]);
  });
});

describe("what the port writes, read back by the Flask app", () => {
  it("answers the original's query with the port's messages, in order, with SQLAlchemy-readable timestamps", async () => {
    const path = flaskFixture();
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    app.clock.advance(994); // 03:04:06.672
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "from the port" });
    app.clock.advance(327); // 03:04:06.999
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "just before the second" });
    app.clock.advance(1); // 03:04:07.000
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "on the second" });
    await app.close(); // the Flask app may be the next to open the file

    const rows = flaskHistory(path, "lobby");
    expect(rows.map((r) => [r.chat_message_id, r.chat_message_sender, r.chat_message_content, r.chat_message_timestamp])).toEqual([
      [1, "ana", "hello from Flask", "2024-05-06 07:08:09.123456"],
      [3, "ben", "<i>still</i> text", "2024-05-06 07:09:00.000000"],
      [4, "ana", "the day after", "2024-05-07 00:00:00.999999"],
      [5, "alice", "from the port", "2026-01-02 03:04:06.672000"],
      [6, "alice", "just before the second", "2026-01-02 03:04:06.999000"],
      [7, "alice", "on the second", "2026-01-02 03:04:07.000000"],
    ]);
    for (const row of rows) {
      const m = SQLALCHEMY_DATETIME.exec(row.chat_message_timestamp ?? "");
      expect(m, row.chat_message_timestamp ?? "null").not.toBeNull();
      expect(m?.[7]).toHaveLength(6); // microseconds present, so nothing is lost in SQLAlchemy's parse
    }
  });

  it("keeps the Flask app's SELECT to its five columns, and stores client_id as the UUID or NULL", async () => {
    const path = flaskFixture([]);
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    const clientId = crypto.randomUUID();
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "keyed", clientId });
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "plain" });
    await app.close();
    expect(Object.keys(flaskHistory(path, "lobby")[0] ?? {})).toEqual([
      "chat_message_id",
      "chat_message_chat_room",
      "chat_message_sender",
      "chat_message_content",
      "chat_message_timestamp",
    ]);
    withFlaskConnection(path, (db) => {
      expect(db.prepare("SELECT client_id FROM chat_message ORDER BY id").all()).toEqual([{ client_id: clientId }, { client_id: null }]);
    });
  });

  it("keeps the Flask app's INSERT working after the migrations, even while the port runs, and the port shows those rows", async () => {
    const path = flaskFixture([]);
    const app = await startTestApp({ databasePath: path });
    onTestFinished(app.close);
    const alice = await app.joined("lobby", "alice");
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "lobby", content: "port first" });

    withFlaskConnection(path, (db) => {
      db.prepare(FLASK_INSERT).run("lobby", "flask-user", "flask second", "2026-01-02 03:04:06.000000");
      db.prepare(FLASK_INSERT).run("lobby", "flask-user", "flask third", "2026-01-02 03:04:07.000000");
    });

    const bob = await app.joined("lobby", "bob");
    expect(bob.joinResult.history.map((m) => [m.sender, m.content, m.timestamp])).toEqual([
      ["alice", "port first", "2026-01-02 03:04:05"],
      ["flask-user", "flask second", "2026-01-02 03:04:06"],
      ["flask-user", "flask third", "2026-01-02 03:04:07"],
    ]);
    // A Flask row's id continues the sequence, so the port's keyset paging and since cursors see it in order.
    expect(bob.joinResult.history.map((m) => m.id)).toEqual([1, 2, 3]);
  });
});
