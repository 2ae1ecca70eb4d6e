// Graceful drain on SIGTERM: stop accepting, answer in-flight sends, tell clients, checkpoint the WAL, exit 0 within 10 s.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, ErrorCode, SendResult, ShutdownEvent, WireMessage } from "../src/protocol.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { connectTo, startChildServer, type ChildServer } from "./helpers/child-server.js";
import { rawConnect } from "./helpers/raw-socket.js";
import { waitFor } from "./helpers/wait.js";

const ROOM = "general";
const DEADLINE_MS = 10_000;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-shutdown-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function joinAs(server: ChildServer, username: string): Promise<ClientSocket> {
  const socket = await connectTo(server.url);
  onTestFinished(() => void socket.disconnect());
  expect(await socket.timeout(5000).emitWithAck("join_chat", { room: ROOM, username })).toMatchObject({ ok: true });
  return socket;
}

function walIsEmptyOrGone(databasePath: string): boolean {
  const wal = `${databasePath}-wal`;
  return !existsSync(wal) || statSync(wal).size === 0;
}

type Outcome = ({ kind: "ok" } & Pick<WireMessage, "id" | "content">) | { kind: "error"; code: ErrorCode } | { kind: "unanswered"; reason: string };

describe("graceful close (what SIGTERM runs), in process", () => {
  it("answers sends still waiting on the database before closing connections, and refuses new ones with shutting_down", async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived = 0;
    let allArrived = (): void => undefined;
    const threeArrived = new Promise<void>((resolve) => (allArrived = resolve));
    const app = await startTestApp({
      wrapRepo: (repo) => ({
        append: async (m) => {
          if (++arrived === 3) allArrived();
          await gate; // the database is slow: the write is still in flight when shutdown starts
          return repo.append(m);
        },
        page: (room, q) => repo.page(room, q),
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const sends = [1, 2, 3].map((i) => alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: `slow ${i}` }));
    await threeArrived;

    const told = waitFor(alice, "server_shutdown");
    const disconnected = new Promise<string>((resolve) => alice.once("disconnect", resolve));
    const closed = app.app.close();
    await told;
    expect(await alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "too late" })).toMatchObject({
      ok: false,
      error: { code: "shutting_down" },
    });
    release();
    expect((await Promise.all(sends)).map((a) => a.ok)).toEqual([true, true, true]);
    await closed;
    expect(await disconnected).toBe("transport close");
  });
});

describe("SIGTERM", () => {
  it("answers every in-flight send, tells every client server_shutdown, checkpoints the WAL and exits 0 within 10 s", async () => {
    const dir = tempDir();
    const databasePath = join(dir, "chat.db");
    const server = await startChildServer({ databasePath, env: { RATE_SEND_PER_SEC: "0" } });
    onTestFinished(server.stop);
    const alice = await joinAs(server, "alice");
    const bob = await joinAs(server, "bob");
    const told = [waitFor(alice, "server_shutdown", undefined, DEADLINE_MS), waitFor(bob, "server_shutdown", undefined, DEADLINE_MS)];
    const bobGot = new Set<number>();
    bob.on("message", (m) => void ("id" in m && bobGot.add(m.id)));

    const N = 200;
    let signalledAt = 0;
    const outcomes = await new Promise<Outcome[]>((resolve) => {
      const all: Outcome[] = [];
      for (let i = 0; i < N; i++) {
        const content = `in flight ${i}`;
        alice.timeout(DEADLINE_MS).emit("send_message", { room: ROOM, username: "alice", content }, (err: Error | null, res: Ack<SendResult>) => {
          if (all.length === 0) {
            signalledAt = performance.now();
            server.proc.kill("SIGTERM"); // the other sends are in flight now
          }
          all.push(err ? { kind: "unanswered", reason: err.message } : res.ok ? { kind: "ok", id: res.message.id, content } : { kind: "error", code: res.error.code });
          if (all.length === N) resolve(all);
        });
      }
    });

    const exit = await server.exited;
    const tookMs = performance.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(DEADLINE_MS);
    expect(outcomes.filter((o) => o.kind === "unanswered"), "every send got an answer").toEqual([]);
    expect(outcomes.filter((o) => o.kind === "error" && o.code !== "shutting_down")).toEqual([]);
    const ok = outcomes.filter((o): o is Extract<Outcome, { kind: "ok" }> => o.kind === "ok");
    expect(ok.length).toBeGreaterThan(0);
    expect(await Promise.all(told)).toEqual([{ reconnectAfterMs: expect.any(Number) } satisfies ShutdownEvent, { reconnectAfterMs: expect.any(Number) }]);
    expect(server.logs.map((l) => l.event)).toEqual(expect.arrayContaining(["shutdown_started", "shutdown_complete"]));

    expect(walIsEmptyOrGone(databasePath), "WAL checkpointed into the database file").toBe(true);
    const db = new Database(databasePath, { readonly: true });
    const rows = db.prepare("SELECT id, content FROM chat_message WHERE sender = 'alice' ORDER BY id").all() as { id: number; content: string }[];
    db.close();
    const stored = new Map(rows.map((r) => [r.id, r.content]));
    for (const o of ok) expect(stored.get(o.id), `acked ${o.content}`).toBe(o.content);
    expect(rows).toHaveLength(ok.length); // and nothing answered shutting_down was stored
    for (const o of ok) expect(bobGot.has(o.id), `bob got ${o.content}`).toBe(true);
  });

  it("refuses new connections once draining", async () => {
    const dir = tempDir();
    const server = await startChildServer({ databasePath: join(dir, "chat.db") });
    onTestFinished(server.stop);
    const alice = await joinAs(server, "alice");
    const told = waitFor(alice, "server_shutdown");
    server.proc.kill("SIGTERM");
    await told;
    await expect(connectTo(server.url)).rejects.toThrow();
    expect((await server.exited).code).toBe(0);
  });

  it("still exits 0 within 10 s when a client has stopped reading", async () => {
    const dir = tempDir();
    const databasePath = join(dir, "chat.db");
    const server = await startChildServer({ databasePath, env: { RATE_SEND_PER_SEC: "0" } });
    onTestFinished(server.stop);
    const stuck = await rawConnect(server.url);
    onTestFinished(() => stuck.ws.terminate());
    expect(await stuck.call("join_chat", { room: ROOM, username: "stuck" })).toMatchObject({ ok: true });
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const alice = await joinAs(server, "alice");
    // Enough broadcast to fill the stuck client's socket buffers, so the server has data queued for it.
    const big = "x".repeat(500);
    await Promise.all(Array.from({ length: 400 }, () => alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: big })));

    const signalledAt = performance.now();
    server.proc.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalledAt).toBeLessThan(DEADLINE_MS);
    expect(walIsEmptyOrGone(databasePath), "the database was still closed cleanly").toBe(true);
  });
});
