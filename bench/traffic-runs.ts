// Workloads 1 and 2 run several times, the two servers taking turns (app, baseline, baseline, app, ...): one
// 20 s run of either moved by ±15 % from run to run on this machine (the disk's fsync time, the other processes),
// enough to put a ratio on either side of its target. The report takes the median run by deliveries per second,
// and counts every run's losses, duplicates and drops: a fault in any run fails the workload.
import type { Violations } from "./delivery-ledger.js";
import { medianBy } from "./stats.js";
import type { TrafficResult } from "./traffic.js";

const MAX_EXAMPLES = 10;

export interface TrafficRuns extends TrafficResult {
  /** Every run's deliveries per second, in the order they ran. */
  deliveredPerSecSamples: number[];
  /** Every run's server CPU per delivered message, µs. */
  serverCpuPerDeliveryUsSamples: number[];
}

/** The server's CPU per message delivered to a member, µs (the window's CPU over its deliveries). */
export function serverCpuPerDeliveryUs(run: TrafficResult): number {
  return run.received > 0 ? (1e6 * run.window.serverCpuSeconds) / run.received : NaN;
}

export function medianOfRuns(runs: readonly TrafficResult[]): TrafficRuns {
  const median = medianBy(runs, (r) => r.deliveredPerSec);
  return {
    ...median,
    violations: sumViolations(runs.map((r) => r.violations)),
    disconnects: runs.reduce((n, r) => n + r.disconnects, 0),
    chatErrors: runs.reduce((n, r) => n + r.chatErrors, 0),
    received: runs.some((r) => r.received === 0) ? 0 : median.received,
    deliveredPerSecSamples: runs.map((r) => r.deliveredPerSec),
    serverCpuPerDeliveryUsSamples: runs.map(serverCpuPerDeliveryUs),
  };
}

function sumViolations(all: readonly Violations[]): Violations {
  return {
    lost: all.reduce((n, v) => n + v.lost, 0),
    duplicated: all.reduce((n, v) => n + v.duplicated, 0),
    reordered: all.reduce((n, v) => n + v.reordered, 0),
    unexpected: all.reduce((n, v) => n + v.unexpected, 0),
    failedSends: all.reduce((n, v) => n + v.failedSends, 0),
    examples: all.flatMap((v) => v.examples).slice(0, MAX_EXAMPLES),
  };
}
