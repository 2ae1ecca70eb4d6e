// `npm run bench -- --scale [--share node|total] [--quick] [--chart dir]` (issue 21 §3): runs scale.ts over 1, 2, 3
// and 5 nodes, prints the CPU-per-delivery table and the PostgreSQL/Redis table, writes bench/results/scale-*.json
// and, with --chart, bench-scale.svg (share "node") or bench-scale-total.svg. Exits 1 when a send failed (never on a speed or cost target: those are reported).
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeCharts } from "./charts.js";
import { readLoadAverage } from "./proc-stats.js";
import { fileStamp, writeJson } from "./report.js";
import { renderScaleChart } from "./scale-chart.js";
import { efficiency, foreignCost, foreignCostMinusControl, formatScaleTable, formatServicesTable, type ScaleRow } from "./scale-math.js";
import { runScaleBench, scaleSizes, type ScaleShare } from "./scale.js";

/** Issue 21's target for the foreign cost. */
const FOREIGN_COST_TARGET = 0.03;

export async function runScaleMain(opts: { isQuick: boolean; share: ScaleShare; appEntry: string; resultsDir: string; chartDir?: string; progress: (line: string) => void }): Promise<void> {
  const startedAt = new Date();
  const sizes = scaleSizes(opts.isQuick, opts.share);
  const roomsText = sizes.share === "node" ? `${sizes.rooms} rooms per node` : `${sizes.rooms} rooms`;
  const loadAtStart = readLoadAverage();
  opts.progress(
    `scale --share ${sizes.share}${opts.isQuick ? " --quick" : ""}: ${sizes.nodeCounts.join(", ")} nodes; ${roomsText} × ${sizes.members} members per placement at ${sizes.rate} msg/s each; ` +
      `${sizes.rounds} busy window(s) of ${sizes.windowSeconds} s per phase; load average ${loadAtStart}`,
  );
  const workDir = mkdtempSync(join(tmpdir(), "messenger-scale-"));
  let rows: ScaleRow[];
  try {
    rows = await runScaleBench({ sizes, appEntry: opts.appEntry, workDir, progress: opts.progress });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const wallSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const loadAtEnd = readLoadAverage();
  console.log(`\nScale-out (issue 21 §3): ${roomsText} × ${sizes.members} members per placement, ${sizes.rate} msg/s per room; CPU per process from /proc, idle subtracted.`);
  console.log(`\n${formatScaleTable(rows)}\n`);
  console.log(`What a message costs PostgreSQL and Redis (idle subtracted):\n\n${formatServicesTable(rows)}\n`);
  for (const r of rows) {
    if (!r.foreign) continue;
    const fc = foreignCost(r.foreign.nodeWorkCpuSeconds);
    const verdict = (x: number): string => (x <= FOREIGN_COST_TARGET ? "ok" : "MISSED");
    const control = r.foreign.controlWorkCpuSeconds;
    const net = control === undefined ? "" : `; minus the control's ${(100 * foreignCostMinusControl(r.foreign.nodeWorkCpuSeconds, control)).toFixed(1)} % (${verdict(foreignCostMinusControl(r.foreign.nodeWorkCpuSeconds, control))})`;
    console.log(`${r.nodes} nodes: foreign cost ${(100 * fc).toFixed(1)} % (target ≤ ${100 * FOREIGN_COST_TARGET} %: ${verdict(fc)})${net}; efficiency 1/(1+(N−1)×cost) at 10 nodes ${efficiency(10, fc).toFixed(2)}, at 20 ${efficiency(20, fc).toFixed(2)}`);
  }
  console.log(
    `\nThe closed-loop column is the direct "N nodes vs one" throughput: all nodes, PostgreSQL, Redis and this load generator share ${cpus().length} cores, ` +
      `so it is distorted by contention (batching changes with load) and says nothing about capacity; judge by the CPU per delivery.`,
  );
  console.log(`Load average at start ${loadAtStart}, at the end ${loadAtEnd}. Wall time ${wallSeconds.toFixed(0)} s.`);
  const jsonPath = writeJson(opts.resultsDir, `scale-${sizes.share}-${fileStamp(startedAt)}${opts.isQuick ? "-quick" : ""}.json`, {
    startedAt: startedAt.toISOString(),
    wallSeconds,
    mode: opts.isQuick ? "quick" : "full",
    environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAtStart, loadAtEnd },
    sizes,
    rows,
  });
  console.log(`\nresults: ${jsonPath}`);
  if (opts.chartDir !== undefined) {
    const note = `${opts.isQuick ? "Quick" : "Full"} --scale --share ${sizes.share} run, ${startedAt.toISOString().slice(0, 10)}, ${cpus().length} shared CPUs, load average ${loadAtStart} at start.`;
    console.log(`chart: ${writeCharts(resolve(opts.chartDir), [renderScaleChart(rows, sizes.share, note)]).join(", ")}`);
  }
  const failed = rows.reduce((n, r) => n + r.placed.failed + r.spread.failed + (r.foreign?.failed ?? 0) + (r.nginx?.failed ?? 0) + (r.closedLoop.messages === 0 ? 1 : 0), 0);
  if (failed > 0) {
    console.error(`\nFAIL: ${failed} send(s) failed or timed out (see the JSON).`);
    process.exitCode = 1;
  }
}
