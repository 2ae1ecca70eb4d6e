// Starts one server under test (the app or the baseline) as a child process on a free loopback port,
// waits for its first 200 from /healthz, and stops it. Spawned straight as `node <file>` (no npm or
// shell between), so the child's pid is the server's and /proc figures are its own.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../test/helpers/free-port.js";

export type TargetName = "app" | "baseline";

export interface ServerSpec {
  target: TargetName;
  /** The JavaScript entry: dist/server.js, or the transpiled baseline. */
  entry: string;
  databasePath: string;
  /** When set, the server runs under `node --cpu-prof` and writes its profile here on exit. */
  profileDir?: string;
  /** Profile file name, so each workload's profile is found by name. */
  profileName?: string;
  /** Variables set last, over the defaults below (e.g. a longer HISTORY_LIMIT for the page bench). */
  extraEnv?: Readonly<Record<string, string>>;
  /** More `node` options (e.g. --heapsnapshot-signal for bench/heap-per-connection.ts). */
  nodeArgs?: readonly string[];
  /** False keeps the server's own rate limits (RELAXED_LIMITS_ENV is not applied); default true. */
  relaxLimits?: boolean;
  /** Listen on this port (a restart on the same address, as a supervisor does); default a free one. */
  port?: number;
  /** Told the pid as soon as the process exists, before it answers /healthz: the restart storm reads its CPU from spawn on. */
  onSpawned?: (pid: number) => void;
}

export interface RunningServer {
  target: TargetName;
  pid: number;
  url: string;
  /** From spawn to the first 200 from /healthz. */
  startupMs: number;
  /** The child's last output lines (LOG_LEVEL=warn: warnings and errors only). */
  outputTail(): string[];
  /** Resolves with the next output line that starts with `prefix` (e.g. gc-on-signal.cjs's); register before causing it. */
  nextOutput(prefix: string): Promise<string>;
  stop(): Promise<void>;
  /** Sends `signal` (SIGTERM: the graceful shutdown; SIGKILL: a crash) and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 120_000;
const HEALTH_POLL_MS = 5;
const STOP_TIMEOUT_MS = 10_000;
/** Last lines of the child's output, shown when it fails to start or dies. */
const OUTPUT_TAIL_LINES = 40;

/**
 * The load comes from one address (127.0.0.1), so every per-IP cap and rate limit is switched off
 * through its documented variable (0 = off); otherwise the bench would measure the limiter. The
 * *_BURST variables stay at their defaults: they must be at least 1, and mean nothing with the rate off.
 */
export const RELAXED_LIMITS_ENV: Readonly<Record<string, string>> = {
  RATE_SEND_PER_SEC: "0",
  RATE_JOIN_PER_SEC: "0",
  RATE_HISTORY_PER_SEC: "0",
  RATE_TYPING_PER_SEC: "0",
  MAX_CONNECTIONS_PER_IP: "0",
  HANDSHAKES_PER_MINUTE_PER_IP: "0",
  RATE_LIMIT_DISCONNECT_AFTER: "0",
};

/**
 * Issue 20 compares the two servers with every feature and limit of the app on. The main bench's workloads (but 4,
 * which keeps the defaults) therefore start the app with its own limits (relaxLimits: false) and these ceilings out
 * of reach: each send, join and handshake pays for its checks, per connection, per session and per address, and
 * none is refused although all the load comes from 127.0.0.1. 1,000,000 is the largest value each variable takes.
 */
export const LIMITS_OUT_OF_REACH_ENV: Readonly<Record<string, string>> = {
  ...Object.fromEntries(["SEND", "JOIN", "HISTORY", "TYPING"].flatMap((kind) => [[`RATE_${kind}_PER_SEC`, "1000000"], [`RATE_${kind}_BURST`, "1000000"]])),
  MAX_CONNECTIONS_PER_IP: "1000000",
  HANDSHAKES_PER_MINUTE_PER_IP: "1000000",
};

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = spec.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = [
    ...(spec.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${spec.profileDir}`, `--cpu-prof-name=${spec.profileName ?? `${spec.target}.cpuprofile`}`] : []),
    ...(spec.nodeArgs ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_PATH: spec.databasePath,
    HISTORY_LIMIT: "100",
    LOG_LEVEL: "warn",
    SECRET_KEY: randomBytes(32).toString("hex"),
    ...(spec.relaxLimits === false ? {} : RELAXED_LIMITS_ENV),
    // An experiment knob for the baseline only (see baseline-server.ts); the app ignores it.
    ...(process.env.BASELINE_SYNCHRONOUS ? { BASELINE_SYNCHRONOUS: process.env.BASELINE_SYNCHRONOUS } : {}),
    ...spec.extraEnv,
  };
  const started = performance.now();
  // cwd in the temp dir: the app reads a .env from its cwd, and a developer's .env must not change the run.
  const child = spawn(process.execPath, [...nodeArgs, spec.entry], { env, cwd: dirname(spec.databasePath), stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) spec.onSpawned?.(child.pid);
  const { tail, nextOutput } = captureOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const healthy = await waitHealthy(url, () => hasExited);
  if (!healthy || child.pid === undefined) {
    child.kill("SIGKILL");
    throw new Error(`${spec.target} did not answer /healthz with 200:\n${tail().join("\n")}`);
  }
  const startupMs = performance.now() - started;
  const pid = child.pid;

  return {
    target: spec.target,
    pid,
    url,
    startupMs,
    outputTail: tail,
    nextOutput,
    async stop() {
      if (hasExited) return;
      child.kill("SIGTERM");
      const forceKill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(forceKill);
    },
    async kill(signal) {
      if (hasExited) return;
      child.kill(signal);
      await exited;
    },
  };
}

async function waitHealthy(url: string, hasExited: () => boolean): Promise<boolean> {
  const deadline = performance.now() + HEALTH_TIMEOUT_MS;
  while (performance.now() < deadline && !hasExited()) {
    if ((await healthStatus(url)) === 200) return true;
    await sleep(HEALTH_POLL_MS);
  }
  return false;
}

function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", () => resolve(0));
    req.once("timeout", () => req.destroy());
    req.end();
  });
}

function captureOutput(child: ChildProcess): { tail: () => string[]; nextOutput: (prefix: string) => Promise<string> } {
  const lines: string[] = [];
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  const keep = (chunk: Buffer): void => {
    const fresh = chunk.toString("utf8").split("\n").filter(Boolean);
    // gc-on-signal.cjs's notices are the bench talking to itself, not the server's warnings.
    lines.push(...fresh.filter((line) => !line.startsWith("gc-on-signal:")));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_TAIL_LINES));
    for (let i = waiting.length - 1; i >= 0; i--) {
      const w = waiting[i] as { prefix: string; resolve: (line: string) => void };
      const line = fresh.find((l) => l.startsWith(w.prefix));
      if (line !== undefined) {
        waiting.splice(i, 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { tail: () => lines, nextOutput: (prefix) => new Promise<string>((resolve) => waiting.push({ prefix, resolve })) };
}
