// Issue 19: the listen backlog (LISTEN_BACKLOG) is how many connections the kernel completes and queues for the
// server while its event loop is busy. With Node's default of 511, 10,000 clients coming back after a restart saw
// 100,000+ connection attempts dropped, each waiting a SYN retransmit. Shown from outside: the server is stopped
// (SIGSTOP: a loop that accepts nothing), and connections are made until the kernel stops completing them.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { tempDatabase } from "./helpers/app.js";
import { startChildServer } from "./helpers/child-server.js";

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

  it("by default the kernel queues far more than Node's own 511 (4096, or net.core.somaxconn if lower)", async () => {
    const port = await stoppedServer({});
    const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
    expect(await completedConnections(port, 700, 300)).toBe(Math.min(700, Math.min(4096, somaxconn) + 1));
  });
});
