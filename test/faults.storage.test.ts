// When the database cannot be written, sends answer storage_unavailable, nothing is broadcast, the
// server stays up, /healthz answers 503, and service comes back by itself once the database can be written.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import type { Ack, MessageEvent, SendResult } from "../src/protocol.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { connectTo, startChildServer, type ChildServer } from "./helpers/child-server.js";
import { legacyEmit } from "./helpers/emit.js";
import { faultyRepo, type FaultyRepo } from "./helpers/faulty-repo.js";
import { collect, waitFor } from "./helpers/wait.js";

const ROOM = "general";
const NOBODY = 65534;

function send(socket: ClientSocket, content: string, username = "alice"): Promise<Ack<SendResult>> {
  return socket.timeout(5000).emitWithAck("send_message", { room: ROOM, username, content });
}

const codeOf = (a: Ack<object>): string => (a.ok ? "ok" : a.error.code);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-faults-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Sends a message from `sender` and waits until `observer` has it; returns the chat messages the observer
 * got before it. Had a refused send been broadcast, it would be among them.
 */
async function broadcastBefore(sender: ClientSocket, observer: ClientSocket, seen: MessageEvent[], content: string, username = "alice"): Promise<string[]> {
  const arrived = waitFor(observer, "message", (m) => m.content === content);
  expect(await send(sender, content, username)).toMatchObject({ ok: true });
  await arrived;
  const earlier = seen.slice(0, seen.findIndex((m) => m.content === content));
  seen.length = 0;
  return earlier.filter((m) => "id" in m).map((m) => m.content);
}

async function twoInRoom(app: TestApp): Promise<{ alice: ClientSocket; bob: ClientSocket; seen: MessageEvent[] }> {
  const alice = await app.joined(ROOM, "alice");
  const bob = await app.joined(ROOM, "bob");
  return { alice, bob, seen: collect(bob, "message") };
}

const healthz = (app: TestApp) => request(app.app.http).get("/healthz");

describe("a repository that fails on demand", () => {
  it("answers storage_unavailable, broadcasts nothing, stays up with /healthz 503, and resumes", async () => {
    let repo: FaultyRepo | undefined;
    const app = await startTestApp({ wrapRepo: (inner) => (repo = faultyRepo(inner)) });
    onTestFinished(app.close);
    const faulty = repo as FaultyRepo;
    const { alice, bob, seen } = await twoInRoom(app);
    await healthz(app).expect(200, { status: "ok" });

    faulty.isFailing = true;
    expect(await send(alice, "lost 1")).toEqual({ ok: false, error: { code: "storage_unavailable", message: expect.any(String) } });
    const legacyError = waitFor(alice, "chat_error");
    legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: "lost 2" });
    expect(await legacyError).toMatchObject({ code: "storage_unavailable", event: "send_message" });
    await healthz(app).expect(503, { status: "unavailable" });
    expect((await request(app.app.http).get("/").expect(200)).text).toContain("<"); // the rest of the server is up

    faulty.isFailing = false;
    await healthz(app).expect(200);
    expect(await broadcastBefore(alice, bob, seen, "back")).toEqual([]);
    expect((await app.repo.page(ROOM, { limit: 10 })).messages.map((m) => m.content)).toEqual(["back"]);
  });

  it("refuses a join it cannot read history for, without holding the name", async () => {
    let repo: FaultyRepo | undefined;
    const app = await startTestApp({ wrapRepo: (inner) => (repo = faultyRepo(inner)) });
    onTestFinished(app.close);
    const faulty = repo as FaultyRepo;
    const watcher = await app.joined(ROOM, "watcher");
    const notices = collect(watcher, "message");
    const alice = await app.connect();

    faulty.isFailing = true;
    expect(codeOf(await alice.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "alice" }))).toBe("storage_unavailable");
    expect(await app.app.presence.users(ROOM)).toEqual(["watcher"]);
    faulty.isFailing = false;
    expect(codeOf(await alice.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "alice" }))).toBe("ok");
    await waitFor(watcher, "message", (m) => m.content === "alice has joined the chat.");
    expect(notices.map((m) => m.content)).toEqual(["alice has joined the chat."]); // one arrival, not a failed one too
  });
});

describe("real SQLite faults", () => {
  it("SQLITE_BUSY past DB_WRITE_RETRY_MS (another process holds the write lock): storage_unavailable, then resumes", async () => {
    const app = await startTestApp({ env: { DB_BUSY_TIMEOUT_MS: "5", DB_WRITE_RETRY_MS: "100" } });
    onTestFinished(app.close);
    const { alice, bob, seen } = await twoInRoom(app);
    const locker = new Database(app.databasePath);
    onTestFinished(() => void locker.close());

    locker.exec("BEGIN EXCLUSIVE");
    expect(codeOf(await send(alice, "busy 1"))).toBe("storage_unavailable");
    expect(codeOf(await send(alice, "busy 2"))).toBe("storage_unavailable");
    await healthz(app).expect(503);
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "error", event: "db_write_failed", code: "SQLITE_BUSY" }));
    // Reading still works while another connection writes (WAL).
    expect(codeOf(await bob.timeout(3000).emitWithAck("fetch_history", { room: ROOM }))).toBe("ok");

    locker.exec("COMMIT");
    expect(await broadcastBefore(alice, bob, seen, "free again")).toEqual([]);
    await healthz(app).expect(200);
    expect((await app.repo.page(ROOM, { limit: 10 })).messages.map((m) => m.content)).toEqual(["free again"]);
  });

  it("a deleted database file: storage_unavailable until a file is back, and no fresh empty database in its place", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { alice, bob, seen } = await twoInRoom(app);
    expect(await broadcastBefore(alice, bob, seen, "before")).toEqual([]);
    const [first] = (await app.repo.page(ROOM, { limit: 1 })).messages;
    const backup = join(app.databasePath, "..", "backup.db");
    const reader = new Database(app.databasePath, { readonly: true });
    await reader.backup(backup);
    reader.close();

    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${app.databasePath}${suffix}`, { force: true });
    for (let i = 0; i < 3; i++) expect(codeOf(await send(alice, `into the void ${i}`))).toBe("storage_unavailable");
    await healthz(app).expect(503);
    await healthz(app).expect(503);
    expect(existsSync(app.databasePath)).toBe(false); // not silently recreated empty (ids would restart at 1)

    copyFileSync(backup, app.databasePath);
    expect(await broadcastBefore(alice, bob, seen, "after")).toEqual([]);
    await healthz(app).expect(200);
    const rows = (await app.repo.page(ROOM, { limit: 10 })).messages;
    expect(rows.map((m) => m.content)).toEqual(["before", "after"]);
    expect(rows[1]?.id).toBeGreaterThan(first?.id ?? Infinity);
  });
});

/**
 * nobody must be able to reach dist/ and node_modules/. A checkout under a private folder (mktemp -d makes
 * 0700 ones) would stop it at the door: lend "search" (o+x, not read) on each such ancestor for this test.
 */
function letNobodyReachTheCheckout(): void {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      onTestFinished(() => chmodSync(dir, mode));
    }
    if (dirname(dir) === dir) break;
  }
}

/** A database with one message in it, owned by nobody, in a directory only nobody can enter. */
async function nobodysDatabase(): Promise<string> {
  const dir = tempDir();
  chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  const path = join(dir, "chat.db");
  const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
  await repo.append({ room: ROOM, sender: "seed", content: "written before", sentAt: new Date() });
  await repo.close();
  for (const name of readdirSync(dir)) chownSync(join(dir, name), NOBODY, NOBODY);
  return path;
}

async function joinChild(server: ChildServer, username: string): Promise<ClientSocket> {
  const socket = await connectTo(server.url);
  onTestFinished(() => void socket.disconnect());
  expect(await socket.timeout(5000).emitWithAck("join_chat", { room: ROOM, username })).toMatchObject({ ok: true });
  return socket;
}

const childHealth = async (server: ChildServer): Promise<number> => (await fetch(`${server.url}/healthz`)).status;

const canSwitchUser = process.getuid?.() === 0;
const hasPrlimit = spawnSync("prlimit", ["--version"]).status === 0;

describe("real file-system faults (the server as a child process)", () => {
  // Root ignores file permissions, so the server runs as nobody.
  it.skipIf(!canSwitchUser)("a read-only database file: reads work, sends answer storage_unavailable, and resume once it is writable", async () => {
    const path = await nobodysDatabase();
    chmodSync(path, 0o444);
    letNobodyReachTheCheckout();
    const server = await startChildServer({ databasePath: path, uid: NOBODY, gid: NOBODY, cwd: join(path, "..") });
    onTestFinished(server.stop);
    const alice = await joinChild(server, "alice");
    const bob = await joinChild(server, "bob");
    const seen = collect(bob, "message");
    expect(await childHealth(server), "unhealthy before anyone tried to write").toBe(503);

    expect(codeOf(await send(alice, "read-only 1"))).toBe("storage_unavailable");
    expect(codeOf(await send(alice, "read-only 2"))).toBe("storage_unavailable");
    expect(await childHealth(server)).toBe(503);
    expect(server.logs).toContainEqual(expect.objectContaining({ level: "error", event: "db_write_failed" }));

    // SQLite made the -wal and -shm it needed with the database file's read-only mode: all three go back.
    for (const name of readdirSync(join(path, ".."))) if (name.startsWith("chat.db")) chmodSync(join(path, "..", name), 0o644);
    expect(await broadcastBefore(alice, bob, seen, "writable again")).toEqual([]);
    expect(await childHealth(server)).toBe(200);
    const history = await alice.timeout(5000).emitWithAck("fetch_history", { room: ROOM });
    expect(history.ok && history.messages.map((m: { content: string }) => m.content)).toEqual(["written before", "writable again"]);
  });

  // A full disk, as the process sees it: RLIMIT_FSIZE makes every write past the limit fail (EFBIG; Node ignores SIGXFSZ).
  it.skipIf(!hasPrlimit)("a full disk (file-size limit): storage_unavailable, /healthz 503, and resumes when space is back", async () => {
    const dir = tempDir();
    const server = await startChildServer({ databasePath: join(dir, "chat.db") });
    onTestFinished(server.stop);
    const alice = await joinChild(server, "alice");
    const bob = await joinChild(server, "bob");
    const seen = collect(bob, "message");
    expect(await broadcastBefore(alice, bob, seen, "fits")).toEqual([]);

    execFileSync("prlimit", ["--pid", String(server.pid), "--fsize=1:unlimited"]);
    expect(codeOf(await send(alice, "no space 1"))).toBe("storage_unavailable");
    expect(codeOf(await send(alice, "no space 2"))).toBe("storage_unavailable");
    expect(await childHealth(server)).toBe(503);

    execFileSync("prlimit", ["--pid", String(server.pid), "--fsize=unlimited:unlimited"]);
    expect(await broadcastBefore(alice, bob, seen, "space again")).toEqual([]);
    expect(await childHealth(server)).toBe(200);
    const history = await alice.timeout(5000).emitWithAck("fetch_history", { room: ROOM });
    expect(history.ok && history.messages.map((m: { content: string }) => m.content)).toEqual(["fits", "space again"]);
    expect(server.logs.filter((l) => l.level === "error").map((l) => l.event)).toEqual(["db_write_failed"]);
  });
});
