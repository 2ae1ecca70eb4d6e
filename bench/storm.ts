// One restart storm (issue 19), start to end: a fresh set-up (one node on SQLite, or N on PostgreSQL + Redis),
// every client in its room, steady traffic (one sender per room, one message a second) measured for a window,
// then the signal (SIGTERM or SIGKILL) to one node and its restart on the same port, as a supervisor would;
// measured from the signal until every client is back in its room (its join answered ok): each client's return,
// the servers' CPU and memory (/proc), the load generator's CPU (this process and its workers) and everyone else's, /healthz every 100 ms, join
// refusals and timeouts, and what the clients received meanwhile; then, once settled, another steady window, and
// the ledger: every confirmed message must have reached every client of its room, never twice live.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startMeter, type WindowFigures } from "./meter.js";
import { readSomaxconn } from "../src/http/listen-backlog.js";
import { ownCpuSeconds, readCpuSeconds, readListenOverflows, readLoadAverage, readMachineBusySeconds } from "./proc-stats.js";
import { nowMs } from "./storm-clock.js";
import { startHealthPoll, type HealthFigures } from "./storm-health.js";
import type { TimeWindow, WindowReport } from "./storm-observations.js";
import { planClients, signalName, splitForWorkers, type StormSignal, type StormSizes } from "./storm-plan.js";
import { ReturnTracker, type TimelinePoint } from "./storm-returns.js";
import { cpuPerStep, ServerSampler } from "./storm-sampler.js";
import { startClusterNodes, startSingleNode, type RestartSteps, type StormSetup } from "./storm-servers.js";
import { confirmedByRoom, ledgerOf, mergeDelivery, summarizeWindow, type DeliverySummary, type LedgerSummary, type WindowSummary } from "./storm-summary.js";
import { WorkerPool } from "./storm-workers.js";
import { percentiles, type Percentiles } from "./stats.js";

/** A build to restart: its label in the table ("this build", "7b33f4e") and its compiled entry. */
export interface StormBuild {
  label: string;
  entry: string;
}

export interface StormOptions {
  sizes: StormSizes;
  nodes: number;
  build: StormBuild;
  workDir: string;
  /** The restarted process runs under node --cpu-prof and writes its profile here when it exits. */
  profileDir?: string;
  /** --server-env: the app's variables for this run, over the bench's own. */
  serverEnv?: Readonly<Record<string, string>>;
  /** --loadgen-nice: the client workers' CPU priority (niced-fork.ts). */
  loadgenNice: number;
  progress: (line: string) => void;
}

export interface StormTimelinePoint extends TimelinePoint {
  /** The app processes' CPU in the step, in cores (1 = one core busy throughout). */
  serverCores: number;
}

export interface StormRunResult {
  build: string;
  setup: string;
  nodes: number;
  signal: StormSignal;
  clients: number;
  rooms: number;
  /** Load average (1, 5, 15 min) when the run started and ended: other work on the machine. */
  loadAverage: { atStart: string; atEnd: string };
  /** Page loads, connections and first joins of every client. */
  setupSeconds: number;
  /** Clients whose people list was not complete when traffic started (0 unless the settle timed out). */
  unsettledAtStart: number;
  isAllBack: boolean;
  /** Signal to the last client's join answered ok; NaN when not everyone came back. */
  backSeconds: number;
  /** Each returning client's signal-to-join-answered-ok, over the clients (NaN when not everyone came back). */
  returnSeconds: Percentiles;
  /** Clients cut off by the restart (went out after the signal). */
  returned: number;
  /** Out of their room when the wait ended (only when not everyone came back). */
  stillOut: number;
  steps: RestartSteps & { healthyAtMs: number; signalAtMs: number };
  /** The old process from the signal to its exit. */
  oldServerCpuSeconds: number;
  /** The processes serving the return, until everyone was back: the new one from its spawn, the other nodes from the signal. */
  serverCpuSeconds: number;
  serverCpuMsPerReturn: number;
  /** The highest resident memory of any of those processes meanwhile. */
  serverPeakRssBytes: number;
  loadgenCpuSeconds: number;
  /** Everything else on the machine (PostgreSQL and Redis with several nodes, other work). */
  otherCpuSeconds: number;
  /** Connections the kernel dropped with a full accept queue during the return (machine-wide; NaN: unreadable). */
  listenOverflows: number;
  /** The kernel's cap on a listen backlog (net.core.somaxconn) during the run; null where it cannot be read. */
  somaxconn: number | null;
  stormWallSeconds: number;
  health: HealthFigures;
  /** The same polls on HEALTH_PORT, answered by the health thread (a build without one: all refused). */
  healthThread: HealthFigures;
  before: WindowSummary & { figures: WindowFigures };
  storm: WindowSummary;
  after: WindowSummary & { figures: WindowFigures };
  ledger: LedgerSummary;
  delivery: DeliverySummary;
  timeline: StormTimelinePoint[];
  serverOutput: string[];
}

const SETTLE_TIMEOUT_MS = 120_000;
const HEALTH_POLL_MS = 100;
const HEALTH_TIMEOUT_MS = 30_000;
const TIMELINE_BUCKET_MS = 250;
const PROGRESS_EVERY_MS = 5_000;
/** The node that is signalled: node 0 (on several nodes, the clients of node 0 move to the others). */
const STOPPED_NODE = 0;

export async function runStorm(opts: StormOptions, signal: StormSignal): Promise<StormRunResult> {
  const { sizes, progress } = opts;
  const dir = mkdtempSync(join(opts.workDir, `storm-${signal}-`));
  const loadAtStart = readLoadAverage();
  const env = opts.serverEnv ?? {};
  const setup = opts.nodes === 1 ? await startSingleNode(opts.build.entry, dir, env) : await startClusterNodes(opts.build.entry, dir, opts.nodes, env);
  const label = `${opts.build.label}, ${setup.label}, ${signalName(signal)}`;
  const specs = planClients(sizes.clients, sizes.rooms, setup.nodes);
  const tracker = new ReturnTracker(specs.length);
  const runTag = `st${Date.now().toString(36)}`;
  const inits = splitForWorkers(specs, sizes.rooms, sizes.workers).map((clients) => ({
    runTag,
    urls: setup.urls,
    clients,
    setupConcurrency: sizes.setupConcurrencyPerWorker,
    sendIntervalMs: sizes.sendIntervalMs,
  }));
  const pool = await WorkerPool.start(inits, (client, isIn, atMs) => tracker.onState(client, isIn, atMs), opts.loadgenNice);
  try {
    progress(`${label}: ${specs.length} clients in ${sizes.rooms} rooms arriving (${inits.length} workers)`);
    const connected = await pool.ask("connect", {});
    const failures = connected.flatMap((r) => r.failures);
    if (failures.length > 0) throw new Error(`${failures.length} clients could not join before the run: ${failures.slice(0, 3).join("; ")}`);
    const setupSeconds = Math.max(...connected.map((r) => r.setupMs)) / 1000;
    const unsettledAtStart = (await pool.ask("settle", { timeoutMs: SETTLE_TIMEOUT_MS })).reduce((n, r) => n + r.unsettled, 0);
    progress(`${label}: all joined in ${setupSeconds.toFixed(1)} s${unsettledAtStart > 0 ? ` (${unsettledAtStart} people lists incomplete)` : ""}; traffic`);

    await pool.ask("start_traffic", {});
    await sleep(sizes.warmupMs); // the traffic's pace, not a wait for an event
    const allPids = (): number[] => setup.urls.map((_, i) => setup.pid(i));
    const beforeFrom = nowMs();
    const beforeMeter = startMeter(allPids(), pool.pids());
    await sleep(sizes.steadyMs);
    const beforeFigures = beforeMeter.stop();

    progress(`${label}: signal`);
    const ticker = setInterval(() => progress(`${label}: ${tracker.inRoomNow()} of ${specs.length} in their room`), PROGRESS_EVERY_MS);
    const affected = specs.filter((s) => s.nodeIndex === STOPPED_NODE).map((s) => s.index);
    const profile = opts.profileDir === undefined ? undefined : { profileDir: opts.profileDir, profileName: `storm-${opts.build.label.replace(/\W+/g, "-")}-${opts.nodes}n-${signal}.cpuprofile` };
    const loadgenCpu = (): number => ownCpuSeconds() + pool.pids().reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
    const storm = await signalAndWait(setup, signal, affected, tracker, sizes.stormTimeoutMs, profile, loadgenCpu).finally(() => clearInterval(ticker));
    const stormEnd = storm.allBackAtMs ?? storm.detectedAtMs;
    progress(
      storm.allBackAtMs === null
        ? `${label}: ${tracker.inRoomNow()} of ${specs.length} in their room after ${(sizes.stormTimeoutMs / 1000).toFixed(0)} s; giving up the wait`
        : `${label}: every client back ${((storm.allBackAtMs - storm.signalAtMs) / 1000).toFixed(1)} s after the signal`,
    );

    // On several nodes everyone can be back (on the other nodes) before the restarted one answers /healthz: the
    // window after is the whole set-up's again, so it waits for that.
    const steps = { ...(await storm.steps), signalAtMs: storm.signalAtMs };
    await sleep(sizes.settleAfterMs); // the last catch-ups; a pace, not a wait for an event
    const afterFrom = nowMs();
    const afterMeter = startMeter(allPids(), pool.pids());
    await sleep(sizes.steadyMs);
    const afterTo = nowMs();
    const afterFigures = afterMeter.stop();
    const health = await storm.health; // the last polls end by their deadline
    const healthThread = await storm.healthThread;

    const stopped = await pool.ask("stop_traffic", { timeoutMs: sizes.drainTimeoutMs });
    const windows: TimeWindow[] = [
      { name: "before", fromMs: beforeFrom, toMs: storm.signalAtMs },
      { name: "storm", fromMs: storm.signalAtMs, toMs: stormEnd + 0.001 },
      { name: "after", fromMs: afterFrom, toMs: afterTo },
    ];
    progress(`${label}: checking every client against the ledger`);
    const verified = await pool.ask("verify", { confirmed: confirmedByRoom(stopped), timeoutMs: sizes.drainTimeoutMs, windows });
    const [before, during, after] = windows.map((w, i) => summarizeWindow(w, verified.map((v) => v.windows[i] as WindowReport)));
    if (!before || !during || !after) throw new Error("a window is missing");
    const cores = cpuPerStep(storm.cpuPoints, storm.signalAtMs, stormEnd, TIMELINE_BUCKET_MS);
    return {
      build: opts.build.label,
      setup: setup.label,
      nodes: setup.nodes,
      signal,
      clients: specs.length,
      rooms: sizes.rooms,
      loadAverage: { atStart: loadAtStart, atEnd: readLoadAverage() },
      setupSeconds,
      unsettledAtStart,
      isAllBack: storm.allBackAtMs !== null,
      backSeconds: storm.allBackAtMs === null ? NaN : (storm.allBackAtMs - storm.signalAtMs) / 1000,
      returnSeconds: percentiles(storm.allBackAtMs === null ? [] : storm.returnMs.map((ms) => ms / 1000)),
      returned: storm.returned,
      stillOut: storm.allBackAtMs === null ? specs.length - storm.inRoomAtEnd : 0,
      steps,
      oldServerCpuSeconds: storm.oldServerCpuSeconds,
      serverCpuSeconds: storm.serverCpuSeconds,
      serverCpuMsPerReturn: storm.returned > 0 ? (storm.serverCpuSeconds * 1000) / storm.returned : NaN,
      serverPeakRssBytes: storm.serverPeakRssBytes,
      loadgenCpuSeconds: storm.loadgenCpuSeconds,
      otherCpuSeconds: storm.otherCpuSeconds,
      listenOverflows: storm.listenOverflows,
      somaxconn: readSomaxconn(),
      stormWallSeconds: (storm.detectedAtMs - storm.signalAtMs) / 1000,
      health,
      healthThread,
      before: { ...before, figures: beforeFigures },
      storm: during,
      after: { ...after, figures: afterFigures },
      ledger: ledgerOf(stopped),
      delivery: mergeDelivery(verified),
      timeline: tracker.timeline(storm.signalAtMs, stormEnd, TIMELINE_BUCKET_MS).map((p, i) => ({ ...p, serverCores: cores[i] ?? 0 })),
      serverOutput: setup.outputTail(),
    };
  } catch (err) {
    // A run that cannot finish says what the servers said (a crash's last words).
    const said = setup.outputTail();
    if (err instanceof Error && said.length > 0) err.message += `\nthe servers logged (last lines):\n  ${said.slice(-15).join("\n  ")}`;
    throw err;
  } finally {
    await pool.ask("close", {}).catch(() => undefined);
    await pool.terminate();
    await setup.stop();
  }
}

interface StormFigures {
  signalAtMs: number;
  /** The restart's steps: the new process may answer /healthz after everyone is back. */
  steps: Promise<RestartSteps & { healthyAtMs: number }>;
  allBackAtMs: number | null;
  detectedAtMs: number;
  returned: number;
  returnMs: number[];
  inRoomAtEnd: number;
  oldServerCpuSeconds: number;
  serverCpuSeconds: number;
  serverPeakRssBytes: number;
  cpuPoints: ReturnType<ServerSampler["stop"]>;
  loadgenCpuSeconds: number;
  otherCpuSeconds: number;
  listenOverflows: number;
  /** Polling stops at once; the polls still out end by their deadline. */
  health: Promise<HealthFigures>;
  healthThread: Promise<HealthFigures>;
}

/**
 * The storm itself: from the signal until every client is back (or the deadline), with the CPU read at that
 * moment. Returns at once then, so the window after starts right away.
 */
async function signalAndWait(
  setup: StormSetup,
  signal: StormSignal,
  affected: number[],
  tracker: ReturnTracker,
  timeoutMs: number,
  profile: { profileDir: string; profileName: string } | undefined,
  loadgenCpu: () => number,
): Promise<StormFigures> {
  const oldPid = setup.pid(STOPPED_NODE);
  const survivorPids = setup.urls.map((_, i) => i).filter((i) => i !== STOPPED_NODE).map((i) => setup.pid(i));
  const sampler = new ServerSampler([oldPid, ...survivorPids], nowMs);
  const loadgen0 = loadgenCpu();
  const busy0 = readMachineBusySeconds();
  const overflows0 = readListenOverflows();
  const health = startHealthPoll(setup.urls, HEALTH_POLL_MS, HEALTH_TIMEOUT_MS);
  const healthThread = startHealthPoll(setup.healthUrls, HEALTH_POLL_MS, HEALTH_TIMEOUT_MS);
  let newPid: number | null = null;
  const signalAtMs = nowMs();
  const allBack = tracker.waitAllBack(signalAtMs, affected, timeoutMs);
  const restart = setup.restart(STOPPED_NODE, signal, {
    onSpawned: (pid) => {
      newPid = pid;
      sampler.add(pid);
    },
    ...(profile ? { spec: profile } : {}),
  });
  // A new process that never starts ends the run with its error instead of waiting out the deadline.
  const back = await Promise.race([allBack, restart.then(() => allBack)]);
  const detectedAtMs = back?.detectedAtMs ?? nowMs();
  const serving: number[] = newPid === null ? survivorPids : [newPid, ...survivorPids];
  const serverCpuSeconds = serving.reduce((sum, pid) => sum + sampler.cpuSeconds(pid), 0);
  const oldServerCpuSeconds = sampler.cpuSeconds(oldPid);
  const loadgenCpuSeconds = loadgenCpu() - loadgen0;
  const busy = readMachineBusySeconds() - busy0;
  const listenOverflows = readListenOverflows() - overflows0;
  const cpuPoints = sampler.stop();
  return {
    signalAtMs,
    steps: restart,
    allBackAtMs: back?.atMs ?? null,
    detectedAtMs,
    returned: back?.returned ?? affected.length,
    returnMs: back?.returnMs ?? [],
    inRoomAtEnd: tracker.inRoomNow(),
    oldServerCpuSeconds,
    serverCpuSeconds,
    serverPeakRssBytes: Math.max(0, ...serving.map((pid) => sampler.peakRssBytes(pid))),
    cpuPoints,
    loadgenCpuSeconds,
    otherCpuSeconds: Math.max(0, busy - serverCpuSeconds - oldServerCpuSeconds - loadgenCpuSeconds),
    listenOverflows,
    health: health.stop(),
    healthThread: healthThread.stop(),
  };
}
