import type Database from "better-sqlite3";

// The Flask app's table, to the letter. IF NOT EXISTS: a chat_history.db written by the Flask app is adopted as it is.
export const LEGACY_DDL = `CREATE TABLE IF NOT EXISTS chat_message (
  id INTEGER PRIMARY KEY,
  chat_room VARCHAR(50),
  sender VARCHAR(50),
  content VARCHAR(500),
  timestamp DATETIME
)`;

/** Append only; never edit a shipped one. Each keeps the file readable and writable by the Flask app. */
export const migrations: readonly { version: number; sql: string }[] = [
  { version: 1, sql: LEGACY_DDL },
  // Keyset paging of a room's history: join and fetch_history read a few index entries, whatever the room's size.
  { version: 2, sql: "CREATE INDEX IF NOT EXISTS ix_chat_message_room_id ON chat_message (chat_room, id)" },
  // Idempotent sends. Nullable, so the Flask app's INSERTs (which do not name it) still work.
  {
    version: 3,
    sql: `ALTER TABLE chat_message ADD COLUMN client_id TEXT;
          CREATE UNIQUE INDEX IF NOT EXISTS ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL;`,
  },
];

export const LATEST_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);

export function migrate(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (const m of migrations.filter((step) => step.version > current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma("user_version", { simple: true }) as number;
}
