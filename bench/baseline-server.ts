// The baseline the app is measured against (issue 6): the thinnest Express + Socket.IO 4.8 server with
// the same events, one SQLite table (WAL, one prepared insert) and the newest 100 messages replayed on
// join. Nothing else: no validation beyond what keeps it from crashing, no names, no rate limits, no logs.
// It is self-contained (type-only imports) because bench/run.ts transpiles this one file and runs it
// with plain `node`, as the app runs: no tsx loader in the measured process.
import { createServer } from "node:http";
import Database from "better-sqlite3";
import express from "express";
import { Server } from "socket.io";
import type { ClientToServerEvents, JoinResult, SendResult, ServerToClientEvents, WireMessage } from "../src/protocol.js";
import type { InterServerEvents, SocketData } from "../src/server-events.js";

const HISTORY_LIMIT = 100;

interface Row {
  id: number;
  chat_room: string;
  sender: string;
  content: string;
  timestamp: string;
}

function main(): void {
  const port = Number(process.env.PORT ?? "0");
  const host = process.env.HOST ?? "127.0.0.1";
  const db = new Database(process.env.DATABASE_PATH ?? ":memory:");
  db.pragma("journal_mode = WAL");
  // FULL, as the app keeps it (acked messages survive power loss). better-sqlite3's build would
  // otherwise drop to NORMAL in WAL mode (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), no fsync per commit, and
  // the comparison would measure a durability choice rather than the server.
  // BASELINE_SYNCHRONOUS=NORMAL runs it that way, to see what durability costs.
  db.pragma(`synchronous = ${process.env.BASELINE_SYNCHRONOUS ?? "FULL"}`);
  // The legacy Flask table, so the same pre-filled database file serves both servers.
  db.exec(`CREATE TABLE IF NOT EXISTS chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50),
    sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME)`);
  // Without it "newest 100 of a room" scans the whole table; a baseline that cannot replay history
  // from a large table would flatter the app in workload 3.
  db.exec("CREATE INDEX IF NOT EXISTS ix_bench_room_id ON chat_message (chat_room, id)");
  const insert = db.prepare<[string, string, string, string]>(
    "INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)",
  );
  const newest = db.prepare<[string, number], Row>(
    "SELECT id, chat_room, sender, content, timestamp FROM chat_message WHERE chat_room = ? ORDER BY id DESC LIMIT ?",
  );

  const web = express();
  web.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  const http = createServer(web);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(http);

  io.on("connection", (socket) => {
    socket.on("join_chat", (payload, ack) => {
      const { username, room } = payload;
      void socket.join(room);
      const rows = newest.all(room, HISTORY_LIMIT + 1);
      const result: JoinResult = {
        room,
        username,
        history: rows.slice(0, HISTORY_LIMIT).reverse().map(toWire),
        hasMore: rows.length > HISTORY_LIMIT,
        hasMoreAfter: false,
        users: [], // no presence here: the baseline only relays notices
      };
      if (typeof ack === "function") ack({ ok: true, ...result });
      io.to(room).emit("message", { content: `${username} has joined the chat.`, kind: "joined", username, room });
    });

    socket.on("send_message", (payload, ack) => {
      const { username, room, content, clientId } = payload;
      const now = new Date();
      const { lastInsertRowid } = insert.run(room, username, content, storedTimestamp(now));
      const message: WireMessage = {
        id: Number(lastInsertRowid),
        room,
        sender: username,
        content,
        timestamp: storedTimestamp(now).slice(0, 19),
        sentAt: now.toISOString(),
        ...(clientId == null ? {} : { clientId }), // null means absent on the wire
      };
      const result: SendResult = { message };
      if (typeof ack === "function") ack({ ok: true, ...result });
      io.to(room).emit("message", message);
    });
  });

  http.listen(port, host);
  // Graceful exit so `node --cpu-prof` can write its profile when the runner stops us.
  process.once("SIGTERM", () => {
    void io.close(() => {
      db.close();
      process.exit(0);
    });
  });
}

function toWire(row: Row): WireMessage {
  return {
    id: row.id,
    room: row.chat_room,
    sender: row.sender,
    content: row.content,
    timestamp: row.timestamp.slice(0, 19),
    sentAt: `${row.timestamp.slice(0, 10)}T${row.timestamp.slice(11, 23)}Z`,
  };
}

/** The Flask app's stored format: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC. */
function storedTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23).replace("T", " ")}000`;
}

main();
