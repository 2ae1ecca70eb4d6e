// The restart storm's chart, two panels over seconds since the signal, one line per run: above, the clients in
// their room; below, the app processes' CPU in cores. Colour tells the build (this build blue, the other
// orange), the dash tells the signal (SIGTERM solid, SIGKILL dashed), and each line's legend says when
// everyone was back, so the lines can be told apart without colour. Drawn with svg-chart.ts's frame and text,
// so it carries a <title> and a <desc> that reads the figures out, like the bench's other charts.
import { signalName } from "./storm-plan.js";
import type { StormRunResult } from "./storm.js";
import { frame, niceTicks, text } from "./svg-chart.js";

const LEFT = 84;
const PLOT_WIDTH = 580;
const CLIENTS_HEIGHT = 230;
const CPU_HEIGHT = 120;
const PANEL_GAP = 56;
const LEGEND_ROW = 18;
const TARGET_SECONDS = 10;
const MUTED = "#4b5563";
const GRID = "#e5e7eb";
const BUILD_COLOURS = ["#1d4ed8", "#b45309", "#047857", "#7c3aed"];
const SIGNAL_DASH = { term: "", kill: "7 4" } as const;

interface Panel {
  top: number;
  height: number;
  yMax: number;
  yTicks: number[];
  yLabel: string;
}

export function stormChartFile(nodes: number): string {
  return `bench-storm-${nodes}-node${nodes === 1 ? "" : "s"}.svg`;
}

export function renderStormChart(runs: readonly StormRunResult[], runNote: string): string {
  const first = runs[0];
  if (first === undefined) throw new Error("no runs to chart");
  const builds = [...new Set(runs.map((r) => r.build))];
  const legendTop = 104;
  const clientsTop = legendTop + runs.length * LEGEND_ROW + 16;
  const lastSecond = Math.max(TARGET_SECONDS, ...runs.map((r) => (r.timeline.at(-1)?.atMs ?? 0) / 1000));
  const xTicks = niceTicks(lastSecond);
  const xMax = xTicks.at(-1) ?? 1;
  const x = (s: number): number => LEFT + (s / xMax) * PLOT_WIDTH;
  const clientTicks = niceTicks(first.clients);
  const cpuTicks = niceTicks(Math.max(1, ...runs.flatMap((r) => r.timeline.map((p) => p.serverCores))));
  const clients: Panel = { top: clientsTop, height: CLIENTS_HEIGHT, yMax: clientTicks.at(-1) ?? 1, yTicks: clientTicks, yLabel: "clients in their room" };
  const cpu: Panel = { top: clientsTop + CLIENTS_HEIGHT + PANEL_GAP, height: CPU_HEIGHT, yMax: cpuTicks.at(-1) ?? 1, yTicks: cpuTicks, yLabel: "server CPU (cores)" };
  const parts = [...axes(clients, xTicks, x), ...axes(cpu, xTicks, x)];
  parts.push(`<line x1="${x(TARGET_SECONDS)}" x2="${x(TARGET_SECONDS)}" y1="${clients.top}" y2="${clients.top + clients.height}" stroke="${MUTED}" stroke-dasharray="2 3"/>`);
  parts.push(text(x(TARGET_SECONDS) + 4, clients.top + 12, `target ${TARGET_SECONDS} s`, { size: 11, fill: MUTED, anchor: "start" }));
  parts.push(text(LEFT + PLOT_WIDTH / 2, cpu.top + cpu.height + 44, "seconds since the signal", { size: 13, fill: MUTED }));

  const descs: string[] = [];
  runs.forEach((run, i) => {
    const stroke = BUILD_COLOURS[builds.indexOf(run.build) % BUILD_COLOURS.length] ?? MUTED;
    const dash = SIGNAL_DASH[run.signal] ? ` stroke-dasharray="${SIGNAL_DASH[run.signal]}"` : "";
    const name = `${run.build}, ${signalName(run.signal)}`;
    // Starts at the signal with everyone in; each point is the count at the end of its 250 ms step.
    const inRoom = [{ s: 0, v: run.clients }, ...run.timeline.map((p) => ({ s: p.atMs / 1000, v: p.inRoom }))];
    const cores = run.timeline.map((p) => ({ s: p.atMs / 1000, v: p.serverCores }));
    parts.push(line(inRoom, clients, x, stroke, dash), line(cores, cpu, x, stroke, dash));
    const back = run.isAllBack ? `all back after ${run.backSeconds.toFixed(1)} s` : `${run.clients - run.stillOut} of ${run.clients} back when the wait ended`;
    if (run.isAllBack) parts.push(`<circle cx="${x(run.backSeconds).toFixed(1)}" cy="${y(clients, run.clients).toFixed(1)}" r="5" fill="${stroke}"/>`);
    const legendY = legendTop + i * LEGEND_ROW;
    parts.push(`<line x1="${LEFT}" x2="${LEFT + 28}" y1="${legendY}" y2="${legendY}" stroke="${stroke}" stroke-width="2.5"${dash}/>`);
    parts.push(text(LEFT + 34, legendY + 4, `${name}: ${back}, server CPU ${run.serverCpuSeconds.toFixed(1)} s`, { size: 12, anchor: "start", fill: stroke }));
    const seconds = inRoom.filter((p) => Number.isInteger(p.s)).map((p) => `${p.v.toLocaleString("en-US")} at ${p.s} s`);
    const peakCores = Math.max(0, ...cores.map((p) => p.v));
    descs.push(`${name}: ${back}; in their room ${seconds.join(", ")}; server CPU ${run.serverCpuSeconds.toFixed(1)} s in all, at most ${peakCores.toFixed(2)} cores.`);
  });
  const subtitle = `${first.setup}: ${first.clients.toLocaleString("en-US")} clients in ${first.rooms} rooms; one node restarted on the same port.`;
  const height = cpu.top + cpu.height + 64;
  return frame(LEFT + PLOT_WIDTH + 30, height, { title: "Restart storm: clients back in their room, and the server's CPU", subtitle, note: runNote }, descs.join(" "), parts);
}

function y(panel: Panel, v: number): number {
  return panel.top + panel.height - (v / panel.yMax) * panel.height;
}

function axes(panel: Panel, xTicks: readonly number[], x: (s: number) => number): string[] {
  const parts: string[] = [];
  const bottom = panel.top + panel.height;
  for (const t of panel.yTicks) {
    parts.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${y(panel, t)}" y2="${y(panel, t)}" stroke="${GRID}"/>`);
    parts.push(text(LEFT - 6, y(panel, t) + 4, t.toLocaleString("en-US"), { size: 11, fill: MUTED, anchor: "end" }));
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${bottom}" y2="${bottom + 5}" stroke="${MUTED}"/>`);
    parts.push(text(x(t), bottom + 20, `${t} s`, { size: 12 }));
  }
  parts.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${bottom}" y2="${bottom}" stroke="${MUTED}"/>`);
  parts.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${panel.top}" y2="${bottom}" stroke="${MUTED}"/>`);
  parts.push(text(18, panel.top + panel.height / 2, panel.yLabel, { size: 13, fill: MUTED, anchor: "middle", rotate: true }));
  return parts;
}

function line(points: readonly { s: number; v: number }[], panel: Panel, x: (s: number) => number, stroke: string, dash: string): string {
  const d = points.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.s).toFixed(1)},${y(panel, p.v).toFixed(1)}`).join(" ");
  return `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="2"${dash}/>`;
}
