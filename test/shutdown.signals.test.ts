// Signals beyond the first SIGTERM (src/server.ts): SIGHUP (a closed terminal) drains as SIGTERM does; a second
// SIGINT/SIGTERM during the drain exits 1 at once, unless it is the same request delivered twice; and what the
// SQLite store has queued is committed before such an exit.
// `npm test` builds first; run `npm run build` before this file alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { createCapturingLogger } from "../src/log.js";
import { connectTo, startChildServer, type ChildServer } from "./helpers/child-server.js";
import { waitFor } from "./helpers/wait.js";

const STUCK_CLOSE = fileURLToPath(new URL("./fixtures/stuck-close.mjs", import.meta.url));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-signals-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A server whose graceful close never finishes (test/fixtures/stuck-close.mjs): its drain lasts until a deadline or a signal ends it. */
async function stuckServer(env: Record<string, string>): Promise<ChildServer> {
  const server = await startChildServer({ databasePath: join(tempDir(), "chat.db"), env: { NODE_OPTIONS: `--import=${STUCK_CLOSE}`, ...env } });
  onTestFinished(server.stop);
  return server;
}

const events = (server: ChildServer): string[] => server.logs.map((l) => l.event ?? "");

describe("SIGHUP", () => {
  it("drains as SIGTERM does: clients are told server_shutdown and the process exits 0", async () => {
    const server = await startChildServer({ databasePath: join(tempDir(), "chat.db") });
    onTestFinished(server.stop);
    const alice = await connectTo(server.url);
    onTestFinished(() => void alice.disconnect());
    expect(await alice.timeout(5000).emitWithAck("join_chat", { room: "general", username: "alice" })).toMatchObject({ ok: true });
    const told = waitFor(alice, "server_shutdown");

    server.proc.kill("SIGHUP");
    await told;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.logs).toContainEqual(expect.objectContaining({ event: "shutdown_started", signal: "SIGHUP" }));
    expect(events(server)).toContain("shutdown_complete");
  });

  it("a second SIGHUP does not cut the drain short (a closing terminal may send two): the deadline still ends it", async () => {
    const server = await stuckServer({ SHUTDOWN_TIMEOUT_MS: "1000", SHUTDOWN_REPEAT_IGNORE_MS: "0" });
    server.proc.kill("SIGHUP");
    await server.waitForLog((l) => l.event === "shutdown_started");
    server.proc.kill("SIGHUP");
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(events(server)).toContain("shutdown_timed_out");
    expect(events(server)).not.toContain("shutdown_cut_short");
  });
});

describe("a second signal during the drain", () => {
  it.each([
    ["SIGTERM", "SIGINT"],
    ["SIGINT", "SIGTERM"],
    ["SIGHUP", "SIGINT"],
  ] as const)("%s then %s: exits 1 at once with one shutdown_cut_short line, long before SHUTDOWN_TIMEOUT_MS", async (first, second) => {
    const server = await stuckServer({ SHUTDOWN_TIMEOUT_MS: "600000", SHUTDOWN_REPEAT_IGNORE_MS: "0" });
    server.proc.kill(first);
    await server.waitForLog((l) => l.event === "shutdown_started");
    server.proc.kill(second);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.logs.filter((l) => l.event === "shutdown_cut_short")).toEqual([expect.objectContaining({ level: "error", signal: second })]);
    expect(events(server)).not.toContain("shutdown_timed_out");
  });

  it("within SHUTDOWN_REPEAT_IGNORE_MS of the first is the same request (npm start passes on Ctrl-C): the drain goes on", async () => {
    const server = await startChildServer({ databasePath: join(tempDir(), "chat.db"), env: { SHUTDOWN_REPEAT_IGNORE_MS: "60000" } });
    onTestFinished(server.stop);
    server.proc.kill("SIGINT");
    await server.waitForLog((l) => l.event === "shutdown_started");
    server.proc.kill("SIGINT");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(events(server)).toContain("shutdown_complete");
    expect(events(server)).not.toContain("shutdown_cut_short");
  });
});

describe("before a cut-short exit, the SQLite store", () => {
  it("commits the appends queued for its next batch before commitQueuedNow returns", async () => {
    const path = join(tempDir(), "chat.db");
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    const appends = ["one", "two", "three"].map((content) => repo.append({ room: "general", sender: "ana", content, sentAt: new Date(0) }));

    repo.commitQueuedNow(); // no await: the process exits right after this
    const other = new Database(path, { readonly: true });
    const rows = other.prepare("SELECT content FROM chat_message ORDER BY id").all();
    other.close();
    expect(rows).toEqual([{ content: "one" }, { content: "two" }, { content: "three" }]);
    expect((await Promise.all(appends)).map((r) => r.message.content)).toEqual(["one", "two", "three"]);
  });
});
