// Workload 3 repeats like 1 and 2, the servers taking turns (app, baseline, baseline, app, ...). One run's p95 is its
// 10th slowest join of 200, and it moved from 1.33 to 2.06 ms in four runs of one build within the hour (the
// baseline's from 1.09 to 1.44): one run could put the ratio on either side of its target. So every run's joins are
// pooled per room and the percentiles taken over all of them; each run's p95 is kept beside them for the record.
import type { JoinTimingResult } from "./join-timing.js";
import type { StartupResult } from "./workloads.js";
import { medianBy, percentiles } from "./stats.js";

export interface JoinRuns extends JoinTimingResult {
  /** Per room, each run's own p95 (ms), in the order the runs ran. */
  p95PerRunMs: number[][];
}

export function poolJoinRuns(runs: readonly JoinTimingResult[]): JoinRuns {
  const first = runs[0];
  if (first === undefined) throw new Error("no join runs to pool");
  const rooms = first.rooms.map((room, i) => {
    const samplesMs = runs.flatMap((run) => run.rooms[i]?.samplesMs ?? []);
    const warmupMs = runs.flatMap((run) => run.rooms[i]?.warmupMs ?? []);
    const freshMs = runs.flatMap((run) => run.rooms[i]?.freshMs ?? []);
    return { ...room, samplesMs, warmupMs, freshMs, joinMs: percentiles(samplesMs) };
  });
  // The busiest window for the "other processes" row: a disturbed run must show, not be averaged away.
  const window = runs.map((r) => r.window).reduce((a, b) => (b.otherCpuShare > a.otherCpuShare ? b : a));
  return {
    rooms,
    window,
    errors: runs.flatMap((r) => r.errors),
    p95PerRunMs: first.rooms.map((_, i) => runs.map((run) => run.rooms[i]?.joinMs.p95 ?? NaN)),
  };
}

/** Workload 6 rides on each of workload 3's runs: the run with the median warm start-up is reported. */
export const medianStartup = (runs: readonly StartupResult[]): StartupResult => medianBy(runs, (r) => r.warmStartMs);
