// The built server (dist/server.js) as a child process: for what only a real process shows (exit codes,
// signals, SIGKILL, another uid). `npm test` builds first (pretest); run `npm run build` before a single file.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { io as connectClient, type ManagerOptions, type SocketOptions } from "socket.io-client";
import type { ClientSocket } from "./app.js";
import { freePort } from "./free-port.js";

export const SERVER_ENTRY = fileURLToPath(new URL("../../dist/server.js", import.meta.url));

export interface ChildServerOptions {
  databasePath: string;
  /** Added to (or, with undefined, removed from) the defaults below. */
  env?: Record<string, string | undefined>;
  /** Run as this user and group (e.g. 65534, nobody): root ignores file permissions. */
  uid?: number;
  gid?: number;
  /** Working directory; default a fresh empty one, so no stray .env is read. */
  cwd?: string;
  /** Reuse a port (restart on the same address); default a free one. */
  port?: number;
  /** Run with at most this many file descriptors (prlimit, which execs node: the pid stays the server's). */
  maxDescriptors?: number;
}

export interface LogRecord {
  level?: string;
  event?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildServer {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  databasePath: string;
  /** Every stdout line that parsed as JSON (pino), in order. */
  logs: LogRecord[];
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolves with the first log line (already seen or still to come) that matches. */
  waitForLog(where: (line: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** SIGKILL if still running; resolves once the process is gone (its exit is in `exited`). */
  stop(): Promise<void>;
}

/** Spawns the server and returns at once (for start-up failures); see startChildServer to wait for it. */
export async function spawnChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build`);
  const port = opts.port ?? (await freePort());
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    NODE_ENV: "development",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_PATH: opts.databasePath,
    SECRET_KEY: "child-secret-key-0123456789abcdef",
    LOG_LEVEL: "info",
    // Joins refused while the event loop is late depend on the machine's load, not on what a test checks.
    JOIN_LOOP_BUSY_MS: "0",
    ...opts.env,
  };
  const env = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), "mr-child-cwd-"));
  const [command, args] =
    opts.maxDescriptors === undefined
      ? [process.execPath, [SERVER_ENTRY]]
      : ["prlimit", [`--nofile=${opts.maxDescriptors}:${opts.maxDescriptors}`, process.execPath, SERVER_ENTRY]];
  const proc = spawn(command, args, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  if (proc.pid === undefined) throw new Error("spawn failed");

  const logs: LogRecord[] = [];
  const watchers: { where: (l: LogRecord) => boolean; resolve: (l: LogRecord) => void }[] = [];
  let out = "";
  let err = "";
  let partial = "";
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const text of parts) {
      let line: LogRecord;
      try {
        line = JSON.parse(text) as LogRecord;
      } catch {
        continue;
      }
      logs.push(line);
      for (const w of [...watchers]) {
        if (w.where(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  if (opts.cwd === undefined) void exited.then(() => rmSync(cwd, { recursive: true, force: true }));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitForLog = (where: (line: LogRecord) => boolean, timeoutMs = 10_000): Promise<LogRecord> => {
    const seen = logs.find(where);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      const watcher = {
        where,
        resolve: (l: LogRecord) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      watchers.push(watcher);
      void exited.then((e) => {
        if (!watchers.includes(watcher)) return;
        watchers.splice(watchers.indexOf(watcher), 1);
        clearTimeout(timer);
        reject(new Error(`server exited (${e.code ?? e.signal}) before the log line came; stderr: ${err}`));
      });
    });
  };

  return {
    proc,
    pid: proc.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    databasePath: opts.databasePath,
    logs,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog,
    stop: async () => {
      if (!hasExited) proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Spawns the server and waits for its `"event":"listening"` line. */
export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const server = await spawnChildServer(opts);
  try {
    await server.waitForLog((l) => l.event === "listening", 20_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** A Socket.IO client for a server that is not startTestApp's: websocket only, no reconnection. */
export async function connectTo(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connectClient(url, { transports: ["websocket"], reconnection: false, forceNew: true, ...opts });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}
