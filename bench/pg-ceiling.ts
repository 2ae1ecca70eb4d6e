// PostgreSQL's ceiling on this machine (issue 21 §4): the app's real insert path (PostgresMessageRepository.append,
// with its group commit: appends that arrive while a batch is being written go into the next transaction) driven as
// hard as one load generator can for a fixed time, on Debian's PostgreSQL with fsync on. Reports inserts/s, the mean
// batch, and CPU per insert of PostgreSQL's processes (postmaster and backends, from /proc) and of this process (the
// Node side of the path: pg's encoding and the repository). "nodes" is how many repositories write at once, each
// with its own pool and its own rooms, as that many app nodes would.
//
//   npm run build && node --import tsx bench/pg-ceiling.ts [--seconds 20] [--nodes 1,3] [--in-flight 1000] [--rooms 200]
import { randomUUID } from "node:crypto";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import type { Logger } from "../src/log.js";
import { PostgresMessageRepository } from "../src/storage/postgres.js";
import { createDatabase, startPostgres, type PostgresServer } from "../test/helpers/postgres.js";
import { ownCpuSeconds, readLoadAverage, readProcessTreeCpuSeconds } from "./proc-stats.js";
import { fileStamp, writeJson } from "./report.js";
import type { CeilingRow } from "./pg-ceiling-types.js";
import { markdownTable } from "./scale-math.js";

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
/** The app's defaults (config.ts): PG_POOL_SIZE 10; the statement timeout generous, so a slow fsync is measured, not refused. */
const POOL = { poolSize: 10, statementTimeoutMs: 30_000, connectTimeoutMs: 5000 };

const SILENT: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };


interface Options {
  seconds: number;
  nodeCounts: number[];
  inFlight: number;
  rooms: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: "string", default: "20" },
      nodes: { type: "string", default: "1,3" },
      "in-flight": { type: "string", default: "1000" },
      rooms: { type: "string", default: "200" },
    },
  });
  const positive = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, not ${raw}`);
    return n;
  };
  return {
    seconds: positive("seconds", values.seconds),
    nodeCounts: values.nodes.split(",").map((n) => positive("nodes", n.trim())),
    inFlight: positive("in-flight", values["in-flight"]),
    rooms: positive("rooms", values.rooms),
  };
}

/** `inFlight` appends always outstanding, spread over the repositories and `rooms` rooms, for `seconds`. */
async function measure(server: PostgresServer, nodes: number, opts: Options): Promise<CeilingRow> {
  const url = await createDatabase(server.url(), `ceiling_${nodes}_${Date.now()}`);
  let batches = 0;
  let batchedRows = 0;
  const repos: PostgresMessageRepository[] = [];
  for (let i = 0; i < nodes; i++) {
    repos.push(await PostgresMessageRepository.open({ url, ...POOL, log: SILENT, onCommit: (rows) => void ((batches += 1), (batchedRows += rows)) }));
  }
  const postmaster = server.process()?.pid;
  if (postmaster === undefined) throw new Error("PostgreSQL is not running");
  try {
    // A short warm-up: connections opened, plans cached, before the measured window.
    await Promise.all(repos.map((repo, i) => drive(repo, i, nodes, { ...opts, seconds: 1 })));
    batches = 0;
    batchedRows = 0;
    const rowsBefore = await countRows(url);
    const pgBefore = readProcessTreeCpuSeconds(postmaster);
    const nodeBefore = ownCpuSeconds();
    const started = performance.now();
    const counts = await Promise.all(repos.map((repo, i) => drive(repo, i, nodes, opts)));
    const seconds = (performance.now() - started) / 1000;
    const postgresCpuSeconds = readProcessTreeCpuSeconds(postmaster) - pgBefore;
    const nodeCpuSeconds = ownCpuSeconds() - nodeBefore;
    const inserts = counts.reduce((a, c) => a + c.acked, 0);
    const failed = counts.reduce((a, c) => a + c.failed, 0);
    return {
      nodes,
      inFlight: opts.inFlight,
      seconds,
      inserts,
      failed,
      insertsPerSec: inserts / seconds,
      meanBatch: batches > 0 ? batchedRows / batches : 0,
      postgresCpuSeconds,
      nodeCpuSeconds,
      postgresMicrosPerInsert: (postgresCpuSeconds * 1e6) / inserts,
      nodeMicrosPerInsert: (nodeCpuSeconds * 1e6) / inserts,
      rowsStored: (await countRows(url)) - rowsBefore,
    };
  } finally {
    await Promise.all(repos.map((r) => r.close()));
  }
}

/** One repository's share of the lanes: each lane appends, waits for the commit, appends again. */
async function drive(repo: PostgresMessageRepository, index: number, nodes: number, opts: Options): Promise<{ acked: number; failed: number }> {
  const counts = { acked: 0, failed: 0 };
  const until = performance.now() + opts.seconds * 1000;
  const lanes = Math.max(1, Math.floor(opts.inFlight / nodes));
  const roomsHere = Math.max(1, Math.floor(opts.rooms / nodes));
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const room = `n${index}-room-${lane % roomsHere}`;
      while (performance.now() < until) {
        try {
          // A clientId as the page sends one: the path's idempotency lookup is part of what is measured.
          await repo.append({ room, sender: `user${lane}`, content: `message from lane ${lane}: some ordinary chat text`, sentAt: new Date(), clientId: randomUUID() });
          counts.acked++;
        } catch {
          counts.failed++;
        }
      }
    }),
  );
  return counts;
}

async function countRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM chat_message");
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

export function formatCeilingTable(rows: readonly CeilingRow[]): string {
  return markdownTable(
    ["writers (nodes)", "appends in flight", "inserts/s", "mean batch (rows per commit)", "PostgreSQL µs CPU / insert", "PostgreSQL cores busy", "Node µs CPU / insert", "failed"],
    rows.map((r) => [
      String(r.nodes),
      String(r.inFlight),
      r.insertsPerSec.toFixed(0),
      r.meanBatch.toFixed(1),
      r.postgresMicrosPerInsert.toFixed(1),
      (r.postgresCpuSeconds / r.seconds).toFixed(2),
      r.nodeMicrosPerInsert.toFixed(1),
      String(r.failed),
    ]),
  );
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const loadAtStart = readLoadAverage();
  const server = await startPostgres({ isDurable: true });
  const rows: CeilingRow[] = [];
  try {
    for (const nodes of opts.nodeCounts) {
      rows.push(await measure(server, nodes, opts));
      process.stderr.write(`[pg-ceiling] ${nodes} writer(s) done; load average ${readLoadAverage()}\n`);
    }
  } finally {
    await server.remove();
  }
  const loadAtEnd = readLoadAverage();
  console.log(`\nPostgreSQL ceiling: the app's append (group commit), ${opts.inFlight} appends in flight over ${opts.rooms} rooms, ${opts.seconds} s per row, fsync on.\n`);
  console.log(formatCeilingTable(rows));
  console.log(`\nPostgreSQL, the Node writers and nothing else of ours share ${cpus().length} cores; load average ${loadAtStart} at start, ${loadAtEnd} at the end.`);
  const lost = rows.filter((r) => r.rowsStored !== r.inserts);
  if (lost.length > 0) {
    console.error(`FAIL: rows stored differ from appends acknowledged: ${lost.map((r) => `${r.rowsStored} stored, ${r.inserts} acknowledged`).join(", ")}`);
    process.exitCode = 1;
  }
  const path = writeJson(RESULTS_DIR, `pg-ceiling-${fileStamp(startedAt)}.json`, { startedAt: startedAt.toISOString(), opts, loadAtStart, loadAtEnd, cpus: cpus().length, rows });
  console.log(`results: ${path}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
