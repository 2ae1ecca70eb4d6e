// Workload 3 repeats with the servers taking turns (bench/join-runs.ts): the percentiles are taken over every run's
// joins together, each run's own p95 is kept for the record, and an error in any run fails the workload.
import { describe, expect, it } from "vitest";
import { medianStartup, poolJoinRuns } from "../bench/join-runs.js";
import type { JoinTimingResult } from "../bench/join-timing.js";
import type { WindowFigures } from "../bench/meter.js";
import { buildRows } from "../bench/report.js";
import { FULL_SIZES, JOIN_FRESH_ROUNDS } from "../bench/sizes.js";
import { percentiles } from "../bench/stats.js";
import type { StartupResult } from "../bench/workloads.js";

function run(samplesPerRoom: number[][], otherCpuShare = 0, errors: string[] = [], warmupMs: number[] = [5]): JoinTimingResult {
  return {
    rooms: samplesPerRoom.map((samplesMs, i) => ({ room: `r${i}`, messages: 10 ** (i + 2), joinMs: percentiles(samplesMs), samplesMs, warmupMs, freshMs: warmupMs.slice(0, 10), firstJoinMs: warmupMs[0] ?? NaN })),
    window: { otherCpuShare } as WindowFigures,
    errors,
  };
}

/** 20 joins: 19 at `base` ms and one at `slow`, so a run's own p95 is `base` and its maximum `slow`. */
const twenty = (base: number, slow: number): number[] => [...Array.from({ length: 19 }, () => base), slow];

describe("pooled join runs", () => {
  it("take the percentiles over every run's joins, not the median of the runs' percentiles", () => {
    // Each run's p95 is its 19th of 20 joins: 1 ms in every run. Pooled, the three slow joins are the top 3 of 60,
    // so the pooled p95 (57th of 60) is still 1 ms and the slowest is the worst run's.
    const runs = [run([twenty(1, 9), twenty(0.5, 0.6)]), run([twenty(1, 8), twenty(0.5, 0.6)]), run([twenty(1, 7), twenty(0.5, 0.6)])];
    const pooled = poolJoinRuns(runs);
    expect(pooled.rooms[0]?.samplesMs).toHaveLength(60);
    expect(pooled.rooms[0]?.joinMs).toMatchObject({ p50: 1, p95: 1, max: 9, count: 60 });
    expect(pooled.rooms[1]?.joinMs).toMatchObject({ p95: 0.5, max: 0.6, count: 60 });
    expect(pooled.p95PerRunMs).toEqual([
      [1, 1, 1],
      [0.5, 0.5, 0.5],
    ]);
  });

  it("a run slower throughout moves the pooled p95 by its share of the joins", () => {
    const fast = Array.from({ length: 100 }, (_, i) => 1 + i / 1000);
    const slow = fast.map((ms) => ms + 1);
    const pooled = poolJoinRuns([run([fast]), run([fast]), run([slow])]);
    // The slowest third of 300 joins is the slow run's: the p95 (285th) is one of them.
    expect(pooled.rooms[0]?.joinMs.p95).toBeGreaterThan(2);
    expect(pooled.rooms[0]?.joinMs.p50).toBeLessThan(1.1);
    expect(pooled.p95PerRunMs[0]?.[2]).toBeGreaterThan(2);
  });

  it("keep every run's errors and the most disturbed window", () => {
    const pooled = poolJoinRuns([run([[1]], 0.02), run([[1]], 0.3, ["fill1m: history out of order"]), run([[1]], 0.05)]);
    expect(pooled.errors).toEqual(["fill1m: history out of order"]);
    expect(pooled.window.otherCpuShare).toBe(0.3);
  });

  it("show each run's p95 of the largest room beside the pooled one, and judge the pooled one", () => {
    const rooms = (p: number) => FULL_SIZES.fixtureRooms.map(() => Array.from({ length: 20 }, (_, i) => (i < 19 ? p : p * 3)));
    const app = poolJoinRuns([run(rooms(1)), run(rooms(1.2)), run(rooms(0.9))]);
    const baseline = poolJoinRuns([run(rooms(1)), run(rooms(1)), run(rooms(1))]);
    const rows = buildRows({ app: { errors: {}, joins: app }, baseline: { errors: {}, joins: baseline } }, FULL_SIZES, [3]);
    const each = rows.find((r) => r.workload === 3 && r.metric.endsWith("(p95), each run"));
    expect(each).toMatchObject({ app: "1.00 / 1.20 / 0.90", baseline: "1.00 / 1.00 / 1.00" });
    const judged = rows.find((r) => r.workload === 3 && r.metric === "join, room of 1M (p95)");
    expect(judged?.app).toBe(1.2); // pooled: the 57th of 60 joins is the slowest run's level
    expect(judged?.verdict).toBe("MISSED");
  });

  it("keep the warm-up rounds out of the judged percentiles and show a fresh process's first rounds on their own row", () => {
    // Each run's first join is slow (a process just started), the rest of its warm-up is not, nor its timed joins.
    const warmup = [9, ...Array.from({ length: 19 }, () => 2)];
    const rooms = () => FULL_SIZES.fixtureRooms.map(() => Array.from({ length: 20 }, () => 1));
    const pooled = poolJoinRuns([run(rooms(), 0, [], warmup), run(rooms(), 0, [], warmup)]);
    expect(pooled.rooms[2]?.warmupMs).toHaveLength(40);
    expect(pooled.rooms[2]?.freshMs).toHaveLength(20);
    expect(pooled.rooms[2]?.joinMs.max).toBe(1);
    const rows = buildRows({ app: { errors: {}, joins: pooled }, baseline: { errors: {}, joins: pooled } }, FULL_SIZES, [3]);
    expect(rows.find((r) => r.workload === 3 && r.metric === "join, room of 1M (p95)")?.app).toBe(1);
    // Over the fresh rounds (2 slow of 20) the p95 is slow; over the whole warm-up (2 of 40) it would not be.
    expect(rows.find((r) => r.workload === 3 && r.metric === `join, room of 1M (p95), first ${JOIN_FRESH_ROUNDS} rounds after start`)?.app).toBe(9);
  });

  it("report the start-up of the run with the median warm start", () => {
    const startup = (warmStartMs: number): StartupResult => ({ warmStartMs, coldStartMs: 10 * warmStartMs, rssAfterWarmStartBytes: 1, fixtureRows: 1 });
    expect(medianStartup([startup(300), startup(100), startup(200)])).toMatchObject({ warmStartMs: 200, coldStartMs: 2000 });
  });
});
