// npm run soak -- [--clients 300] [--duration 60] [--rooms N] [--tabs N] [--seed N]
// Starts the built server as a child process (temporary database, loopback only, rate limits relaxed),
// runs simulated people who join, chat, switch rooms, reconnect and go away at random (some with a second
// tab: same session cookie, same name, its own connection), then checks: every acknowledged message reached
// every member present for it exactly once, in the right room and in order on each connection; every
// reader's view of a room, across reconnects caught up with join_chat {since}, is exactly what was stored;
// no error line in the server log, the server's RSS grew less than 10 % after warm-up, and SIGTERM ends it
// with exit code 0 (see ledger.ts).
// Prints one summary line; exits 1 when a check fails (details go to stderr first). SOAK_RSS_TRACE=1 also
// prints the server's RSS curve to stderr. A failing run repeats with the --seed its summary line names
// (the same random choices; timing still varies).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Ledger } from "./ledger.js";
import { Person, type PersonStats } from "./person.js";
import { MemoryWatch } from "./memory.js";
import { startSoakServer, type SoakServer } from "./server.js";

const USAGE = "usage: npm run soak -- [--clients 300] [--duration 60] [--rooms N] [--tabs N] [--seed N]";
const MAX_RSS_GROWTH = 0.1;
const SAMPLE_EVERY_MS = 500;
/** RSS figures are medians over this long. */
const RSS_WINDOW_MS = 2000;
/** Warm-up lasts at least this share of the run (and 4 s), and ends at the next major GC or at LATEST. */
const WARMUP_MIN_SHARE = 0.25;
const WARMUP_LATEST_SHARE = 0.6;
const STOP_DEADLINE_MS = 10_000;
const THINK_MS: readonly [number, number] = [500, 3500];
/**
 * Warm-up brings the server to its steady state before RSS is measured (code optimised, heap sized for
 * this traffic), so its first part runs at this many times the normal rate. See memory.ts for where
 * warm-up ends, and SERVER_NODE_FLAGS in server.ts.
 */
const WARMUP_SPEEDUP = 5;

interface Options {
  clients: number;
  durationS: number;
  rooms: number;
  /** People with a second tab. */
  tabs: number;
  seed: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { clients: { type: "string" }, duration: { type: "string" }, rooms: { type: "string" }, tabs: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (raw: string | undefined, fallback: number, min: number, max: number, name: string): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  const clients = whole(values.clients, 300, 2, 2000, "clients");
  return {
    clients,
    durationS: whole(values.duration, 60, 10, 3600, "duration"),
    rooms: whole(values.rooms, Math.max(2, Math.round(clients / 25)), 1, 1000, "rooms"),
    tabs: whole(values.tabs, Math.max(1, Math.round(clients / 10)), 0, clients, "tabs"),
    seed: whole(values.seed, Date.now() % 1_000_000, 0, 2 ** 31, "seed"),
  };
}

/** mulberry32: a small seeded generator, so a failing run can be repeated with --seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The session cookie a browser gets with the page. */
async function pageCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/`);
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("mr_session="));
  if (!cookie) throw new Error("the page came without a session cookie");
  return cookie.split(";")[0] as string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Every stored message id, by room, ascending. */
function storedIds(databasePath: string): Map<string, number[]> {
  const db = new Database(databasePath, { readonly: true });
  try {
    const byRoom = new Map<string, number[]>();
    for (const r of db.prepare("SELECT id, chat_room AS room FROM chat_message ORDER BY id").all() as { id: number; room: string }[]) {
      const list = byRoom.get(r.room) ?? [];
      list.push(r.id);
      byRoom.set(r.room, list);
    }
    return byRoom;
  } finally {
    db.close();
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "mr-soak-"));
  const databasePath = join(dir, "chat.db");
  let server: SoakServer | null = null;
  try {
    server = await startSoakServer(databasePath, dir);
    const random = seeded(opts.seed);
    const ledger = new Ledger();
    const rooms = Array.from({ length: opts.rooms }, (_, i) => `room-${i + 1}`);
    const cookies = await Promise.all(Array.from({ length: opts.clients }, () => pageCookie((server as SoakServer).url)));

    const startedAt = performance.now();
    const endAt = startedAt + opts.durationS * 1000;
    const fastUntil = startedAt + Math.max(4000, opts.durationS * 1000 * WARMUP_MIN_SHARE);
    const memory = new MemoryWatch(server, SAMPLE_EVERY_MS);
    memory.start();

    // Arrivals spread over the first second or so, as a page full of tabs would not all connect in one tick.
    // Every k-th person has a second tab: receiver clients+j, same cookie and name, same first room.
    const base = { url: (server as SoakServer).url, rooms, endAt, thinkMs: THINK_MS, warmupEndsAt: fastUntil, warmupSpeedup: WARMUP_SPEEDUP, random, ledger };
    const firstRooms = cookies.map(() => rooms[Math.floor(random() * rooms.length)] as string);
    const people = cookies.map((cookie, index) => new Person({ ...base, index, cookie, firstRoom: firstRooms[index] }));
    for (let j = 0; j < opts.tabs; j++) {
      const owner = Math.floor((j * opts.clients) / opts.tabs);
      people.push(new Person({ ...base, index: opts.clients + j, name: `p${owner}`, cookie: cookies[owner] as string, firstRoom: firstRooms[owner], isExtraTab: true }));
    }
    const runs = people.map(async (p, i) => {
      await new Promise((r) => setTimeout(r, (i / people.length) * 1000));
      await p.run();
    });
    const outcomes = await Promise.allSettled(runs);
    memory.stop();
    for (const o of outcomes) if (o.status === "rejected") ledger.fail(String((o.reason as Error).message ?? o.reason));
    await Promise.allSettled(people.map((p) => p.finish()));

    const report = ledger.check();
    const exitCode = await server.stop(STOP_DEADLINE_MS);
    const storedByRoom = storedIds(databasePath);
    const stored = new Set([...storedByRoom.values()].flat());
    const ackedNotStored = [...ledger.acked.keys()].filter((id) => !stored.has(id)).length;
    const views = ledger.checkViews(storedByRoom);

    if (process.env.SOAK_RSS_TRACE) {
      const trace = memory.samples.filter((_, k) => k % 2 === 0).map((m) => `${((m.at - startedAt) / 1000).toFixed(0)}s:${mb(m.rssBytes)}${m.majorGcs === null ? "" : `/gc${m.majorGcs}`}`);
      console.error(`RSS MB by second (/gcN: major GCs so far): ${trace.join(" ")}`);
    }
    const mem = memory.verdict(fastUntil, startedAt + opts.durationS * 1000 * WARMUP_LATEST_SHARE, endAt, RSS_WINDOW_MS);
    const growth = mem.growth;
    const totals = people.reduce<PersonStats>(
      (sum, p) => {
        for (const key of Object.keys(sum) as (keyof PersonStats)[]) sum[key] += p.stats[key];
        return sum;
      },
      { sends: 0, joins: 0, roomSwitches: 0, reconnects: 0, aways: 0, typings: 0, fetches: 0, catchUpPages: 0 },
    );
    const errorLines = server.log.byLevel.error ?? 0;

    const problems: string[] = [];
    if (ledger.failures.length > 0) problems.push(`${ledger.failures.length} client-side failures: ${ledger.failures.slice(0, 5).join("; ")}`);
    if (report.missing > 0 || report.duplicates > 0 || report.unknown > 0 || report.wrongRoom > 0 || report.outOfOrder > 0) problems.push(`delivery: ${report.examples.join("; ")}`);
    if (views.broken > 0) problems.push(`${views.broken} of ${views.views} views differ from the database: ${views.examples.join("; ")}`);
    if (views.catchUps === 0) problems.push("no reconnect caught up with join_chat {since}: the catch-up check did not run");
    if (report.acked === 0) problems.push("no message was acknowledged");
    if (ackedNotStored > 0) problems.push(`${ackedNotStored} acknowledged messages are not in the database`);
    if (server.log.bad.length > 0) problems.push(`server log: ${server.log.bad.slice(0, 5).join(" | ")}`);
    if (!(growth < MAX_RSS_GROWTH)) problems.push(`RSS grew ${(growth * 100).toFixed(1)} % after warm-up (limit ${MAX_RSS_GROWTH * 100} %)`);
    if (exitCode !== 0) problems.push(`the server exited with ${String(exitCode)} on SIGTERM`);
    for (const p of problems) console.error(`soak: ${p}`);

    console.log(
      [
        `soak ${problems.length === 0 ? "PASS" : "FAIL"}: ${opts.clients} clients (+${opts.tabs} second tabs), ${opts.durationS} s, ${opts.rooms} rooms, seed ${opts.seed}`,
        `acked ${report.acked} sends (stored ${stored.size}, acked-not-stored ${ackedNotStored}), ack p50 ${percentile(ledger.ackLatenciesMs, 50).toFixed(1)} ms p99 ${percentile(ledger.ackLatenciesMs, 99).toFixed(1)} ms`,
        `deliveries ${report.delivered}/${report.expected}, missing ${report.missing}, duplicates ${report.duplicates}, unknown ${report.unknown}, wrong room ${report.wrongRoom}, out of order ${report.outOfOrder}`,
        `views ${views.views} (${views.catchUps} catch-ups with since, ${totals.catchUpPages} catch-up pages), differing from the database ${views.broken}`,
        `churn: ${totals.joins} joins, ${totals.roomSwitches} room switches, ${totals.reconnects} reconnects, ${totals.aways} away-and-back, ${totals.typings} typing, ${totals.fetches} history`,
        `server log ${server.log.lines} lines, ${errorLines} error, ${server.log.byLevel.warn ?? 0} warn`,
        `RSS ${mb(mem.baselineBytes)} MB after warm-up (${((fastUntil - startedAt) / 1000).toFixed(0)} s at ${WARMUP_SPEEDUP}x rate, ended ${mem.rule}, ${((mem.warmupEndsAt - startedAt) / 1000).toFixed(0)} s) -> ${mb(mem.finalBytes)} MB at the end (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)} %)`,
        `SIGTERM exit ${String(exitCode)}`,
      ].join(" | "),
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    if (server && !server.hasExited()) await server.stop(STOP_DEADLINE_MS);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
    console.log("soak FAIL: did not run to the end (see above)");
    process.exit(1);
  },
);
