// Schema changes are numbered migrations tracked by PRAGMA user_version: append-only, idempotent, transactional,
// and every step keeps the Flask app's INSERT and SELECT working.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { LATEST_VERSION, migrate, migrations } from "../src/storage/migrations.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { tempDatabase } from "./helpers/app.js";
import { createFlaskDatabase, FLASK_INSERT, FLASK_SELECT, withFlaskConnection } from "./helpers/flask-db.js";

// The migrations as shipped. Editing one of these breaks every database already at that version: add a new one.
const SHIPPED = [
  {
    version: 1,
    sql: "CREATE TABLE IF NOT EXISTS chat_message ( id INTEGER PRIMARY KEY, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME )",
  },
  { version: 2, sql: "CREATE INDEX IF NOT EXISTS ix_chat_message_room_id ON chat_message (chat_room, id)" },
  {
    version: 3,
    sql: "ALTER TABLE chat_message ADD COLUMN client_id TEXT; CREATE UNIQUE INDEX IF NOT EXISTS ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL;",
  },
];
const squash = (sql: string): string => sql.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim();

function tempFile(): string {
  const db = tempDatabase();
  onTestFinished(db.remove);
  return db.path;
}

function open(path: string): Database.Database {
  const db = new Database(path);
  onTestFinished(() => void db.close());
  return db;
}

/** The schema as SQLite stores it, for before/after comparisons. */
function schemaOf(db: Database.Database): { type: string; name: string; sql: string | null }[] {
  return db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all() as never;
}

/** Applies the migrations up to `version` by hand, as a database last opened by that release would be. */
function migrateTo(db: Database.Database, version: number): void {
  for (const m of migrations.filter((step) => step.version <= version)) {
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
  }
}

describe("the migration list", () => {
  it("is numbered 1, 2, 3... with LATEST_VERSION the last", () => {
    expect(migrations.map((m) => m.version)).toEqual(Array.from({ length: migrations.length }, (_, i) => i + 1));
    expect(LATEST_VERSION).toBe(migrations.length);
  });

  it("is append-only: the shipped migrations are unchanged", () => {
    expect(migrations.slice(0, SHIPPED.length).map((m) => ({ version: m.version, sql: squash(m.sql) }))).toEqual(
      SHIPPED.map((m) => ({ version: m.version, sql: squash(m.sql) })),
    );
  });
});

describe("migrate()", () => {
  it("builds the whole schema on an empty file", () => {
    const db = open(tempFile());
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    expect(schemaOf(db).map((o) => `${o.type} ${o.name}`)).toEqual([
      "index ix_chat_message_room_id",
      "index ux_chat_message_room_client",
      "table chat_message",
    ]);
  });

  it("is idempotent: a second run changes nothing", () => {
    const db = open(tempFile());
    migrate(db);
    const once = schemaOf(db);
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db)).toEqual(once);
  });

  it("adopts the Flask app's file (user_version 0) with its rows untouched", () => {
    const path = tempFile();
    createFlaskDatabase(path, [
      { room: "lobby", sender: "ana", content: "one", timestamp: "2024-01-01 10:00:00.000001" },
      { room: "lobby", sender: "ben", content: "two", timestamp: "2024-01-01 10:00:01.000002" },
    ]);
    const db = open(path);
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    const before = db.prepare("SELECT * FROM chat_message ORDER BY id").all();
    expect(migrate(db)).toBe(LATEST_VERSION);
    const after = db.prepare("SELECT id, chat_room, sender, content, timestamp FROM chat_message ORDER BY id").all();
    expect(after).toEqual(before);
    // The original DDL is kept as the Flask app wrote it (CREATE TABLE IF NOT EXISTS did not replace it).
    expect(schemaOf(db).find((o) => o.name === "chat_message")?.sql).toContain(
      "CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME",
    );
  });

  it("runs only the steps above the recorded version", () => {
    const db = open(tempFile());
    migrateTo(db, 2);
    db.exec("DROP INDEX ix_chat_message_room_id"); // were step 2 run again, it would come back
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db).map((o) => o.name)).not.toContain("ix_chat_message_room_id");
    expect(schemaOf(db).map((o) => o.name)).toContain("ux_chat_message_room_client");
  });

  it("rolls a failing step back whole and keeps the version before it", () => {
    const db = open(tempFile());
    migrateTo(db, 2);
    db.exec("ALTER TABLE chat_message ADD COLUMN client_id TEXT"); // makes step 3's ALTER fail
    expect(() => migrate(db)).toThrow(/duplicate column/);
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    expect(schemaOf(db).map((o) => o.name)).not.toContain("ux_chat_message_room_client");
  });

  it.each(Array.from({ length: LATEST_VERSION + 1 }, (_, v) => [v]))("keeps the Flask app's INSERT and SELECT working at version %i", (version) => {
    const path = tempFile();
    createFlaskDatabase(path, [{ room: "lobby", sender: "ana", content: "before", timestamp: "2024-01-01 10:00:00.000000" }]);
    withFlaskConnection(path, (db) => migrateTo(db, version));
    const rows = withFlaskConnection(path, (db) => {
      db.prepare(FLASK_INSERT).run("lobby", "ben", "after", "2024-01-01 10:00:01.000000");
      return db.prepare(FLASK_SELECT).all("lobby") as { chat_message_content: string }[];
    });
    expect(rows.map((r) => r.chat_message_content)).toEqual(["before", "after"]);
  });
});

describe("opening the repository", () => {
  it("migrates on open and opens an up-to-date file again without error", async () => {
    const path = tempFile();
    createFlaskDatabase(path, []);
    for (let i = 0; i < 2; i++) {
      const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
      await repo.append({ room: "lobby", sender: "ana", content: `open ${i}`, sentAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)) });
      await repo.close();
    }
    withFlaskConnection(path, (db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect((db.prepare(FLASK_SELECT).all("lobby") as { chat_message_content: string }[]).map((r) => r.chat_message_content)).toEqual(["open 0", "open 1"]);
    });
  });
});
