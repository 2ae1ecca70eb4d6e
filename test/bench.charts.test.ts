import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../bench/args.js";
import { buildCharts, type Chart } from "../bench/charts.js";
import type { Results } from "../bench/report.js";
import { FULL_SIZES } from "../bench/sizes.js";
import type { TrafficResult } from "../bench/traffic.js";
import type { JoinRuns } from "../bench/join-runs.js";
import { labelSize, renderBarPanels } from "../bench/svg-chart.js";

function traffic(deliveredPerSec: number, p99: number): TrafficResult {
  return { deliveredPerSec, latencyMs: { p50: p99 / 2, p95: p99 * 0.9, p99, max: p99 * 2, count: 100 } } as TrafficResult;
}

function joins(p50s: number[]): JoinRuns {
  const sizes = [100, 100_000, 1_000_000];
  return {
    rooms: p50s.map((p50, i) => ({ room: `r${i}`, messages: sizes[i] ?? 0, joinMs: { p50, p95: p50, p99: p50, max: p50, count: 30 }, firstJoinMs: p50 })),
  } as JoinRuns;
}

const FULL_RUN: Results = {
  app: { errors: {}, oneRoom: traffic(101_585, 7.08), manyRooms: traffic(48_648, 9.64), burst: traffic(51_400, 380), joins: joins([1.1, 1.02, 0.94]) },
  baseline: { errors: {}, oneRoom: traffic(82_541, 6.38), manyRooms: traffic(28_598, 12.2), burst: traffic(30_760, 640), joins: joins([0.9, 0.8, 0.74]) },
};

/** Tags open and close in order, attributes are quoted, text holds no raw "<" or "&": the file parses as XML. */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos);)/g)) {
    if (m[2] === undefined) throw new Error(`stray "${m[0]}" at ${m.index}: ${svg.slice(m.index, m.index + 60)}`);
    if (m[4] === "/") continue;
    if (m[1] === "/") expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

function chart(charts: Chart[], file: string): string {
  const found = charts.find((c) => c.file === file);
  if (!found) throw new Error(`no ${file} among ${charts.map((c) => c.file).join(", ")}`);
  return found.svg;
}

describe("bench charts", () => {
  const charts = buildCharts(FULL_RUN, FULL_SIZES, { runNote: "Full bench, 2026-11-26, 2 CPUs." });

  it("draws throughput and p99 per traffic workload, app against baseline, with the values and ratios printed", () => {
    expect(charts.map((c) => c.file)).toEqual(["bench-throughput.svg", "bench-latency-p99.svg", "bench-join.svg"]);
    const throughput = chart(charts, "bench-throughput.svg");
    expectWellFormed(throughput);
    expect(throughput).toContain("<title id=\"chart-title\">Throughput: app against baseline</title>");
    expect(throughput).toContain("delivered messages/s");
    for (const v of ["101,585", "82,541", "48,648", "28,598", "app ÷ baseline 1.23", "1: one room, 50 clients", "5: burst of 2,000"]) {
      expect(throughput).toContain(v);
    }
    const p99 = chart(charts, "bench-latency-p99.svg");
    expectWellFormed(p99);
    for (const v of ["7.08", "6.38", "9.64", "12.2", "app ÷ baseline 0.79", "latency p99 (ms)"]) expect(p99).toContain(v);
  });

  it("draws join time against stored messages on a log axis, with both servers' medians printed", () => {
    const join = chart(charts, "bench-join.svg");
    expectWellFormed(join);
    expect(join).toContain("messages stored in the room (log scale)");
    for (const v of [">100<", ">100k<", ">1M<", "1.10", "0.94", "0.90", "0.74", "Full bench, 2026-11-26, 2 CPUs."]) expect(join).toContain(v);
    // The <desc> reads every figure out for screen readers.
    expect(/<desc[^>]*>([^<]*)<\/desc>/.exec(join)?.[1]).toContain("app: 1.10 ms at 100, 1.02 ms at 100k, 0.94 ms at 1M.");
  });

  it("leaves out what a run did not measure and never prints a ratio without both servers", () => {
    const appOnly = buildCharts({ app: { errors: {}, oneRoom: traffic(1000, 5) } }, FULL_SIZES, { runNote: "" });
    expect(appOnly.map((c) => c.file)).toEqual(["bench-throughput.svg", "bench-latency-p99.svg"]);
    const svg = chart(appOnly, "bench-throughput.svg");
    expectWellFormed(svg);
    expect(svg).toContain("1,000");
    expect(svg).not.toContain("÷");
    expect(svg).not.toContain("2: 20 rooms");
  });

  it("escapes text, so a title with markup stays text", () => {
    const svg = renderBarPanels({
      title: "<b>A & B</b>",
      subtitle: "s",
      yLabel: "y",
      unit: "u",
      panels: [{ title: "p", bars: [{ kind: "app", label: "app", value: 1 }] }],
    });
    expectWellFormed(svg);
    expect(svg).toContain("&lt;b&gt;A &amp; B&lt;/b&gt;");
  });
});

describe("npm run bench -- --chart", () => {
  it("takes a chart folder on a full run only, unless forced", () => {
    expect(parseBenchArgs(["--chart", "docs/"]).chartDir).toBe("docs/");
    expect(parseBenchArgs([]).chartDir).toBeUndefined();
    for (const partial of [["--quick"], ["--only", "1,3"], ["--target", "app"]]) {
      expect(() => parseBenchArgs(["--chart", "docs/", ...partial])).toThrow(/--chart needs the full bench/);
      expect(parseBenchArgs(["--chart", "/tmp/x", "--chart-force", ...partial]).chartDir).toBe("/tmp/x");
    }
  });
});

describe("bar labels", () => {
  it("keeps 13 px where a label fits its slot and shrinks it where it would reach the next one", () => {
    expect(labelSize("app", 100)).toBe(13);
    // Four "N nodes" in a 200 px panel: 50 px slots; 7 characters at 13 px are about 55 px wide.
    const size = labelSize("5 nodes", 50);
    expect(size).toBeLessThan(13);
    expect(size * 0.6 * "5 nodes".length).toBeLessThanOrEqual(50);
    expect(labelSize("a very long label indeed", 20)).toBe(9); // never unreadable
  });
});

