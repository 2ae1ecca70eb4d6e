import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { createMetrics } from "../src/metrics.js";
import { startTestApp } from "./helpers/app.js";
import { familyOf, readExposition, readPromql, substituteGrafanaVariables, type ExposedFamily } from "./helpers/promql.js";

const DASHBOARD = fileURLToPath(new URL("../docs/grafana-dashboard.json", import.meta.url));
/** Prometheus adds these to every series when it scrapes; the app never exposes them itself. */
const TARGET_LABELS = new Set(["instance", "job"]);
const ROOM = "general";

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  title?: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  __inputs?: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
  templating?: { list: { name: string; type: string; query?: { query?: string } | string; datasource?: { uid?: string } }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
const allPanels = (panels: readonly Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const queries = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? p.type, expr: t.expr ?? "" })));
/** `label_values(metric, label)` in the variables: the metric they list values of. */
const variableMetrics = (dashboard.templating?.list ?? []).flatMap((v) => {
  const query = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
  const m = /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)/.exec(query);
  return m?.[1] && m[2] ? [{ variable: v.name, metric: m[1], label: m[2] }] : [];
});

/** A /metrics response from the app after traffic that gives every labelled series a sample. */
async function scrapeAfterTraffic(): Promise<string> {
  const app = await startTestApp({
    env: { RATE_SEND_PER_SEC: "1", RATE_SEND_BURST: "1", MAX_CONNECTIONS_PER_IP: "2" },
    withProcessMetrics: true,
  });
  onTestFinished(app.close);
  const alice = await app.joined(ROOM, "alice");
  const sent = await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "hi" });
  expect(sent.ok).toBe(true);
  const limited = await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "again" });
  expect(limited).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  await app.connect();
  await expect(app.connect()).rejects.toThrow(); // a third connection from 127.0.0.1: refused handshake
  return (await request(app.app.http).get("/metrics").expect(200)).text;
}

/**
 * The registry createMetrics builds with every optional source on (multi-node, PostgreSQL, push), which a test app
 * on SQLite alone never has, with a sample in each labelled counter the scrape's traffic does not reach.
 */
async function everyModeExposition(): Promise<{ names: string[]; text: string }> {
  const metrics = createMetrics(
    {
      connectedSockets: () => 0,
      activeRooms: () => 0,
      cluster: { nodeId: "n1", isRedisUp: () => true, recoveries: () => 0 },
      pool: () => ({ total: 1, idle: 1, waiting: 0 }),
      pushQueue: () => 0,
    },
    false,
  );
  metrics.reactionsChanged.inc({ change: "on" });
  metrics.pushes.inc({ outcome: "delivered" });
  return { names: metrics.registry.getMetricsAsArray().map((m) => m.name), text: await metrics.registry.metrics() };
}

/** The app's own /metrics, and for the families it shows without a sample (or not at all), the every-mode registry's. */
async function exposedFamilies(): Promise<Map<string, ExposedFamily>> {
  const families = readExposition(await scrapeAfterTraffic());
  for (const [name, family] of readExposition((await everyModeExposition()).text)) if (!families.get(name)?.labelsBySample.size) families.set(name, family);
  return families;
}

const chartedNames = (families: Map<string, ExposedFamily>): Set<string | undefined> =>
  new Set(queries.flatMap(({ expr }) => readPromql(substituteGrafanaVariables(expr)).selectors.map((s) => familyOf(families, s.metric)?.[0])));

describe("docs/grafana-dashboard.json", () => {
  it("imports as it is: one Prometheus datasource input, used by every panel, query and variable", () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })]);
    const uids = [
      ...allPanels(dashboard.panels)
        .filter((p) => p.type !== "row")
        .flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
      ...(dashboard.templating?.list ?? []).filter((v) => v.type === "query").map((v) => v.datasource?.uid),
    ];
    expect(new Set(uids)).toEqual(new Set(["${DS_PROMETHEUS}"]));
    expect(queries.length).toBeGreaterThan(10);
  });

  it("queries only series, and labels, that the app's /metrics has", async () => {
    const families = await exposedFamilies();
    const problems: string[] = [];
    const labelsOf = (series: string, family: ExposedFamily): Set<string> => family.labelsBySample.get(series) ?? new Set();
    for (const { panel, expr } of queries) {
      const reads = readPromql(substituteGrafanaVariables(expr));
      const known = new Set(TARGET_LABELS);
      for (const { metric, matchedLabels } of reads.selectors) {
        const found = familyOf(families, metric);
        if (!found) {
          problems.push(`${panel}: ${metric} is not on /metrics`);
          continue;
        }
        const labels = labelsOf(metric, found[1]);
        for (const l of labels) known.add(l);
        for (const l of matchedLabels) if (!labels.has(l) && !TARGET_LABELS.has(l)) problems.push(`${panel}: ${metric} has no label ${l}`);
      }
      for (const l of reads.groupingLabels) if (!known.has(l)) problems.push(`${panel}: groups by ${l}, which none of its series has`);
    }
    for (const { variable, metric } of variableMetrics) if (!familyOf(families, metric)) problems.push(`variable ${variable}: ${metric} is not on /metrics`);
    expect(problems).toEqual([]);
    // The series the operations page promises are all charted.
    const charted = chartedNames(families);
    for (const name of ["mr_connected_sockets", "mr_active_rooms", "mr_messages_stored_total", "mr_ack_latency_seconds", "mr_errors_total", "mr_rate_limited_total", "mr_handshakes_refused_total", "mr_db_errors_total"]) {
      expect(charted, name).toContain(name);
    }
  });

  it("charts every metric the app registers (mr_*), those of multi-node, PostgreSQL and push included", async () => {
    const families = await exposedFamilies();
    const registered = new Set([...families.keys(), ...(await everyModeExposition()).names].filter((name) => name.startsWith("mr_")));
    const charted = chartedNames(families);
    expect([...registered].filter((name) => !charted.has(name)).sort()).toEqual([]);
  });
});

describe("reading PromQL and /metrics", () => {
  const exposition = [
    "# TYPE lat_seconds histogram",
    'lat_seconds_bucket{le="0.1",event="x"} 1',
    "lat_seconds_sum 1",
    "lat_seconds_count 1",
    "# TYPE jobs_count gauge",
    "jobs_count 3",
    "# TYPE req_total counter",
    'req_total{code="a"} 1',
  ].join("\n");
  const families = readExposition(exposition);

  it("strips _bucket, _sum and _count only from histograms and summaries", () => {
    expect(familyOf(families, "lat_seconds_bucket")?.[0]).toBe("lat_seconds");
    expect(familyOf(families, "lat_seconds_count")?.[0]).toBe("lat_seconds");
    expect(familyOf(families, "jobs_count")?.[0]).toBe("jobs_count");
    expect(familyOf(families, "jobs")).toBeUndefined();
    expect(familyOf(families, "req_total_bucket")).toBeUndefined();
    expect(familyOf(families, "lat_seconds")).toBeUndefined();
    expect([...(families.get("lat_seconds")?.labelsBySample.get("lat_seconds_bucket") ?? [])]).toEqual(["le", "event"]);
  });

  it("finds metric names, matched labels and grouping labels with Prometheus' grammar, and refuses broken PromQL", () => {
    const expr = substituteGrafanaVariables('histogram_quantile(0.9, sum by (le, event) (rate(lat_seconds_bucket{instance=~"$instance"}[$__rate_interval]))) / on() group_left sum(req_total)');
    expect(readPromql(expr)).toEqual({
      selectors: [
        { metric: "lat_seconds_bucket", matchedLabels: ["instance"] },
        { metric: "req_total", matchedLabels: [] },
      ],
      groupingLabels: ["le", "event"],
    });
    expect(() => readPromql("sum(rate(req_total[5m])")).toThrow(/not valid PromQL/);
    expect(() => readPromql("rate(req_total[$__rate_interval])")).toThrow(/not valid PromQL/);
  });
});
