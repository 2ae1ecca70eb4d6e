// Pre-fills a database for workloads 3 and 6 directly, not through the socket: a million sends would
// take minutes and measure the send path again. The file has only the legacy Flask table, as an
// upgraded install would; each server then adds its columns and indexes when it first opens it.
import Database from "better-sqlite3";

export interface FillRoom {
  room: string;
  messages: number;
}

export interface FillResult {
  rows: number;
  fillMs: number;
}

const LEGACY_DDL = `CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50),
  sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME)`;
const FIRST_TIMESTAMP_MS = Date.UTC(2024, 0, 1);
const SENDERS_PER_ROOM = 50;

export function fillDatabase(path: string, rooms: readonly FillRoom[]): FillResult {
  const started = performance.now();
  const db = new Database(path);
  // A throwaway fixture: no journal and no fsync make a million rows take seconds, not minutes.
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.exec(LEGACY_DDL);
  const insert = db.prepare<[string, string, string, string]>(
    "INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)",
  );
  const total = rooms.reduce((sum, r) => sum + r.messages, 0);
  const order = interleave(rooms, total);
  db.transaction(() => {
    const written = rooms.map(() => 0);
    for (let i = 0; i < total; i++) {
      const r = order[i] ?? 0;
      const room = rooms[r]?.room ?? "";
      const k = written[r] ?? 0;
      written[r] = k + 1;
      insert.run(room, `user${k % SENDERS_PER_ROOM}`, `fill ${room} #${k}: lorem ipsum dolor sit amet, consectetur adipiscing elit`, legacyTimestamp(FIRST_TIMESTAMP_MS + i * 1000));
    }
  })();
  // Back to the Flask default so each server meets the file as an old install would leave it.
  db.pragma("journal_mode = DELETE");
  db.close();
  return { rows: total, fillMs: performance.now() - started };
}

/**
 * Spreads each room's rows evenly over the table instead of one room after another, so a small
 * room's newest 100 sit among a large room's rows, as in a real database: without an index on
 * the room, finding them means scanning.
 */
function interleave(rooms: readonly FillRoom[], total: number): Uint8Array {
  const order = new Uint8Array(total);
  const written = rooms.map(() => 0);
  for (let i = 0; i < total; i++) {
    let best = 0;
    let bestLag = -Infinity;
    rooms.forEach((room, r) => {
      const lag = (room.messages * (i + 1)) / total - (written[r] ?? 0);
      if (lag > bestLag) [best, bestLag] = [r, lag];
    });
    order[i] = best;
    written[best] = (written[best] ?? 0) + 1;
  }
  return order;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC: what the Flask app stored. */
function legacyTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23).replace("T", " ")}000`;
}
