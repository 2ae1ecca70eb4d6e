// Entry of `npm run bench`: runs the workloads of issues 6 and 9 against the app (dist/server.js) and the
// baseline (bench/baseline-server.ts), one server process at a time, prints both with their ratio
// and writes the figures to bench/results/. Exits 1 on any loss, duplicate, reorder or error;
// speed targets are reported, never enforced (CI runs --quick for correctness only).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBenchArgs, type BenchArgs } from "./args.js";
import { buildBaseline } from "./baseline-build.js";
import { buildCharts, writeCharts } from "./charts.js";
import { formatClusterTable, runClusterRows } from "./cluster-rows.js";
import { fillDatabase, type FillResult } from "./fill-db.js";
import { buildRows, fileStamp, formatTable, hasCorrectnessFailure, worstOtherCpuPercent, writeJson, type Results } from "./report.js";
import type { TargetName } from "./server-process.js";
import { LIMITS_OUT_OF_REACH_ENV } from "./server-process.js";
import { formatSearchTable, FULL_SEARCH_SIZES, QUICK_SEARCH_SIZES, runSearchBench, type SearchBenchResult } from "./search.js";
import { FULL_SIZES, QUICK_SIZES } from "./sizes.js";
import { runScaleMain } from "./scale-main.js";
import { runStormBench } from "./storm-main.js";
import { formatFilesTable, FULL_FILES_SIZES, QUICK_FILES_SIZES, runFilesBench, type FilesBenchResult } from "./files.js";
import { medianStartup, poolJoinRuns } from "./join-runs.js";
import type { JoinTimingResult } from "./join-timing.js";
import { medianOfRuns } from "./traffic-runs.js";
import type { TrafficResult } from "./traffic.js";
import { runBurst, runFilled, runIdle, runManyRooms, runOneRoom, runPresence, type RunContext, type StartupResult, type TargetResults, type WorkloadId } from "./workloads.js";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, "results");
const DEFAULT_APP_ENTRY = resolve(BENCH_DIR, "..", "dist", "server.js");
/** Other processes' CPU (in % of one core) above which a window's speed figures are flagged as noisy. */
const NOISY_OTHER_CPU_PERCENT = 10;

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const startedAt = new Date();
  const stamp = fileStamp(startedAt);
  const baseSizes = args.isQuick ? QUICK_SIZES : FULL_SIZES;
  const n = args.presenceMembers;
  // The run's checkpoints below n, then n itself: `--presence-members 500` reports rooms of 100 and 500.
  const checkpoints = n === undefined ? [] : [...new Set([...baseSizes.presence.checkpoints.filter((c) => c < n), n])];
  const sizes = n === undefined ? baseSizes : { ...baseSizes, presence: { members: n, checkpoints } };
  const appEntry = resolve(args.appEntry ?? DEFAULT_APP_ENTRY);
  if (args.targets.includes("app") && !existsSync(appEntry)) {
    throw new Error(`${appEntry} is missing: run \`npm run build\` (npm run bench does), or pass --target baseline`);
  }
  if (args.isScale) {
    await runScaleMain({ isQuick: args.isQuick, share: args.scaleShare, appEntry, resultsDir: RESULTS_DIR, ...(args.chartDir !== undefined ? { chartDir: args.chartDir } : {}), progress });
    return;
  }
  if (args.storm) {
    // This build, and with --app-entry another one beside it.
    const other = args.appEntry === undefined ? undefined : appEntry;
    await runStormBench(args, args.storm, { thisEntry: DEFAULT_APP_ENTRY, ...(other ? { otherEntry: other } : {}) }, RESULTS_DIR, progress);
    return;
  }
  const workDir = mkdtempSync(join(tmpdir(), "messenger-bench-"));
  const ctx: RunContext = {
    sizes,
    workDir,
    entries: { app: appEntry, baseline: buildBaseline() },
    fixturePath: join(workDir, "fixture.db"),
    serverLogs: { app: [], baseline: [] },
    ...(args.isProfiling ? { profileDir: join(RESULTS_DIR, `profiles-${stamp}`) } : {}),
  };
  progress(`bench ${args.isQuick ? "--quick" : "full"}: workloads ${args.workloads.join(",")} on ${args.targets.join(" + ")}; work dir ${workDir}`);

  try {
    let fill: FillResult | undefined;
    if (args.workloads.includes(3) || args.workloads.includes(6)) {
      fill = fillDatabase(ctx.fixturePath, sizes.fixtureRooms);
      progress(`filled ${fill.rows.toLocaleString("en-US")} messages in ${(fill.fillMs / 1000).toFixed(1)} s`);
    }
    const results = await runAll(ctx, args);
    const rows = buildRows(results, sizes, args.workloads);
    let search: SearchBenchResult | undefined;
    if (args.isSearch) search = await runSearchBench(workDir, args.isQuick ? QUICK_SEARCH_SIZES : FULL_SEARCH_SIZES, progress);
    let files: FilesBenchResult | undefined;
    if (args.isFiles && args.targets.includes("app")) files = await runFilesBench(workDir, appEntry, args.isQuick ? QUICK_FILES_SIZES : FULL_FILES_SIZES, progress);
    const clusterRows = args.nodes === undefined ? undefined : await runClusterRows({ sizes, workDir, appEntry, nodes: args.nodes, progress });
    const wallSeconds = (Date.now() - startedAt.getTime()) / 1000;

    if (args.workloads.length > 0) console.log(`\n${formatTable(rows, sizes)}\n`);
    if (search) console.log(`\n${formatSearchTable(search)}\n`);
    if (files) console.log(`\n${formatFilesTable(files)}\n`);
    if (clusterRows) console.log(`\nCluster rows (one room, ${sizes.oneRoom.members} members, ${sizes.oneRoom.senders} senders, ${sizes.oneRoom.durationMs / 1000} s closed loop):\n${formatClusterTable(clusterRows)}\n`);
    console.log(
      `app÷base = app ÷ baseline. ${cpus().length} CPUs, shared by the server and this load generator: see "loadgen CPU share"` +
        ` (near 100% means the figures are capped by the load generator, for both servers). Wall time ${wallSeconds.toFixed(1)} s.`,
    );
    const otherCpu = worstOtherCpuPercent(rows);
    if (otherCpu > NOISY_OTHER_CPU_PERCENT) {
      console.log(`WARNING: other processes used up to ${otherCpu.toFixed(0)}% of a core during a workload: the speed figures are not clean; rerun on an idle machine.`);
    }
    for (const target of args.targets) {
      const log = ctx.serverLogs[target];
      if (log.length > 0) console.log(`\n${target} logged ${log.length} warning/error lines; last:\n  ${log.slice(-5).join("\n  ")}`);
    }
    const jsonPath = writeJson(RESULTS_DIR, `bench-${stamp}${args.isQuick ? "-quick" : ""}.json`, {
      startedAt: startedAt.toISOString(),
      wallSeconds,
      mode: args.isQuick ? "quick" : "full",
      args,
      environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, limits: LIMITS_OUT_OF_REACH_ENV },
      sizes,
      fill,
      rows,
      results,
      search,
      ...(files ? { files } : {}),
      ...(clusterRows ? { clusterRows } : {}),
      serverLogs: ctx.serverLogs,
    });
    console.log(`\nresults: ${jsonPath}${ctx.profileDir ? `\nprofiles: ${ctx.profileDir}` : ""}`);
    const clusterFailed = (clusterRows ?? []).some((r) => r.traffic.violations.lost + r.traffic.violations.duplicated + r.traffic.violations.reordered + r.traffic.violations.failedSends > 0);
    const filesFailed = (files?.failures.length ?? 0) > 0;
    if (hasCorrectnessFailure(rows) || clusterFailed || filesFailed) {
      console.error("\nFAIL: a workload lost, duplicated or reordered messages, or could not run (see the table and the JSON).");
      process.exitCode = 1;
    } else if (args.chartDir !== undefined) {
      const runNote = `${args.isQuick ? "Quick" : "Full"} bench, ${startedAt.toISOString().slice(0, 10)}, ${cpus().length} CPUs.`;
      const paths = writeCharts(resolve(args.chartDir), buildCharts(results, sizes, { runNote }));
      console.log(`charts: ${paths.join(", ")}`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function runAll(ctx: RunContext, args: BenchArgs): Promise<Results> {
  const results: Results = {};
  for (const target of args.targets) results[target] = { errors: {} };
  // 3 and 6 share one server start on the filled database; they run where the first of them is listed.
  const stages = args.workloads.filter((w) => w !== 6 || !args.workloads.includes(3));
  for (const [i, workload] of stages.entries()) {
    const rounds = roundsOf(ctx, workload);
    const earlier: Partial<Record<TargetName, EarlierRuns>> = {};
    for (let round = 0; round < rounds; round++) {
      // Alternate which server goes first, so neither always meets the warmer caches (or the same minute's disk).
      const order = (i + round) % 2 === 0 ? args.targets : [...args.targets].reverse();
      for (const target of order) {
        const into = results[target];
        if (!into) continue;
        const started = performance.now();
        const label = `workload ${workload === 6 || workload === 3 ? "3+6" : workload} on ${target}${rounds > 1 ? ` (run ${round + 1} of ${rounds})` : ""}`;
        try {
          await runStage(ctx, target, workload, args.workloads, into, (earlier[target] ??= { traffic: [], joins: [], startups: [] }));
          progress(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          into.errors[workload] = `FAIL: ${message.split("\n")[0] ?? ""}`;
          progress(`${label} failed: ${message}`);
        }
      }
    }
  }
  return results;
}

/** Workloads 1, 2 and 3 repeat (traffic-runs.ts, join-runs.ts); the others run once per server. */
function roundsOf(ctx: RunContext, workload: WorkloadId): number {
  if (workload === 1) return ctx.sizes.oneRoom.repeats;
  if (workload === 2) return ctx.sizes.manyRooms.repeats;
  if (workload === 3) return ctx.sizes.joinRepeats;
  return 1;
}

/** One server's earlier runs of the stage being repeated: the report is made from all of them. */
interface EarlierRuns {
  traffic: TrafficResult[];
  joins: JoinTimingResult[];
  startups: StartupResult[];
}

async function runStage(ctx: RunContext, target: TargetName, workload: WorkloadId, selected: readonly WorkloadId[], into: TargetResults, earlier: EarlierRuns): Promise<void> {
  switch (workload) {
    case 1:
      earlier.traffic.push(await runOneRoom(ctx, target));
      into.oneRoom = medianOfRuns(earlier.traffic);
      return;
    case 2:
      earlier.traffic.push(await runManyRooms(ctx, target));
      into.manyRooms = medianOfRuns(earlier.traffic);
      return;
    case 3:
    case 6: {
      const { startup, joins } = await runFilled(ctx, target);
      earlier.joins.push(joins);
      earlier.startups.push(startup);
      if (selected.includes(3)) into.joins = poolJoinRuns(earlier.joins);
      if (selected.includes(6)) into.startup = medianStartup(earlier.startups);
      return;
    }
    case 4:
      into.idle = await runIdle(ctx, target);
      return;
    case 5:
      into.burst = await runBurst(ctx, target);
      return;
    case 7:
      into.presence = await runPresence(ctx, target);
  }
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
