// `node dist/server.js | log-shipper`, and the shipper died: every later write to stdout fails with EPIPE. The drain
// must still end the process by its deadline with its usual exit code, and what was acknowledged as stored must be
// in the database. pino's buffered stdout (sonic-boom) wrote its unwritten lines at exit and retried every error
// but EAGAIN forever, so a line logged just before exit (shutdown_complete, shutdown_timed_out) kept the process
// alive for good (src/stdout-lines.ts). The fixture holds the drain open, so the pipe closes while it is under way.
// `npm test` builds first; run `npm run build` before this file alone.
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectTo, startChildServer, type ChildServer, type Exit } from "./helpers/child-server.js";
import { tempDatabase } from "./helpers/app.js";

const CLOSE_ON_SIGUSR2 = fileURLToPath(new URL("./fixtures/close-on-sigusr2.mjs", import.meta.url));
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The exit, or "still running" well past the shutdown deadline (a margin for a loaded machine). */
function exitWithin(server: ChildServer, ms: number): Promise<Exit | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
  return Promise.race([server.exited, late]).finally(() => clearTimeout(timer));
}

/** A server (with `fixture` preloaded) that has acknowledged one message as stored; its one client has left. */
async function serverWithAStoredMessage(fixture: string): Promise<{ server: ChildServer; path: string }> {
  const db = tempDatabase();
  onTestFinished(db.remove);
  const server = await startChildServer({ databasePath: db.path, env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), NODE_OPTIONS: `--import=${fixture}` } });
  onTestFinished(server.stop);
  const alice = await connectTo(server.url);
  onTestFinished(() => void alice.disconnect());
  expect(await alice.timeout(5000).emitWithAck("join_chat", { room: "general", username: "alice" })).toMatchObject({ ok: true });
  expect(await alice.timeout(5000).emitWithAck("send_message", { room: "general", username: "alice", content: "stored before the reader died" })).toMatchObject({ ok: true });
  return { server, path: db.path };
}

/** The drain has begun (its first line was read); then the pipe's only read end closes: writes now fail with EPIPE. */
async function readerDiesDuringDrain(server: ChildServer, signal: NodeJS.Signals): Promise<void> {
  server.proc.kill(signal);
  await server.waitForLog((l) => l.event === "shutdown_started");
  server.proc.stdout?.destroy();
}

function storedContents(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT content FROM chat_message ORDER BY id").all();
  } finally {
    db.close();
  }
}

describe("the log's reader dies during the drain", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)("%s: the drain ends and the process exits 0, the acknowledged message stored", async (signal) => {
    const { server, path } = await serverWithAStoredMessage(CLOSE_ON_SIGUSR2);
    await readerDiesDuringDrain(server, signal);

    server.proc.kill("SIGUSR2"); // the database closes; two lines are logged and the process exits, in one turn
    expect(await exitWithin(server, SHUTDOWN_TIMEOUT_MS + 2000)).toEqual({ code: 0, signal: null });
    expect(storedContents(path)).toEqual([{ content: "stored before the reader died" }]);
  });
});
