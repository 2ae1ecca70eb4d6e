// Plain SVG charts for the docs, written in-process: bars in side-by-side panels (one scale per panel)
// and a line chart over a log-scaled x axis. Every chart carries a <title> and a <desc> that reads out
// all its figures, labels both axes and prints each value beside its mark, so it can be read without
// telling colours apart. A white background keeps it legible on a dark page.

export type SeriesKind = "app" | "baseline";

const STYLE: Record<SeriesKind, { fill: string; stroke: string; dash: string }> = {
  app: { fill: "#2563eb", stroke: "#1d4ed8", dash: "" },
  baseline: { fill: "#9ca3af", stroke: "#4b5563", dash: "6 4" },
};

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"`;
const INK = "#111827";
const MUTED = "#4b5563";
const GRID = "#e5e7eb";

export interface Bar {
  kind: SeriesKind;
  label: string;
  value: number;
}

export interface BarPanel {
  title: string;
  bars: Bar[];
  /** A line under the panel, e.g. "app ÷ baseline 1.23". */
  note?: string;
}

export interface BarChartSpec {
  title: string;
  subtitle: string;
  /** A third line under the title, e.g. which run the figures come from. */
  note?: string;
  /** Names the quantity and unit, e.g. "delivered messages/s". */
  yLabel: string;
  unit: string;
  panels: BarPanel[];
}

export interface LineSeries {
  kind: SeriesKind;
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartSpec {
  title: string;
  subtitle: string;
  note?: string;
  xLabel: string;
  yLabel: string;
  unit: string;
  series: LineSeries[];
  formatX: (x: number) => string;
}

const PANEL_WIDTH = 270;
const PANEL_PLOT_WIDTH = 200;
const BAR_HEIGHT = 210;

export function renderBarPanels(spec: BarChartSpec): string {
  const panels = spec.panels.filter((p) => p.bars.some((b) => Number.isFinite(b.value)));
  const left = 78;
  const top = 110;
  const width = left + (panels.length - 1) * PANEL_WIDTH + PANEL_PLOT_WIDTH + 20;
  const height = top + BAR_HEIGHT + 52;
  const parts: string[] = [];
  panels.forEach((panel, i) => parts.push(barPanel(panel, left + i * PANEL_WIDTH, top)));
  const yLabelAt = top + BAR_HEIGHT / 2;
  parts.push(text(18, yLabelAt, spec.yLabel, { size: 13, fill: MUTED, anchor: "middle", rotate: true }));
  const desc = panels
    .map((p) => `${p.title}: ${p.bars.map((b) => `${b.label} ${formatValue(b.value)} ${spec.unit}`).join(", ")}${p.note ? ` (${p.note})` : ""}.`)
    .join(" ");
  return frame(width, height, spec, desc, parts);
}

function barPanel(panel: BarPanel, x0: number, top: number): string {
  const parts: string[] = [];
  const finite = panel.bars.map((b) => b.value).filter(Number.isFinite);
  const ticks = niceTicks(Math.max(...finite, 0));
  const max = ticks[ticks.length - 1] ?? 1;
  const plotWidth = PANEL_PLOT_WIDTH;
  const y = (v: number): number => top + BAR_HEIGHT - (v / max) * BAR_HEIGHT;
  for (const t of ticks) {
    parts.push(`<line x1="${x0}" x2="${x0 + plotWidth}" y1="${y(t)}" y2="${y(t)}" stroke="${GRID}"/>`);
    parts.push(text(x0 - 6, y(t) + 4, formatTick(t), { size: 11, fill: MUTED, anchor: "end" }));
  }
  parts.push(`<line x1="${x0}" x2="${x0 + plotWidth}" y1="${y(0)}" y2="${y(0)}" stroke="${MUTED}"/>`);
  const slot = plotWidth / panel.bars.length;
  const barWidth = Math.min(64, slot * 0.6);
  const labelPx = Math.min(...panel.bars.map((b) => labelSize(b.label, slot))); // one size for the panel's labels
  panel.bars.forEach((bar, i) => {
    const cx = x0 + slot * (i + 0.5);
    const style = STYLE[bar.kind];
    if (Number.isFinite(bar.value)) {
      const h = y(0) - y(bar.value);
      parts.push(
        `<rect x="${cx - barWidth / 2}" y="${y(bar.value)}" width="${barWidth}" height="${h}" fill="${style.fill}" stroke="${style.stroke}"/>`,
      );
      parts.push(text(cx, y(bar.value) - 6, formatValue(bar.value), { size: 13, weight: "bold" }));
    } else {
      parts.push(text(cx, y(0) - 6, "no figure", { size: 12, fill: MUTED }));
    }
    parts.push(text(cx, y(0) + 17, bar.label, { size: labelPx }));
  });
  parts.push(text(x0 + plotWidth / 2, top - 12, panel.title, { size: 13, weight: "bold" }));
  if (panel.note) parts.push(text(x0 + plotWidth / 2, y(0) + 38, panel.note, { size: 12, fill: MUTED }));
  return parts.join("\n");
}

/** 13 px, or smaller where the label would run into its neighbour's (four "N nodes" in a 200 px panel did). */
export function labelSize(label: string, slot: number): number {
  const charWidth = 0.6; // of the font size, for the sans-serif the charts use
  return Math.max(9, Math.min(13, Math.floor((slot * 0.92) / (charWidth * label.length))));
}

export function renderLogXLineChart(spec: LineChartSpec): string {
  const left = 78;
  const top = 120;
  const plotWidth = 560;
  const plotHeight = 240;
  const width = left + plotWidth + 40;
  const height = top + plotHeight + 70;
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const ticks = niceTicks(Math.max(...ys, 0));
  const yMax = ticks[ticks.length - 1] ?? 1;
  const logMin = Math.log10(xs[0] ?? 1);
  const logMax = Math.log10(xs[xs.length - 1] ?? 10);
  const pad = 40; // keeps the first and last points off the axes
  const x = (v: number): number =>
    logMax === logMin ? left + plotWidth / 2 : left + pad + ((Math.log10(v) - logMin) / (logMax - logMin)) * (plotWidth - 2 * pad);
  const y = (v: number): number => top + plotHeight - (v / yMax) * plotHeight;

  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(t)}" y2="${y(t)}" stroke="${GRID}"/>`);
    parts.push(text(left - 6, y(t) + 4, formatTick(t), { size: 11, fill: MUTED, anchor: "end" }));
  }
  parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(0)}" y2="${y(0)}" stroke="${MUTED}"/>`);
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${y(0)}" stroke="${MUTED}"/>`);
  for (const v of xs) {
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${y(0)}" y2="${y(0) + 5}" stroke="${MUTED}"/>`);
    parts.push(text(x(v), y(0) + 20, spec.formatX(v), { size: 12 }));
  }
  parts.push(text(left + plotWidth / 2, y(0) + 46, spec.xLabel, { size: 13, fill: MUTED }));
  parts.push(text(18, top + plotHeight / 2, spec.yLabel, { size: 13, fill: MUTED, anchor: "middle", rotate: true }));

  for (const s of spec.series) {
    const style = STYLE[s.kind];
    const finite = s.points.filter((p) => Number.isFinite(p.y));
    const path = finite.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${style.stroke}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`);
    for (const p of finite) parts.push(marker(s.kind, x(p.x), y(p.y)));
  }
  // Values: at each x the higher point is labelled above its mark, the lower one below, so they never collide.
  for (const v of xs) {
    const here = spec.series
      .map((s) => ({ s, p: s.points.find((p) => p.x === v) }))
      .filter((e): e is { s: LineSeries; p: { x: number; y: number } } => e.p !== undefined && Number.isFinite(e.p.y))
      .sort((a, b) => b.p.y - a.p.y);
    here.forEach((e, i) => {
      const dy = i === 0 ? -12 : 22;
      parts.push(text(x(v), y(e.p.y) + dy, formatValue(e.p.y), { size: 13, weight: "bold", fill: STYLE[e.s.kind].stroke }));
    });
  }
  parts.push(legend(spec.series, left + plotWidth - 200, top - 24));
  const desc = spec.series
    .map((s) => `${s.name}: ${s.points.map((p) => `${formatValue(p.y)} ${spec.unit} at ${spec.formatX(p.x)}`).join(", ")}.`)
    .join(" ");
  return frame(width, height, spec, desc, parts);
}

function legend(series: readonly LineSeries[], x0: number, y0: number): string {
  return series
    .map((s, i) => {
      const style = STYLE[s.kind];
      const x = x0 + i * 100;
      return [
        `<line x1="${x}" x2="${x + 28}" y1="${y0}" y2="${y0}" stroke="${style.stroke}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`,
        marker(s.kind, x + 14, y0),
        text(x + 34, y0 + 4, s.name, { size: 13, anchor: "start" }),
      ].join("\n");
    })
    .join("\n");
}

/** Circles for the app, squares for the baseline: the series differ in shape and dash as well as colour. */
function marker(kind: SeriesKind, cx: number, cy: number): string {
  const style = STYLE[kind];
  if (kind === "app") return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${style.fill}" stroke="${style.stroke}"/>`;
  return `<rect x="${(cx - 4.5).toFixed(1)}" y="${(cy - 4.5).toFixed(1)}" width="9" height="9" fill="${style.fill}" stroke="${style.stroke}"/>`;
}

export function frame(width: number, height: number, head: { title: string; subtitle: string; note?: string }, desc: string, body: readonly string[]): string {
  const { title, subtitle, note } = head;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" ${FONT}>`,
    `<title id="chart-title">${escapeXml(title)}</title>`,
    `<desc id="chart-desc">${escapeXml(`${subtitle} ${note ?? ""} ${desc}`)}</desc>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(20, 30, title, { size: 18, weight: "bold", anchor: "start" }),
    text(20, 52, subtitle, { size: 13, fill: MUTED, anchor: "start" }),
    ...(note ? [text(20, 70, note, { size: 12, fill: MUTED, anchor: "start" })] : []),
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}

export interface TextOptions {
  size: number;
  fill?: string;
  anchor?: "start" | "middle" | "end";
  weight?: "bold";
  rotate?: boolean;
}

export function text(x: number, y: number, content: string, o: TextOptions): string {
  const rotate = o.rotate ? ` transform="rotate(-90 ${x} ${y})"` : "";
  const weight = o.weight ? ` font-weight="${o.weight}"` : "";
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${o.size}" fill="${o.fill ?? INK}" text-anchor="${o.anchor ?? "middle"}"${weight}${rotate}>${escapeXml(content)}</text>`;
}

/** 0 and 4-6 round steps up to at least `max`, with headroom for the value printed above the tallest mark. */
export function niceTicks(max: number): number[] {
  const top = max > 0 ? max * 1.12 : 1;
  const rough = top / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let t = 0; t < top + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? 0) < top) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Axis ticks print as few decimals as their step needs: 2.5, 5, 7.5, not 2.50. */
function formatTick(v: number): string {
  return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 10) return v.toFixed(1).replace(/\.0$/, "");
  if (v === 0) return "0";
  return v.toFixed(2);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
