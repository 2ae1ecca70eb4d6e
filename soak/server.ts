// The server under soak: dist/server.js as a child process on a free loopback port, with a temporary
// database and the per-connection and per-IP limits switched off through their variables (every client
// of the soak shares 127.0.0.1). Its log is read line by line; its RSS comes from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/free-port.js";

export const SERVER_ENTRY = fileURLToPath(new URL("../dist/server.js", import.meta.url));

/**
 * V8 starts the young generation small and grows it once, in one ~15 MB step, when the allocation rate
 * calls for it; at 100 clients that step can come 15 s in, after any short warm-up, and would read as
 * growth. Starting it at 16 MB per semi-space (V8's own maximum on 64-bit) removes that one-time step and
 * nothing else: what a leak grows (old space, native memory) is still measured.
 */
const SERVER_NODE_FLAGS = ["--min-semi-space-size=16"];

const RELAXED_LIMITS: Readonly<Record<string, string>> = {
  RATE_SEND_PER_SEC: "0",
  RATE_JOIN_PER_SEC: "0",
  RATE_HISTORY_PER_SEC: "0",
  RATE_TYPING_PER_SEC: "0",
  RATE_LIMIT_DISCONNECT_AFTER: "0",
  MAX_CONNECTIONS_PER_IP: "0",
  HANDSHAKES_PER_MINUTE_PER_IP: "0",
};

export interface LogCounts {
  lines: number;
  byLevel: Record<string, number>;
  /** Error lines (and lines that are not JSON), kept for the failure report. */
  bad: string[];
}

export interface SoakServer {
  url: string;
  pid: number;
  log: LogCounts;
  /** Resident set size now, in bytes (Linux /proc). */
  rssBytes(): number;
  /** SIGTERM, then the exit code (null: killed after the deadline). */
  stop(deadlineMs: number): Promise<number | null>;
  hasExited(): boolean;
}

export async function startSoakServer(databasePath: string, cwd: string): Promise<SoakServer> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_PATH: databasePath,
    SECRET_KEY: randomBytes(32).toString("hex"),
    LOG_LEVEL: "info",
    ...RELAXED_LIMITS,
  };
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error("could not start the server");
  const log: LogCounts = { lines: 0, byLevel: {}, bad: [] };
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => ((exited = true), resolve(code))));
  const listening = watchLog(child, log);
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => log.bad.push(`stderr: ${chunk.trim()}`));

  await Promise.race([
    listening,
    exit.then((code) => {
      throw new Error(`server exited with ${code} before listening: ${log.bad.join("\n")}`);
    }),
  ]);
  const pid = child.pid;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    log,
    rssBytes: () => readRss(pid),
    hasExited: () => exited,
    async stop(deadlineMs) {
      if (exited) return exit;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Counts lines by level; resolves at the "listening" line. */
function watchLog(child: ChildProcess, log: LogCounts): Promise<void> {
  return new Promise((resolve) => {
    let partial = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) {
        if (text === "") continue;
        log.lines++;
        let line: { level?: string; event?: string };
        try {
          line = JSON.parse(text) as { level?: string; event?: string };
        } catch {
          log.bad.push(`not JSON: ${text.slice(0, 300)}`);
          continue;
        }
        const level = line.level ?? "none";
        log.byLevel[level] = (log.byLevel[level] ?? 0) + 1;
        if (level === "error" || level === "fatal") log.bad.push(text.slice(0, 500));
        if (line.event === "listening") resolve();
      }
    });
  });
}

function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}
