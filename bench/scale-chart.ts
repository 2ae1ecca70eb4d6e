// The chart of `npm run bench -- --scale` for docs/performance.md: CPU per delivery per node against the number of
// nodes, rooms placed, rooms spread and pages placed by nginx, and the foreign cost, each panel on its own scale (svg-chart.ts).
import type { Chart } from "./charts.js";
import { clusterMicrosPerDelivery, foreignCost, type ScaleRow } from "./scale-math.js";
import type { ScaleShare } from "./scale.js";
import { renderBarPanels, type BarPanel } from "./svg-chart.js";

/** The docs' chart is the "node" share's (a fixed load per node); the "total" series has its own file. */
export const SCALE_CHART_FILES: Record<ScaleShare, string> = { node: "bench-scale.svg", total: "bench-scale-total.svg" };

export function renderScaleChart(rows: readonly ScaleRow[], share: ScaleShare, runNote: string): Chart {
  const label = (r: ScaleRow): string => `${r.nodes} node${r.nodes === 1 ? "" : "s"}`;
  const svg = renderBarPanels({
    title: share === "node" ? "Scale-out at a fixed load per node: CPU per delivery on each node" : "Scale-out, one total load over N nodes: CPU per delivery on each node",
    subtitle:
      share === "node"
        ? "Node CPU (from /proc, idle subtracted) per message delivered to its clients, each node as busy at every N; flat in N is the goal."
        : "Node CPU (from /proc, idle subtracted) per message delivered to its clients; each node's load falls as 1/N.",
    note: runNote,
    yLabel: "µs CPU per delivery (foreign cost: %)",
    unit: "",
    panels: [
      { title: "rooms placed per node (µs)", bars: rows.map((r) => ({ kind: "app", label: label(r), value: clusterMicrosPerDelivery(r.placed) })) },
      { title: "rooms spread round robin (µs)", bars: rows.map((r) => ({ kind: "baseline", label: label(r), value: clusterMicrosPerDelivery(r.spread) })) },
      { title: "pages through nginx, by room (µs)", bars: rows.flatMap((r) => (r.nginx ? [{ kind: "app" as const, label: label(r), value: clusterMicrosPerDelivery(r.nginx) }] : [])) },
      foreignPanel(rows, label),
    ],
  });
  return { file: SCALE_CHART_FILES[share], svg };
}

/** A bar cannot go below the axis, and a negative foreign cost is noise: drawn as 0, the measured figures in the note (short: it is centred under a 200 px panel). */
function foreignPanel(rows: readonly ScaleRow[], label: (r: ScaleRow) => string): BarPanel {
  const measured = rows.flatMap((r) => (r.foreign ? [{ r, pct: 100 * foreignCost(r.foreign.nodeWorkCpuSeconds) }] : []));
  const negative = measured.filter((m) => m.pct < 0);
  return {
    title: "foreign cost (%, target ≤ 3)",
    bars: measured.map((m) => ({ kind: "app" as const, label: label(m.r), value: Math.max(0, m.pct) })),
    ...(negative.length > 0 ? { note: `as 0; measured ${negative.map((m) => m.pct.toFixed(1)).join(", ")} %` } : {}),
  };
}
