// `npm run bench -- --nodes N`: the same fan-out traffic and join timing against three set-ups, measured in one
// run: one node on SQLite (the default), one node on PostgreSQL + Redis, and N nodes on PostgreSQL + Redis with
// the clients spread round robin over the nodes. PostgreSQL and Redis are Debian's, started by the cluster
// suite's harness (test/helpers/cluster.ts) with fsync on, so a commit costs what it costs in production.
// Every process shares this machine's cores with the load generator: see docs/performance.md for what that
// means for the N-node row.
import { join } from "node:path";
import { CLUSTER_TEST_ENV, startCluster } from "../test/helpers/cluster.js";
import { closeAll, connectClient, joinRoom, type ChatSocket } from "./chat-client.js";
import { RELAXED_LIMITS_ENV, startServer } from "./server-process.js";
import type { BenchSizes } from "./sizes.js";
import { percentiles, type Percentiles } from "./stats.js";
import { runTraffic, type TrafficResult } from "./traffic.js";

export interface ClusterRow {
  setup: string;
  nodes: number;
  traffic: TrafficResult;
  /** join_chat ack time of fresh clients joining the busy room (its history is the traffic just sent). */
  joinMs: Percentiles;
}

/** Production-like settings for the measured nodes: the cluster harness's short test timeouts are not wanted here. */
const MEASURED_ENV: Record<string, string | undefined> = {
  ...RELAXED_LIMITS_ENV,
  LOG_LEVEL: "warn",
  PRESENCE_TTL_MS: "15000",
  NAME_GRACE_MS: "15000",
  PG_POOL_SIZE: "10",
  PG_STATEMENT_TIMEOUT_MS: "5000",
  PG_CONNECT_TIMEOUT_MS: "5000",
  HEALTH_PROBE_INTERVAL_MS: "1000",
};
const JOIN_SAMPLES = 40;

export async function runClusterRows(opts: { sizes: BenchSizes; workDir: string; appEntry: string; nodes: number; progress: (line: string) => void }): Promise<ClusterRow[]> {
  const rows: ClusterRow[] = [];
  const sqlite = await startServer({ target: "app", entry: opts.appEntry, databasePath: join(opts.workDir, "cluster-sqlite.db") });
  try {
    rows.push(await measure("1 node, SQLite", 1, [sqlite.url], [sqlite.pid], opts.sizes));
  } finally {
    await sqlite.stop();
  }
  opts.progress(`cluster rows: 1 node on SQLite done`);
  for (const nodes of [1, opts.nodes]) {
    const setup = `${nodes} node${nodes === 1 ? "" : "s"}, PostgreSQL + Redis`;
    // Unset the harness's test values that MEASURED_ENV does not replace (they are for fault tests).
    const cleared = Object.fromEntries(Object.keys(CLUSTER_TEST_ENV).map((k) => [k, undefined]));
    const cluster = await startCluster({ nodes, isDurable: true, env: { ...cleared, ...MEASURED_ENV } });
    try {
      const pids = cluster.nodes.map((n) => n.server()?.pid ?? 0);
      rows.push(await measure(setup, nodes, cluster.nodes.map((n) => n.url), pids, opts.sizes));
    } finally {
      await cluster.remove();
    }
    opts.progress(`cluster rows: ${setup} done`);
  }
  return rows;
}

async function measure(setup: string, nodes: number, urls: string[], pids: number[], sizes: BenchSizes): Promise<ClusterRow> {
  const { members, senders, durationMs } = sizes.oneRoom;
  const traffic = await runTraffic(urls[0] ?? "", pids, { tag: `c${nodes}`, urls, rooms: [{ room: "fanout", members, senders }], drive: { kind: "closed_loop", durationMs } });
  return { setup, nodes, traffic, joinMs: await joinTimes(urls, "fanout") };
}

/** One fresh client at a time (spread over the nodes) joins the room the traffic filled; its join ack time. */
async function joinTimes(urls: readonly string[], room: string): Promise<Percentiles> {
  const samples: number[] = [];
  const sockets: ChatSocket[] = [];
  try {
    for (let i = 0; i < JOIN_SAMPLES; i++) {
      const socket = await connectClient(urls[i % urls.length] ?? "");
      sockets.push(socket);
      const startedAt = performance.now();
      await joinRoom(socket, room, `joiner${i}`);
      samples.push(performance.now() - startedAt);
    }
  } finally {
    closeAll(sockets);
  }
  return percentiles(samples);
}

export function formatClusterTable(rows: readonly ClusterRow[]): string {
  const head = ["set-up", "clients", "sends/s", "deliveries/s", "delivery p50 ms", "delivery p99 ms", "join p50 ms", "join p99 ms", "server CPU (cores, all nodes)", "other CPU (cores)", "lost/dup/reordered"];
  const lines = rows.map((r) => {
    const t = r.traffic;
    const v = t.violations;
    return [
      r.setup,
      String(t.clients),
      t.sendsPerSec.toFixed(0),
      t.deliveredPerSec.toFixed(0),
      t.latencyMs.p50.toFixed(1),
      t.latencyMs.p99.toFixed(1),
      r.joinMs.p50.toFixed(1),
      r.joinMs.p99.toFixed(1),
      t.window.serverCpuShare.toFixed(2),
      t.window.otherCpuShare.toFixed(2),
      `${v.lost}/${v.duplicated}/${v.reordered}`,
    ];
  });
  const all = [head, ...lines];
  return all.map((cells) => `| ${cells.join(" | ")} |`).join("\n").replace(/\n/, `\n|${head.map(() => " --- ").join("|")}|\n`);
}
