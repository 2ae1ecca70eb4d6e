// Issue 19: the listen backlog (LISTEN_BACKLOG) is how many connections the kernel completes and queues for the
// server while its event loop is busy. With Node's default of 511, 10,000 clients coming back after a restart saw
// 100,000+ connection attempts dropped, each waiting a SYN retransmit. Shown from outside: the server is stopped
// (SIGSTOP: a loop that accepts nothing), and connections are made until the kernel stops completing them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { tempDatabase } from "./helpers/app.js";
import { startChildServer } from "./helpers/child-server.js";
import { backlogCap, readSomaxconn, SOMAXCONN_PATH } from "../src/http/listen-backlog.js";

/** How many of `n` TCP connections to the port complete within `timeoutMs` each (made one after another). */
async function completedConnections(port: number, n: number, timeoutMs: number): Promise<number> {
  const open: Socket[] = [];
  let completed = 0;
  try {
    for (let i = 0; i < n; i++) {
      const socket = connect({ host: "127.0.0.1", port });
      open.push(socket);
      const isConnected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        socket.once("connect", () => (clearTimeout(timer), resolve(true)));
        socket.once("error", () => (clearTimeout(timer), resolve(false)));
      });
      if (isConnected) completed++;
    }
  } finally {
    for (const s of open) s.destroy();
  }
  return completed;
}

async function stoppedServer(env: Record<string, string>): Promise<number> {
  const db = tempDatabase();
  onTestFinished(db.remove);
  const server = await startChildServer({ databasePath: db.path, env });
  onTestFinished(server.stop);
  server.proc.kill("SIGSTOP");
  onTestFinished(() => void server.proc.kill("SIGCONT"));
  return server.port;
}

describe("the listen backlog", () => {
  it("LISTEN_BACKLOG=32: a server that accepts nothing has the kernel complete 33 connections, no more", async () => {
    const port = await stoppedServer({ LISTEN_BACKLOG: "32" });
    expect(await completedConnections(port, 45, 300)).toBe(33);
  });

  it("by default the kernel queues far more than Node's own 511 (16384, or net.core.somaxconn if lower)", async () => {
    const port = await stoppedServer({});
    const somaxconn = Number(readFileSync(SOMAXCONN_PATH, "utf8"));
    expect(await completedConnections(port, 700, 300)).toBe(Math.min(700, Math.min(16384, somaxconn) + 1));
  });
});

// The kernel shortens listen()'s backlog to net.core.somaxconn without a word; the server says so at start, with
// the sysctl that lifts it, since a return's tail is made of the connections dropped beyond it.
describe("a backlog the kernel caps", () => {
  async function startLogs(backlog: number): Promise<{ event?: string; requested?: unknown; somaxconn?: unknown }[]> {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const server = await startChildServer({ databasePath: db.path, env: { LISTEN_BACKLOG: String(backlog) } });
    onTestFinished(server.stop);
    await server.waitForLog((l) => l.event === "listening");
    return server.logs;
  }

  it("LISTEN_BACKLOG above net.core.somaxconn: a warning at start names both and the sysctl", async () => {
    const somaxconn = readSomaxconn();
    expect(somaxconn).not.toBeNull();
    expect(somaxconn).toBeLessThan(65535); // LISTEN_BACKLOG's own maximum, so one above it can be asked for
    const logs = await startLogs((somaxconn as number) + 1);
    const warning = logs.find((l) => l.event === "listen_backlog_capped");
    expect(warning).toMatchObject({ level: "warn", requested: (somaxconn as number) + 1, somaxconn });
    expect(String((warning as { hint?: unknown }).hint)).toContain(`sysctl -w net.core.somaxconn=${(somaxconn as number) + 1}`);
  });

  it("LISTEN_BACKLOG at net.core.somaxconn: no warning", async () => {
    const logs = await startLogs(readSomaxconn() as number);
    expect(logs.some((l) => l.event === "listening")).toBe(true);
    expect(logs.some((l) => l.event === "listen_backlog_capped")).toBe(false);
  });

  it("reads the cap from the file, and nothing where there is no such file or it holds no number", () => {
    const dir = mkdtempSync(join(tmpdir(), "somaxconn-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "somaxconn");
    writeFileSync(file, "4096\n");
    expect(readSomaxconn(file)).toBe(4096);
    writeFileSync(file, "lots\n");
    expect(readSomaxconn(file)).toBeNull();
    expect(readSomaxconn(join(dir, "missing"))).toBeNull();
  });

  it("caps only a backlog above the kernel's, and not when the kernel's is unknown", () => {
    expect(backlogCap(16384, 4096)).toEqual({ requested: 16384, somaxconn: 4096 });
    expect(backlogCap(4096, 4096)).toBeNull();
    expect(backlogCap(512, 4096)).toBeNull();
    expect(backlogCap(16384, null)).toBeNull();
  });
});
