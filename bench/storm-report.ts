// The restart storm's printed table (the shape of issue 19's: one column per build and signal), and the
// verdict: a confirmed message lost or shown twice live, or a client that never came back, fails the run;
// speed never does (its targets are marked ✓/✗ beside the figure, for reading).
import { signalName } from "./storm-plan.js";
import type { WindowSummary } from "./storm-summary.js";
import type { StormRunResult } from "./storm.js";
import type { Percentiles } from "./stats.js";

const TARGET_BACK_S = 10;
const TARGET_HEALTH_P99_MS = 500;
const TARGET_DELIVERY_P99_MS = 50;

type Row = [label: string, cell: (r: StormRunResult) => string];

export function formatStormTable(runs: readonly StormRunResult[]): string {
  const first = runs[0];
  if (first === undefined) return "(no runs)";
  const rows: Row[] = [
    ["until every client is back in its room (target ≤ 10 s)", (r) => (r.isAllBack ? `${s(r.backSeconds)} ${mark(r.backSeconds <= TARGET_BACK_S)}` : `not all: ${int(r.stillOut)} still out after ${s(r.stormWallSeconds)} ✗`)],
    ["each client's return p50 / p95 / max", (r) => `${s(r.returnSeconds.p50)} / ${s(r.returnSeconds.p95)} / ${s(r.returnSeconds.max)}`],
    ["clients cut off by the restart", (r) => int(r.returned)],
    [
      first.nodes === 1 ? "the new server's CPU in that time (per client back)" : "the nodes' CPU in that time (per client back)",
      (r) => `${s(r.serverCpuSeconds)} (${ms(r.serverCpuMsPerReturn, 2)} per client)`,
    ],
    [first.nodes === 1 ? "the new server's peak RSS in that time" : "the largest node's peak RSS in that time", (r) => `${(r.serverPeakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    ["the load generator's CPU in that time / other processes'", (r) => `${s(r.loadgenCpuSeconds)} / ${s(r.otherCpuSeconds)}`],
    ["the old server: signal to exit (its CPU meanwhile)", (r) => `${s((r.steps.exitedAtMs - r.steps.signalAtMs) / 1000)} (${s(r.oldServerCpuSeconds)})`],
    ["the new server: signal to first /healthz 200", (r) => s((r.steps.healthyAtMs - r.steps.signalAtMs) / 1000)],
    [
      "connections dropped by the kernel, accept queue full (machine-wide; the kernel's cap on the queue, net.core.somaxconn)",
      (r) => `${Number.isFinite(r.listenOverflows) ? int(r.listenOverflows) : "n/a"} (${r.somaxconn === null ? "cap unknown" : int(r.somaxconn)})`,
    ],
    ["joins refused overloaded / rate_limited", (r) => `${int(r.storm.joins.overloaded ?? 0)} / ${int(r.storm.joins.rate_limited ?? 0)}`],
    ["joins that got no answer within 15 s (retried)", (r) => int(r.storm.joins.no_answer ?? 0)],
    ["other join refusals", (r) => otherRefusals(r.storm.joins)],
    [
      "/healthz on the app's port during the storm p50 / p99 / max",
      (r) => `${ms(r.health.latencyMs.p50)} / ${ms(r.health.latencyMs.p99)} / ${ms(r.health.latencyMs.max)}`,
    ],
    ["… polls refused (nothing listening) / unanswered in 30 s", (r) => `${int(r.health.refused)} of ${int(r.health.polls)} / ${int(r.health.unanswered)}`],
    [
      "/healthz on HEALTH_PORT (health thread) p50 / p99 / max (target p99 < 500 ms)",
      (r) =>
        r.healthThread.answered === 0
          ? "n/a (no health thread)"
          : `${ms(r.healthThread.latencyMs.p50)} / ${ms(r.healthThread.latencyMs.p99)} / ${ms(r.healthThread.latencyMs.max)} ${mark(r.healthThread.latencyMs.p99 < TARGET_HEALTH_P99_MS && r.healthThread.unanswered === 0)}`,
    ],
    [
      "… polls refused (nothing listening) / answered 503 (starting, stopping) / unanswered",
      (r) => `${int(r.healthThread.refused)} of ${int(r.healthThread.polls)} / ${int(Object.values(r.healthThread.notOk).reduce((a, b) => a + b, 0))} / ${int(r.healthThread.unanswered)}`,
    ],
    ['"has joined" notices received during the storm: about others / own', (r) => `${int(r.storm.joinedAboutOthers)} / ${int(r.storm.joinedAboutSelf)}`],
    ['… about others, per client p50 / max', (r) => perClient(r.storm.joinedAboutOthersPerClient)],
    ["presence events received during the storm (names in them)", (r) => `${int(r.storm.presenceEvents)} (${int(r.storm.presenceNames)})`],
    ["… per client p50 / max", (r) => perClient(r.storm.presencePerClient)],
    ['"has left" notices during the storm', (r) => int(r.storm.left)],
    ['after everyone was back (steady window): "has joined" / presence / "has left"', (r) => `${int(r.after.joinedAboutOthers)} / ${int(r.after.presenceEvents)} / ${int(r.after.left)}`],
    ["confirmed messages lost / shown twice live (clients back in their room)", (r) => `${int(r.delivery.lost)} / ${int(r.delivery.liveDuplicates)} ${mark(r.delivery.lost === 0 && r.delivery.liveDuplicates === 0)}`],
    ["clients still out at the end / messages owed to them, not checkable", (r) => `${int(r.delivery.notCaughtUp)} / ${int(r.delivery.owedToClientsOut)}`],
    ["seen live and in a catch-up (the page shows it once) / repeated in catch-ups", (r) => `${int(r.delivery.liveAndHistory)} / ${int(r.delivery.historyRepeats)}`],
    ["messages confirmed, first by: own copy / ack / duplicate ack", (r) => `${int(r.ledger.confirmedByReceipt)} / ${int(r.ledger.confirmedByAck)} / ${int(r.ledger.confirmedByDuplicateAck)}`],
    ["sends not answered ok, by code", (r) => counts(r.ledger.sendFailures)],
    ["people lists wrong at the end", (r) => int(r.delivery.wrongPeopleLists)],
    ["steady before: delivery p50 / p99 (target p99 ≤ 50 ms)", (r) => latency(r.before)],
    ["steady after: delivery p50 / p99 (target p99 ≤ 50 ms)", (r) => latency(r.after)],
    ["… p99 by the receiving client's node, before / after (deliveries)", (r) => `${latencyByNode(r.before)} / ${latencyByNode(r.after)}`],
    ["steady before / after: server CPU, load generator CPU (cores)", (r) => `${r.before.figures.serverCpuShare.toFixed(2)}, ${r.before.figures.loadgenCpuShare.toFixed(2)} / ${r.after.figures.serverCpuShare.toFixed(2)}, ${r.after.figures.loadgenCpuShare.toFixed(2)}`],
    ["reconnectAfterMs given by server_shutdown p50 / max (notices)", (r) => (r.storm.shutdownNotices === 0 ? "none" : `${ms(r.storm.reconnectAfterMs.p50)} / ${ms(r.storm.reconnectAfterMs.max)} (${int(r.storm.shutdownNotices)})`)],
    ["disconnects during the storm, by reason", (r) => counts(r.storm.disconnects)],
    ["failed connection attempts during the storm, by error", (r) => connectErrors(r.storm.other)],
    ["load average at start / end", (r) => `${r.loadAverage.atStart} / ${r.loadAverage.atEnd}`],
  ];
  const head = `| ${first.setup}, ${first.clients.toLocaleString("en-US")} clients in ${first.rooms} rooms | ${runs.map((r) => `${r.build}, ${signalName(r.signal)}`).join(" | ")} |`;
  const rule = `| --- |${runs.map(() => " ---: |").join("")}`;
  return [head, rule, ...rows.map(([label, cell]) => `| ${label} | ${runs.map((r) => cell(r)).join(" | ")} |`)].join("\n");
}

/** A client that never came back, lost or live-duplicated confirmed messages, or a ledger that could not be checked: the run fails. */
export function stormFailures(runs: readonly StormRunResult[]): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const name = `${r.build}, ${r.setup}, ${signalName(r.signal)}`;
    if (!r.isAllBack) out.push(`${name}: ${r.stillOut} clients not back in their room ${s(r.stormWallSeconds)} after the signal`);
    if (r.delivery.lost > 0) out.push(`${name}: ${r.delivery.lost} confirmed deliveries lost`);
    if (r.delivery.liveDuplicates > 0) out.push(`${name}: ${r.delivery.liveDuplicates} messages shown twice live`);
    if (r.ledger.pendingAtEnd > 0) out.push(`${name}: ${r.ledger.pendingAtEnd} sends never confirmed (the ledger is incomplete)`);
    if (r.delivery.unexpected > 0) out.push(`${name}: ${r.delivery.unexpected} messages that were never sent into the room arrived`);
  }
  return out;
}

function latency(w: WindowSummary): string {
  return `${ms(w.latencyMs.p50)} / ${ms(w.latencyMs.p99)} ${mark(w.latencyMs.p99 <= TARGET_DELIVERY_P99_MS)} (${int(w.latencyMs.count)} deliveries)`;
}

/** "node 0 14 ms (41,200), node 1 …": after a failover the nodes carry different numbers of clients. */
function latencyByNode(w: WindowSummary): string {
  if (w.latencyByNode.length === 0) return "none";
  return w.latencyByNode.map((n) => `node ${n.node} ${ms(n.latencyMs.p99)} (${int(n.receipts)})`).join(", ");
}

function perClient(p: Percentiles): string {
  return `${int(p.p50)} / ${int(p.max)}`;
}

function otherRefusals(joins: Record<string, number>): string {
  const rest = Object.entries(joins).filter(([code]) => !["ok", "overloaded", "rate_limited", "no_answer"].includes(code));
  return rest.length === 0 ? "none" : rest.map(([code, n]) => `${code} ${int(n)}`).join(", ");
}

/** "connect_error websocket error" and the like, from the clients' other events: what failed handshakes looked like. */
function connectErrors(other: Record<string, number>): string {
  const prefix = "connect_error ";
  return counts(Object.fromEntries(Object.entries(other).filter(([k]) => k.startsWith(prefix)).map(([k, n]) => [k.slice(prefix.length), n])));
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c);
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${k} ${int(n)}`).join(", ");
}

function mark(isMet: boolean): string {
  return isMet ? "✓" : "✗";
}

function s(seconds: number): string {
  return Number.isFinite(seconds) ? `${seconds.toFixed(1)} s` : "n/a";
}

function ms(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return "n/a";
  return `${v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ms`;
}

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}
