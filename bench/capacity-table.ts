// Prints docs/capacity.md's table from a `--scale` run and a pg-ceiling run (their JSON in bench/results/):
//
//   node --import tsx bench/capacity-table.ts bench/results/scale-<stamp>.json bench/results/pg-ceiling-<stamp>.json
//
// The costs taken: node CPU per delivery with rooms spread, at the largest cluster size; Redis CPU per message with
// rooms placed and spread at that size (split into a fixed and a per-receiving-node part); PostgreSQL's CPU per
// insert and inserts/s from the ceiling run's fastest row. RSS per idle connection is docs/performance.md's.
import { readFileSync } from "node:fs";
import { sizeFor, splitRedisCost, usersAtLimit, type Assumptions, type MeasuredCosts } from "./capacity-model.js";
import type { CeilingRow } from "./pg-ceiling-types.js";
import { clusterMicrosPerDelivery, markdownTable, perMessage, type ScaleRow } from "./scale-math.js";

/** docs/performance.md, "Memory per idle connection": RSS 43.7-54.3 KB per idle connection after a full GC. */
const RSS_KB_PER_CONNECTION = 50;
export const ASSUMPTIONS: Assumptions = { messagesPerUserPerSec: 1 / 300, roomMembers: 50, connectionsPerNode: 20_000, plannedUtilisation: 0.5 };
const USERS = [1000, 10_000, 100_000, 1_000_000];

function main(): void {
  const [scalePath, ceilingPath] = process.argv.slice(2);
  if (scalePath === undefined || ceilingPath === undefined) throw new Error("usage: capacity-table.ts <scale-*.json> <pg-ceiling-*.json>");
  const scale = (JSON.parse(readFileSync(scalePath, "utf8")) as { rows: ScaleRow[] }).rows;
  const ceiling = (JSON.parse(readFileSync(ceilingPath, "utf8")) as { rows: CeilingRow[]; cpus: number }).rows;
  const largest = scale.reduce((a, b) => (b.nodes > a.nodes ? b : a));
  const fastest = ceiling.reduce((a, b) => (b.insertsPerSec > a.insertsPerSec ? b : a));
  const redisMicros = (p: ScaleRow["placed"]): number => perMessage(p.redisWorkCpuSeconds, p.messages, 1e6);
  const redis = splitRedisCost(redisMicros(largest.placed), redisMicros(largest.spread), largest.spread.interestedNodes);
  const costs: MeasuredCosts = {
    nodeMicrosPerDelivery: clusterMicrosPerDelivery(largest.spread),
    postgresMicrosPerInsert: fastest.postgresMicrosPerInsert,
    postgresCeilingPerSec: fastest.insertsPerSec,
    postgresCeilingCores: 2,
    redisMicrosPerMessage: redis.perMessage,
    redisMicrosPerReceivingNode: redis.perReceivingNode,
    rssKbPerConnection: RSS_KB_PER_CONNECTION,
  };
  console.log("costs:", JSON.stringify(costs));
  const rows = USERS.map((u) => sizeFor(u, costs, ASSUMPTIONS));
  console.log(
    markdownTable(
      ["concurrent users", "messages/s", "deliveries/s", "nodes (bound by)", "node cores busy", "node memory (RSS)", "PostgreSQL cores busy", "share of the measured ceiling", "Redis cores busy", "Redis shards"],
      rows.map((r) => [
        r.users.toLocaleString("en-US"),
        r.sendsPerSec.toFixed(1),
        r.deliveriesPerSec.toFixed(0),
        `${r.nodes} (${r.nodesBoundBy})`,
        r.nodeCores.toFixed(2),
        `${r.memoryGb.toFixed(1)} GB`,
        r.postgresCores.toFixed(2),
        `${(100 * r.postgresShareOfCeiling).toFixed(1)} %`,
        r.redisCores.toFixed(3),
        String(r.redisShards),
      ]),
    ),
  );
  const limits = usersAtLimit(costs, ASSUMPTIONS, 50);
  console.log(`one PostgreSQL primary (this machine's ceiling) at half load: ${Math.round(limits.postgresPrimary).toLocaleString("en-US")} users; one Redis shard at half a core (rooms spread over 50+ nodes): ${Math.round(limits.oneRedisShard).toLocaleString("en-US")} users`);
}

main();
