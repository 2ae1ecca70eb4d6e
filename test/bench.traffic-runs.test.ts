// Workloads 1 and 2 repeat with the servers taking turns (bench/traffic-runs.ts): the report shows the median run,
// every run's figures beside it, and fails the workload when any run lost, duplicated or dropped anything.
import { describe, expect, it } from "vitest";
import type { Violations } from "../bench/delivery-ledger.js";
import { buildRows } from "../bench/report.js";
import { FULL_SIZES } from "../bench/sizes.js";
import { medianOfRuns, serverCpuPerDeliveryUs } from "../bench/traffic-runs.js";
import type { TrafficResult } from "../bench/traffic.js";

const CLEAN: Violations = { lost: 0, duplicated: 0, reordered: 0, unexpected: 0, failedSends: 0, examples: [] };

function run(deliveredPerSec: number, serverCpuSeconds: number, violations: Partial<Violations> = {}): TrafficResult {
  const received = deliveredPerSec * 20;
  return {
    deliveredPerSec,
    received,
    disconnects: 0,
    chatErrors: 0,
    violations: { ...CLEAN, ...violations },
    window: { serverCpuSeconds },
    latencyMs: { p50: 1, p95: 2, p99: 3, max: 4, count: 10 },
  } as TrafficResult;
}

const row = (rows: ReturnType<typeof buildRows>, metric: string) => rows.find((r) => r.workload === 2 && r.metric === metric);

describe("repeated fan-out runs", () => {
  it("report the median run by deliveries per second, and every run's figure", () => {
    const runs = [run(30_000, 15), run(20_000, 14), run(25_000, 14.5)];
    const median = medianOfRuns(runs);
    expect(median.deliveredPerSec).toBe(25_000);
    expect(median.window.serverCpuSeconds).toBe(14.5);
    expect(median.deliveredPerSecSamples).toEqual([30_000, 20_000, 25_000]);
    expect(serverCpuPerDeliveryUs(median)).toBeCloseTo((1e6 * 14.5) / 500_000, 6);

    const rows = buildRows({ app: { errors: {}, manyRooms: median }, baseline: { errors: {}, manyRooms: medianOfRuns([run(20_000, 12), run(22_000, 12), run(24_000, 12)]) } }, FULL_SIZES, [2]);
    expect(row(rows, "delivered messages/s")).toMatchObject({ app: 25_000, baseline: 22_000 });
    expect(row(rows, "delivered messages/s, each run")).toMatchObject({ app: "30,000 / 20,000 / 25,000", baseline: "20,000 / 22,000 / 24,000" });
    expect(row(rows, "server CPU per delivery")?.app).toBeCloseTo(29, 6);
    expect(row(rows, "loss / duplicates / order")?.verdict).toBe("ok");
  });

  it("fail the workload when any run lost or duplicated, even one that is not the median", () => {
    const runs = [run(30_000, 15, { lost: 2, examples: ["m7 lost by u3"] }), run(20_000, 14), run(25_000, 14.5, { duplicated: 1 })];
    const median = medianOfRuns(runs);
    expect(median.violations).toMatchObject({ lost: 2, duplicated: 1, examples: ["m7 lost by u3"] });
    const rows = buildRows({ app: { errors: {}, manyRooms: median } }, FULL_SIZES, [2]);
    expect(row(rows, "loss / duplicates / order")).toMatchObject({ app: "FAIL: lost 2, dup 1", verdict: "FAIL" });
  });

  it("fail the workload when a later run could not run, though an earlier one gave figures", () => {
    const rows = buildRows({ app: { errors: { 2: "FAIL: server did not start" }, manyRooms: medianOfRuns([run(25_000, 14)]) } }, FULL_SIZES, [2]);
    expect(row(rows, "loss / duplicates / order")).toMatchObject({ app: "FAIL: server did not start", verdict: "FAIL" });
  });
});
