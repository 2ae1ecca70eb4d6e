// `npm run bench -- --storm [--quick] [--nodes N] [--app-entry file] [--clients N] [--rooms N] [--signal ...]
// [--profile] [--chart dir]`: the restart storm of issue 19, once per signal and build, each on a fresh set-up
// (storm.ts). Prints one table (a column per build and signal), writes everything to
// bench/results/storm-*.json and, with --chart, the SVG of clients back and server CPU over time. Exits 1 when a
// confirmed message was lost or shown twice live, a client never came back, or a run could not finish; never on
// speed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { BenchArgs, StormArgs } from "./args.js";
import { writeCharts } from "./charts.js";
import { readLoadAverage } from "./proc-stats.js";
import { fileStamp, writeJson } from "./report.js";
import { RELAXED_LIMITS_ENV } from "./server-process.js";
import { renderStormChart, stormChartFile } from "./storm-chart.js";
import { signalName, STORM_FULL, STORM_QUICK, type StormSizes } from "./storm-plan.js";
import { formatStormTable, stormFailures } from "./storm-report.js";
import { DEFAULT_LOADGEN_NICE } from "./niced-fork.js";
import { runStorm, type StormBuild, type StormRunResult } from "./storm.js";

export interface StormEntries {
  /** This checkout's build (dist/server.js). */
  thisEntry: string;
  /** --app-entry: another build, run beside it. */
  otherEntry?: string;
}

export async function runStormBench(args: BenchArgs, storm: StormArgs, entries: StormEntries, resultsDir: string, progress: (line: string) => void): Promise<void> {
  const startedAt = new Date();
  const base = args.isQuick ? STORM_QUICK : STORM_FULL;
  const sizes: StormSizes = { ...base, clients: storm.clients ?? base.clients, rooms: storm.rooms ?? base.rooms, signals: storm.signals ?? base.signals };
  if (sizes.rooms > sizes.clients) throw new Error(`--storm: ${sizes.rooms} rooms for ${sizes.clients} clients; pass --rooms`);
  const builds = [entries.thisEntry, ...(entries.otherEntry ? [entries.otherEntry] : [])].map((entry, i) => describeBuild(entry, i === 0));
  for (const b of builds) if (!existsSync(b.entry)) throw new Error(`${b.entry} is missing (npm run build; for --app-entry, build that checkout)`);
  const nodes = args.nodes ?? 1;
  const profileDir = args.isProfiling ? join(resultsDir, `profiles-${fileStamp(startedAt)}`) : undefined;
  const loadAtStart = readLoadAverage();
  progress(
    `storm${args.isQuick ? " --quick" : ""}: ${sizes.clients} clients in ${sizes.rooms} rooms, ${nodes} node${nodes === 1 ? "" : "s"}, ` +
      `${sizes.signals.map(signalName).join(" and ")}, ${builds.map((b) => b.label).join(" vs ")}; load average ${loadAtStart}` +
      `; load generator at nice ${storm.loadgenNice ?? DEFAULT_LOADGEN_NICE}` +
      (storm.serverEnv ? `; server env ${Object.entries(storm.serverEnv).map(([k, v]) => `${k}=${v}`).join(" ")}` : ""),
  );
  const workDir = mkdtempSync(join(tmpdir(), "messenger-storm-"));
  const runs: StormRunResult[] = [];
  const errors: string[] = [];
  // Written after every run, so a long run stopped half-way keeps what it measured.
  const save = (): string =>
    writeJson(resultsDir, `storm-${fileStamp(startedAt)}${args.isQuick ? "-quick" : ""}.json`, {
      startedAt: startedAt.toISOString(),
      wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
      mode: args.isQuick ? "quick" : "full",
      args,
      environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, relaxedLimits: RELAXED_LIMITS_ENV, loadAtStart, loadAtEnd: readLoadAverage() },
      builds,
      sizes,
      nodes,
      runs,
      errors,
    });
  try {
    for (const signal of sizes.signals) {
      for (const build of builds) {
        try {
          runs.push(await runStorm({ sizes, nodes, build, workDir, progress, loadgenNice: storm.loadgenNice ?? DEFAULT_LOADGEN_NICE, ...(profileDir ? { profileDir } : {}), ...(storm.serverEnv ? { serverEnv: storm.serverEnv } : {}) }, signal));
        } catch (err) {
          const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
          errors.push(`${build.label}, ${signalName(signal)}: ${message}`);
          progress(`storm ${build.label} ${signalName(signal)} failed: ${message}`);
        }
        save();
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const loadAtEnd = readLoadAverage();
  const wallSeconds = (Date.now() - startedAt.getTime()) / 1000;

  if (runs.length > 0) console.log(`\n${formatStormTable(runs)}\n`);
  console.log(
    `${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), shared by the servers and the load generator. ` +
      `Load average at start ${loadAtStart}, at end ${loadAtEnd}. Wall time ${wallSeconds.toFixed(1)} s.`,
  );
  for (const r of runs) {
    const name = `${r.build}, ${r.setup}, ${signalName(r.signal)}`;
    if (r.delivery.examples.length > 0) console.log(`\n${name}:\n  ${r.delivery.examples.join("\n  ")}`);
    if (r.serverOutput.length > 0) console.log(`\n${name}: the servers logged (last lines):\n  ${r.serverOutput.slice(-10).join("\n  ")}`);
  }
  const jsonPath = save();
  console.log(`\nresults: ${jsonPath}${profileDir ? `\nprofiles: ${profileDir}` : ""}`);

  const failures = [...stormFailures(runs), ...errors.map((e) => `could not finish: ${e.split("\n")[0] ?? ""}`)];
  if (failures.length > 0) {
    console.error(`\nFAIL:\n  ${failures.join("\n  ")}`);
    process.exitCode = 1;
  }
  if (args.chartDir !== undefined && runs.length > 0) {
    const note = `${args.isQuick ? "Quick" : "Full"} storm bench, ${startedAt.toISOString().slice(0, 10)}, ${cpus().length} CPUs, load average ${loadAtStart} at start.`;
    const paths = writeCharts(resolve(args.chartDir), [{ file: stormChartFile(nodes), svg: renderStormChart(runs, note) }]);
    console.log(`chart: ${paths.join(", ")}`);
  }
}

/** "this build (3e42ec9+)" or "7b33f4e": the commit of the checkout the entry was built in ("+": with changes). */
function describeBuild(entry: string, isThis: boolean): StormBuild {
  const dir = dirname(resolve(entry));
  const git = (...a: string[]): string | null => {
    const out = spawnSync("git", ["-C", dir, ...a], { encoding: "utf8" });
    return out.status === 0 ? out.stdout.trim() : null;
  };
  const commit = git("rev-parse", "--short", "HEAD");
  const isDirty = (git("status", "--porcelain", "--untracked-files=no") ?? "") !== "";
  const id = commit === null ? entry : `${commit}${isDirty ? "+" : ""}`;
  return { label: isThis ? `this build (${id})` : id, entry: resolve(entry) };
}
