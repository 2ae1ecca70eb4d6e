// The six workloads of issue 6, each run against one server: start it (fresh database, or a copy of
// the pre-filled one), drive it, stop it. A fresh process per workload keeps one workload's garbage,
// caches and JIT state out of the next one's CPU and RSS figures.
import { join } from "node:path";
import { copyFixture } from "./fill-db.js";
import { GC_ON_SIGNAL_ARGS, runIdleConnections, type IdleResult } from "./idle-connections.js";
import type { JoinRuns } from "./join-runs.js";
import { runJoinTiming, type JoinTimingResult } from "./join-timing.js";
import { runPresenceStorm, type PresenceStormResult } from "./presence-storm.js";
import { readProc } from "./proc-stats.js";
import { LIMITS_OUT_OF_REACH_ENV, startServer, type RunningServer, type ServerSpec, type TargetName } from "./server-process.js";
import type { BenchSizes } from "./sizes.js";
import { medianBy } from "./stats.js";
import { runTraffic, type TrafficResult } from "./traffic.js";

export type WorkloadId = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ALL_WORKLOADS: readonly WorkloadId[] = [1, 2, 3, 4, 5, 6, 7];

export interface RunContext {
  sizes: BenchSizes;
  workDir: string;
  entries: Record<TargetName, string>;
  /** Pre-filled legacy database (workloads 3 and 6); each server gets its own copy. */
  fixturePath: string;
  profileDir?: string;
  /** Where each server's warnings and errors (LOG_LEVEL=warn) are collected, per target. */
  serverLogs: Record<TargetName, string[]>;
}

export interface StartupResult {
  /** First start on the legacy file: includes each server's migrations and index builds. */
  coldStartMs: number;
  /** Second start on the migrated file: the figure to compare. */
  warmStartMs: number;
  rssAfterWarmStartBytes: number;
  fixtureRows: number;
}

export interface TargetResults {
  oneRoom?: TrafficResult;
  manyRooms?: TrafficResult;
  /** Workload 3: every run's joins pooled (join-runs.ts). */
  joins?: JoinRuns;
  idle?: IdleResult;
  burst?: TrafficResult;
  startup?: StartupResult;
  presence?: PresenceStormResult;
  /** Workload id -> why it could not run (server would not start, client error...). */
  errors: Partial<Record<WorkloadId, string>>;
}

export async function runOneRoom(ctx: RunContext, target: TargetName): Promise<TrafficResult> {
  const { members, senders, durationMs } = ctx.sizes.oneRoom;
  return withFreshServer(ctx, target, 1, (server) =>
    runTraffic(server.url, server.pid, { tag: "w1", rooms: [{ room: "oneroom", members, senders }], drive: { kind: "closed_loop", durationMs } }),
  );
}

export async function runManyRooms(ctx: RunContext, target: TargetName): Promise<TrafficResult> {
  const { rooms, membersPerRoom, durationMs } = ctx.sizes.manyRooms;
  const plan = Array.from({ length: rooms }, (_, r) => ({ room: `many${r}`, members: membersPerRoom, senders: 1 }));
  return withFreshServer(ctx, target, 2, (server) =>
    runTraffic(server.url, server.pid, { tag: "w2", rooms: plan, drive: { kind: "closed_loop", durationMs } }),
  );
}

export async function runIdle(ctx: RunContext, target: TargetName): Promise<IdleResult> {
  const { connections, rooms, repeats } = ctx.sizes.idle;
  const runs: IdleResult[] = [];
  for (let i = 0; i < repeats; i++) {
    runs.push(await withFreshServer(ctx, target, 4, (server) => runIdleConnections(server, connections, rooms), IDLE_SERVER));
  }
  const median = medianBy(runs, (r) => r.livePerConnectionBytes);
  return {
    ...median,
    disconnects: runs.reduce((n, r) => n + r.disconnects, 0),
    livePerConnectionSamplesBytes: runs.map((r) => r.livePerConnectionBytes),
  };
}

/**
 * Workload 4 reads RSS after a full GC (gc-on-signal.cjs), and keeps every per-connection and per-session limit
 * on, since those are what an idle tab carries; only the per-address caps are off (every client is 127.0.0.1).
 */
const IDLE_SERVER: Partial<ServerSpec> = {
  nodeArgs: GC_ON_SIGNAL_ARGS,
  relaxLimits: false,
  extraEnv: { MAX_CONNECTIONS_PER_IP: "0", HANDSHAKES_PER_MINUTE_PER_IP: "0", RATE_COOKIELESS_IP_FACTOR: "10000" },
};

/** The app's own limits, their ceilings out of reach (server-process.ts); workload 4 passes its own. */
const LIMITS_ON: Partial<ServerSpec> = { relaxLimits: false, extraEnv: LIMITS_OUT_OF_REACH_ENV };

export async function runBurst(ctx: RunContext, target: TargetName): Promise<TrafficResult> {
  const { members, messages } = ctx.sizes.burst;
  return withFreshServer(ctx, target, 5, (server) =>
    runTraffic(server.url, server.pid, { tag: "w5", rooms: [{ room: "burst", members, senders: 1 }], drive: { kind: "burst", messages } }),
  );
}

export async function runPresence(ctx: RunContext, target: TargetName): Promise<PresenceStormResult> {
  const { members, checkpoints } = ctx.sizes.presence;
  return withFreshServer(ctx, target, 7, (server) => runPresenceStorm(server.url, server.pid, members, checkpoints, target !== "baseline"));
}

/**
 * Workloads 3 and 6 share one copy of the pre-filled database: the first start migrates it (cold,
 * reported apart), the second is the start-up figure, and that running server then serves the joins.
 */
export async function runFilled(ctx: RunContext, target: TargetName): Promise<{ startup: StartupResult; joins: JoinTimingResult }> {
  const databasePath = join(ctx.workDir, `${target}-filled.db`);
  copyFixture(ctx.fixturePath, databasePath);
  const spec = { target, entry: ctx.entries[target], databasePath, ...LIMITS_ON };
  const cold = await startServer(spec);
  await cold.stop();
  ctx.serverLogs[target].push(...cold.outputTail());
  const warm = await startServer({ ...spec, ...profileOptions(ctx, target, 3) });
  try {
    const rssAfterWarmStartBytes = readProc(warm.pid).rssBytes;
    const joins = await runJoinTiming(warm.url, warm.pid, ctx.sizes.fixtureRooms, { samplesPerRoom: ctx.sizes.joinSamplesPerRoom, warmupRounds: ctx.sizes.joinWarmupRounds });
    const fixtureRows = ctx.sizes.fixtureRooms.reduce((sum, r) => sum + r.messages, 0);
    return { startup: { coldStartMs: cold.startupMs, warmStartMs: warm.startupMs, rssAfterWarmStartBytes, fixtureRows }, joins };
  } finally {
    await warm.stop();
    ctx.serverLogs[target].push(...warm.outputTail());
  }
}

async function withFreshServer<T>(ctx: RunContext, target: TargetName, workload: WorkloadId, run: (server: RunningServer) => Promise<T>, options: Partial<ServerSpec> = {}): Promise<T> {
  const server = await startServer({
    ...LIMITS_ON,
    ...options,
    target,
    entry: ctx.entries[target],
    databasePath: join(ctx.workDir, `${target}-w${workload}.db`),
    ...profileOptions(ctx, target, workload),
  });
  try {
    return await run(server);
  } finally {
    await server.stop();
    ctx.serverLogs[target].push(...server.outputTail());
  }
}

function profileOptions(ctx: RunContext, target: TargetName, workload: WorkloadId): { profileDir?: string; profileName?: string } {
  return ctx.profileDir ? { profileDir: ctx.profileDir, profileName: `${target}-w${workload}.cpuprofile` } : {};
}
