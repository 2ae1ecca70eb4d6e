// The scale bench's arithmetic and tables (issue 21 §3), pure so test/bench.scale.test.ts can check them: work =
// busy CPU minus the idle CPU of as long, CPU per delivery per node, the foreign cost and the efficiency it allows.

/** One traffic phase of one cluster size, summed over its busy windows, idle already subtracted. */
export interface PhaseResult {
  /** Acknowledged sends, and sends that failed or timed out. */
  messages: number;
  failed: number;
  /** Per node: CPU seconds over the busy windows minus the idle windows' mean for as many windows. */
  nodeWorkCpuSeconds: number[];
  /** Per node: "message" events received by its clients. */
  deliveries: number[];
  postgresWorkCpuSeconds: number;
  redisWorkCpuSeconds: number;
  redisInBytes: number;
  redisOutBytes: number;
  /** Mean over the rooms that sent: how many nodes have a member (what per-room routing should reach). */
  interestedNodes: number;
  /** Length of the busy windows together. */
  seconds: number;
  /**
   * The control's work over the same windows (from 2 nodes; absent in runs before 2026-12-07): the same build alone
   * on SQLite, outside the cluster, so whatever it spends beyond its idle CPU is the machine's contention.
   */
  controlWorkCpuSeconds?: number;
}

export interface ClosedLoopResult {
  seconds: number;
  messages: number;
  deliveries: number;
}

export interface ScaleRow {
  nodes: number;
  /** Rooms per placement at this size (absent in runs before --share: 30 at every size). */
  rooms?: number;
  placed: PhaseResult;
  /** Only node A's rooms busy (nodes ≥ 2): what the other nodes spend on them is the foreign cost. */
  foreign?: PhaseResult;
  spread: PhaseResult;
  /** Every member through the documented nginx, which places a page by its room (absent in runs before it). */
  nginx?: PhaseResult;
  /** Rooms placed, every sender in a closed loop: the direct throughput, distorted by the shared cores. */
  closedLoop: ClosedLoopResult;
  /** /proc/loadavg when the row finished. */
  loadAverage: string;
}

/** Busy CPU minus the idle CPU of as long: `idleSum` over `idleWindows` windows, scaled to `busyWindows`. */
export function workOver(busy: readonly number[], idleSum: readonly number[], idleWindows: number, busyWindows: number): number[] {
  return busy.map((b, i) => b - ((idleSum[i] ?? 0) / idleWindows) * busyWindows);
}

/** Microseconds of work per delivery, per node; NaN for a node that delivered nothing. */
export function microsPerDelivery(phase: Pick<PhaseResult, "nodeWorkCpuSeconds" | "deliveries">): number[] {
  return phase.nodeWorkCpuSeconds.map((cpu, i) => {
    const n = phase.deliveries[i] ?? 0;
    return n > 0 ? (cpu * 1e6) / n : NaN;
  });
}

/** All nodes' work over all their deliveries: the cluster's CPU per delivery. */
export function clusterMicrosPerDelivery(phase: Pick<PhaseResult, "nodeWorkCpuSeconds" | "deliveries">): number {
  const n = sum(phase.deliveries);
  return n > 0 ? (sum(phase.nodeWorkCpuSeconds) * 1e6) / n : NaN;
}

/** The mean work of the nodes other than node A (index 0, which serves the busy rooms), as a share of node A's. */
export function foreignCost(nodeWork: readonly number[]): number {
  const [served, ...others] = nodeWork;
  if (served === undefined || others.length === 0 || served <= 0) return NaN;
  return sum(others) / others.length / served;
}

/**
 * The foreign cost with the control's work taken off each node without members first: what those nodes spend on the
 * busy rooms beyond what any idle process of the same build spends more on a busy machine.
 */
export function foreignCostMinusControl(nodeWork: readonly number[], controlWork: number): number {
  const [served, ...others] = nodeWork;
  if (served === undefined || others.length === 0 || served <= 0) return NaN;
  return (sum(others) / others.length - controlWork) / served;
}

/** The foreign phase's cost, "7.0 %" or "7.0 % (0.1 % minus the control's)" when the row has a control. */
export function formatForeignCost(foreign: PhaseResult): string {
  const raw = pct(foreignCost(foreign.nodeWorkCpuSeconds));
  if (foreign.controlWorkCpuSeconds === undefined) return raw;
  return `${raw} (${pct(foreignCostMinusControl(foreign.nodeWorkCpuSeconds, foreign.controlWorkCpuSeconds))} minus the control's)`;
}

/**
 * What N nodes give of N times one node's capacity when each also pays `foreign` for every other node's traffic:
 * a node's useful share is 1 / (1 + (N − 1) × foreign). A negative measured cost (noise) counts as none.
 */
export function efficiency(nodes: number, foreign: number): number {
  return 1 / (1 + (nodes - 1) * Math.max(0, foreign));
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** A figure per message of the phase (CPU seconds as µs, bytes as bytes). */
export function perMessage(total: number, messages: number, scale = 1): number {
  return messages > 0 ? (total * scale) / messages : NaN;
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "n/a");

/** "41.2 (39.8–43.0)": the cluster's figure, then the lowest and highest node. */
export function formatSpread(overall: number, perNode: readonly number[]): string {
  const finite = perNode.filter(Number.isFinite);
  if (finite.length <= 1) return fixed(overall, 1);
  return `${fixed(overall, 1)} (${fixed(Math.min(...finite), 1)}–${fixed(Math.max(...finite), 1)})`;
}

export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [head, head.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** CPU per delivery per node for both placements, the foreign cost, and the direct throughput against one node. */
export function formatScaleTable(rows: readonly ScaleRow[], efficiencyAt = 10): string {
  const one = rows.find((r) => r.nodes === 1);
  const baseRate = one ? one.closedLoop.deliveries / one.closedLoop.seconds : NaN;
  const head = [
    "nodes",
    "rooms per placement",
    "placed: µs CPU per delivery, per node (min–max)",
    "foreign cost",
    `efficiency at ${efficiencyAt} nodes`,
    "spread: µs CPU per delivery, per node (min–max)",
    "through nginx, by room: µs CPU per delivery, per node (min–max)",
    "paced deliveries/s (placed, spread)",
    "closed-loop deliveries/s (× one node)",
    "failed sends",
  ];
  const lines = rows.map((r) => {
    const fc = r.foreign ? foreignCost(r.foreign.nodeWorkCpuSeconds) : NaN;
    const rate = r.closedLoop.deliveries / r.closedLoop.seconds;
    return [
      String(r.nodes),
      String(r.rooms ?? 30),
      formatSpread(clusterMicrosPerDelivery(r.placed), microsPerDelivery(r.placed)),
      r.foreign ? formatForeignCost(r.foreign) : "(one node)",
      r.foreign ? fixed(efficiency(efficiencyAt, fc), 2) : "",
      formatSpread(clusterMicrosPerDelivery(r.spread), microsPerDelivery(r.spread)),
      r.nginx ? formatSpread(clusterMicrosPerDelivery(r.nginx), microsPerDelivery(r.nginx)) : "",
      `${fixed(sum(r.placed.deliveries) / r.placed.seconds, 0)}, ${fixed(sum(r.spread.deliveries) / r.spread.seconds, 0)}`,
      `${fixed(rate, 0)} (${fixed(rate / baseRate, 2)}×)`,
      String(r.placed.failed + r.spread.failed + (r.foreign?.failed ?? 0) + (r.nginx?.failed ?? 0)),
    ];
  });
  return markdownTable(head, lines);
}

/** What a message costs PostgreSQL and Redis, per placement: CPU and Redis's bytes against payload × interested nodes. */
export function formatServicesTable(rows: readonly ScaleRow[]): string {
  const head = ["nodes", "placement", "messages", "PostgreSQL µs CPU / message", "Redis µs CPU / message", "Redis bytes in / message", "Redis bytes out / message", "out ÷ in", "nodes with a member (per room)"];
  const lines = rows.flatMap((r) =>
    (["placed", "spread", "nginx"] as const).flatMap((placement) => {
      const p = r[placement];
      if (p === undefined) return [];
      return [[
        String(r.nodes),
        placement,
        String(p.messages),
        fixed(perMessage(p.postgresWorkCpuSeconds, p.messages, 1e6), 1),
        fixed(perMessage(p.redisWorkCpuSeconds, p.messages, 1e6), 1),
        fixed(perMessage(p.redisInBytes, p.messages), 0),
        fixed(perMessage(p.redisOutBytes, p.messages), 0),
        fixed(p.redisOutBytes / p.redisInBytes, 2),
        fixed(p.interestedNodes, 1),
      ]];
    }),
  );
  return markdownTable(head, lines);
}
