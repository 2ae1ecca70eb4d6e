// The servers a restart storm runs against, as child processes (server-process.ts: the app's environment with
// RELAXED_LIMITS_ENV, every other variable at its default unless --server-env sets it): one node on SQLite, or N nodes
// on PostgreSQL + Redis (Debian's, from the cluster suite's helpers, fsync on). Every node of a set-up shares one
// SECRET_KEY, so a session cookie stays valid on the restarted process and on the other nodes. restart() does
// what a supervisor does: signal the node, wait for its process to exit, start it again on the same port with
// the same database, and says when each step happened.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createDatabase, startPostgres } from "../test/helpers/postgres.js";
import { startRedis } from "../test/helpers/redis.js";
import { freePort } from "../test/helpers/free-port.js";
import { startServer, type RunningServer, type ServerSpec } from "./server-process.js";
import { nowMs } from "./storm-clock.js";
import type { StormSignal } from "./storm-plan.js";

export interface RestartSteps {
  /** The old process has exited (storm-clock.ts). */
  exitedAtMs: number;
  newPid: number;
  spawnedAtMs: number;
}

export interface RestartHooks {
  onSpawned(pid: number): void;
  spec?: Partial<Pick<ServerSpec, "profileDir" | "profileName">>;
}

export interface StormSetup {
  /** "1 node, SQLite", "3 nodes, PostgreSQL + Redis". */
  label: string;
  nodes: number;
  urls: string[];
  /** Each node's HEALTH_PORT (issue 19: /healthz from a thread of its own), the same across its restarts. */
  healthUrls: string[];
  /** PostgreSQL and Redis behind the nodes (cluster set-ups only): the scale bench reads their CPU and Redis's counters. */
  services?: ClusterServices;
  /** The running app processes, by node. */
  pid(index: number): number;
  /**
   * Signals node `index`, waits for its exit and starts it again (with `spec` over its own, e.g. a CPU profile);
   * `onSpawned` hears of the new process as soon as it exists; resolves once it answers /healthz 200.
   */
  restart(index: number, signal: StormSignal, hooks: RestartHooks): Promise<RestartSteps & { healthyAtMs: number }>;
  /** Warning and error lines the nodes printed (LOG_LEVEL=warn), the last few of each. */
  outputTail(): string[];
  stop(): Promise<void>;
}

export interface ClusterServices {
  /** The postmaster (its backends are its children: proc-stats.ts readProcessTreeCpuSeconds). */
  postgresPid(): number;
  redisPid(): number;
  redisUrl: string;
}

const SIGNALS: Record<StormSignal, NodeJS.Signals> = { term: "SIGTERM", kill: "SIGKILL" };
const NODE_IDS = ["node-a", "node-b", "node-c", "node-d", "node-e"];

interface NodeSlot {
  port: number;
  healthPort: number;
  spec: ServerSpec;
  server: RunningServer | null;
  /** Output of processes already stopped: a crash's last words stay in the report. */
  pastOutput: string[];
}

/** One node on SQLite: a fresh database file in `dir`. */
export async function startSingleNode(entry: string, dir: string, env: Readonly<Record<string, string>> = {}): Promise<StormSetup> {
  const slot = await makeSlot(entry, join(dir, "storm.db"), { ...env, SECRET_KEY: secret() });
  return makeSetup("1 node, SQLite", [slot], async () => undefined);
}

/** N nodes on one PostgreSQL (a fresh database) and one Redis, started one at a time (the first migrates). */
export async function startClusterNodes(entry: string, dir: string, nodes: number, env: Readonly<Record<string, string>> = {}, profileDir?: string): Promise<StormSetup> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const pg = await startPostgres({ isDurable: true });
    cleanups.push(() => pg.remove());
    const databaseUrl = await createDatabase(pg.url(), "storm");
    const redis = await startRedis();
    cleanups.push(() => redis.remove());
    const key = secret();
    const slots: NodeSlot[] = [];
    for (let i = 0; i < nodes; i++) {
      const id = NODE_IDS[i] ?? `node-${i}`;
      slots.push(await makeSlot(entry, join(dir, `${id}.db`), { ...env, SECRET_KEY: key, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, NODE_ID: id }, profileDir === undefined ? undefined : { profileDir, profileName: `${id}.cpuprofile` }));
    }
    const services: ClusterServices = {
      postgresPid: () => running(pg.process()?.pid, "PostgreSQL"),
      redisPid: () => running(redis.pid() ?? undefined, "Redis"),
      redisUrl: redis.url,
    };
    const setup = makeSetup(`${nodes} nodes, PostgreSQL + Redis`, slots, async () => {
      while (cleanups.length > 0) await cleanups.pop()?.().catch(() => undefined);
    });
    return { ...setup, services };
  } catch (err) {
    while (cleanups.length > 0) await cleanups.pop()?.().catch(() => undefined);
    throw err;
  }
}

async function makeSlot(entry: string, databasePath: string, extraEnv: Record<string, string>, profile?: Pick<ServerSpec, "profileDir" | "profileName">): Promise<NodeSlot> {
  const port = await freePort();
  const healthPort = await freePort();
  const spec: ServerSpec = { target: "app", entry, databasePath, port, extraEnv: { HEALTH_PORT: String(healthPort), ...extraEnv }, ...profile };
  const slot: NodeSlot = { port, healthPort, spec, server: null, pastOutput: [] };
  slot.server = await startServer(spec);
  return slot;
}

function makeSetup(label: string, slots: NodeSlot[], cleanup: () => Promise<void>): StormSetup {
  const slotAt = (index: number): NodeSlot => {
    const slot = slots[index];
    if (slot === undefined) throw new Error(`no node ${index}`);
    return slot;
  };
  return {
    label,
    nodes: slots.length,
    urls: slots.map((s) => `http://127.0.0.1:${s.port}`),
    healthUrls: slots.map((s) => `http://127.0.0.1:${s.healthPort}`),
    pid: (index) => {
      const server = slotAt(index).server;
      if (server === null) throw new Error(`node ${index} is not running`);
      return server.pid;
    },
    async restart(index, signal, hooks) {
      const slot = slotAt(index);
      const old = slot.server;
      if (old === null) throw new Error(`node ${index} is not running`);
      slot.server = null;
      await old.kill(SIGNALS[signal]);
      const exitedAtMs = nowMs();
      slot.pastOutput.push(...old.outputTail());
      const spawned: { pid?: number; atMs?: number } = {};
      slot.server = await startServer({
        ...slot.spec,
        ...hooks.spec,
        onSpawned: (pid) => {
          Object.assign(spawned, { pid, atMs: nowMs() });
          hooks.onSpawned(pid);
        },
      });
      const healthyAtMs = nowMs();
      if (spawned.pid === undefined || spawned.atMs === undefined) throw new Error("the new server was never spawned");
      return { exitedAtMs, newPid: spawned.pid, spawnedAtMs: spawned.atMs, healthyAtMs };
    },
    outputTail: () => slots.flatMap((s, i) => [...s.pastOutput, ...(s.server?.outputTail() ?? [])].slice(-10).map((line) => `node ${i}: ${line}`)),
    async stop() {
      await Promise.all(slots.map((s) => s.server?.stop()));
      await cleanup();
    },
  };
}

function running(pid: number | undefined, what: string): number {
  if (pid === undefined) throw new Error(`${what} is not running`);
  return pid;
}

function secret(): string {
  return randomBytes(32).toString("hex");
}
