// The charts of docs/performance.md, drawn from one bench run: throughput and p99 latency per traffic
// workload (app against baseline) and join time against the number of stored messages (workload 3).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Results } from "./report.js";
import type { BenchSizes } from "./sizes.js";
import { renderBarPanels, renderLogXLineChart, type BarPanel, type LineSeries, type SeriesKind } from "./svg-chart.js";
import type { TrafficResult } from "./traffic.js";
import type { TargetResults } from "./workloads.js";

export interface Chart {
  file: string;
  svg: string;
}

export interface ChartContext {
  /** e.g. "full bench, 2026-11-26, 2 CPUs": said under each title so a chart names its run. */
  runNote: string;
}

const KINDS: readonly SeriesKind[] = ["app", "baseline"];

export function buildCharts(results: Results, sizes: BenchSizes, ctx: ChartContext): Chart[] {
  const charts: Chart[] = [];
  const traffic: { title: string; pick: (r: TargetResults) => TrafficResult | undefined }[] = [
    { title: `1: one room, ${sizes.oneRoom.members} clients`, pick: (r) => r.oneRoom },
    { title: `2: ${sizes.manyRooms.rooms} rooms × ${sizes.manyRooms.membersPerRoom} clients`, pick: (r) => r.manyRooms },
    { title: `5: burst of ${sizes.burst.messages.toLocaleString("en-US")}`, pick: (r) => r.burst },
  ];
  const panels = (figure: (t: TrafficResult) => number): BarPanel[] =>
    traffic
      .map(({ title, pick }) => {
        const bars = KINDS.map((kind) => {
          const r = results[kind];
          const t = r ? pick(r) : undefined;
          return { kind, label: kind, value: t ? figure(t) : NaN };
        });
        return { title, bars, ...ratioNote(bars[0]?.value, bars[1]?.value) };
      })
      .filter((p) => p.bars.some((b) => Number.isFinite(b.value)));

  const throughput = panels((t) => t.deliveredPerSec);
  if (throughput.length > 0) {
    charts.push({
      file: "bench-throughput.svg",
      svg: renderBarPanels({
        title: "Throughput: app against baseline",
        subtitle: "Delivered messages per second, per workload; higher is better.",
        note: ctx.runNote,
        yLabel: "delivered messages/s",
        unit: "messages/s",
        panels: throughput,
      }),
    });
  }
  const p99 = panels((t) => t.latencyMs.p99);
  if (p99.length > 0) {
    charts.push({
      file: "bench-latency-p99.svg",
      svg: renderBarPanels({
        title: "Latency p99: app against baseline",
        subtitle: "Emit to each member's receipt (sender included), 99th percentile; lower is better.",
        note: ctx.runNote,
        yLabel: "latency p99 (ms)",
        unit: "ms",
        panels: p99,
      }),
    });
  }

  const series: LineSeries[] = KINDS.flatMap((kind) => {
    const rooms = results[kind]?.joins?.rooms;
    return rooms ? [{ kind, name: kind, points: rooms.map((room) => ({ x: room.messages, y: room.joinMs.p50 })) }] : [];
  });
  if (series.length > 0) {
    charts.push({
      file: "bench-join.svg",
      svg: renderLogXLineChart({
        title: "Join time against stored messages (workload 3)",
        subtitle: `Median of ${sizes.joinSamplesPerRoom * sizes.joinRepeats} joins per room (until the ack and the joiner's own "joined" notice); lower is better.`,
        note: ctx.runNote,
        xLabel: "messages stored in the room (log scale)",
        yLabel: "join time p50 (ms)",
        unit: "ms",
        series,
        formatX: countLabel,
      }),
    });
  }
  return charts;
}

export function writeCharts(dir: string, charts: readonly Chart[]): string[] {
  mkdirSync(dir, { recursive: true });
  return charts.map((c) => {
    const path = join(dir, c.file);
    writeFileSync(path, c.svg);
    return path;
  });
}

function ratioNote(app: number | undefined, baseline: number | undefined): { note?: string } {
  if (app === undefined || baseline === undefined || !Number.isFinite(app) || !Number.isFinite(baseline) || baseline === 0) return {};
  return { note: `app ÷ baseline ${(app / baseline).toFixed(2)}` };
}

function countLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return n.toLocaleString("en-US");
}
