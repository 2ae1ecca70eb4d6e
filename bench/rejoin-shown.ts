// What a rejoin's `shown` list costs the server (CPU from /proc, not wall time): a room of 20,000 messages, and
// rejoins as a page makes them after a dropped connection (a fresh connection, `join_chat` with `since` at the
// room's newest id), without `shown` and with the 500 ids a long-open page lists (the newest 500, so 400 of them
// older than the server's page of HISTORY_LIMIT 100). The two kinds take turns in blocks of N rejoins.
//   npm run build && node --import tsx bench/rejoin-shown.ts [N = 200]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { closeAll, connectClient, ACK_TIMEOUT_MS } from "./chat-client.js";
import { fillDatabase } from "./fill-db.js";
import { readProc } from "./proc-stats.js";
import { startServer } from "./server-process.js";

const MESSAGES = 20_000;
const SHOWN = 500;
const WARM = 200;
const rejoins = Number(process.argv[2] ?? 200);
const BLOCKS = 15;
const dir = mkdtempSync(join(tmpdir(), "mr-rejoin-shown-"));
const databasePath = join(dir, "room.db");
fillDatabase(databasePath, [{ room: "big", messages: MESSAGES }]);
const server = await startServer({ target: "app", entry: resolve("dist/server.js"), databasePath });

try {
  const newest = await newestId(server.url);
  const shown = Array.from({ length: SHOWN }, (_, k) => newest - k);
  for (let k = 0; k < WARM; k++) await rejoinOnce(server.url, `w${k}`, newest, k % 2 === 0 ? undefined : shown);
  // Short blocks taking turns, and the median of each kind: a shared machine's load moves within a minute.
  const results = { without: [] as number[], with: [] as number[] };
  for (let block = 0; block < BLOCKS; block++) {
    for (const kind of ["without", "with"] as const) {
      const before = readProc(server.pid).cpuSeconds;
      for (let k = 0; k < rejoins; k++) await rejoinOnce(server.url, `${kind}${block}-${k}`, newest, kind === "with" ? shown : undefined);
      results[kind].push(((readProc(server.pid).cpuSeconds - before) / rejoins) * 1e6);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const without = median(results.without);
  const withShown = median(results.with);
  console.log(`server CPU per connect + rejoin, median of ${BLOCKS} blocks of ${rejoins}: without shown ${without.toFixed(0)} µs, with ${SHOWN} ids ${withShown.toFixed(0)} µs: shown adds ${(withShown - without).toFixed(0)} µs`);
} finally {
  await server.stop();
}

async function newestId(url: string): Promise<number> {
  const socket = await connectClient(url);
  try {
    const res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", { username: "probe", room: "big" });
    if (!res.ok) throw new Error(`join: ${res.error.code}`);
    return Math.max(...res.history.map((m: { id: number }) => m.id));
  } finally {
    closeAll([socket]);
  }
}

async function rejoinOnce(url: string, name: string, since: number, shown: number[] | undefined): Promise<void> {
  const socket = await connectClient(url);
  try {
    const payload = { username: name, room: "big", since, ...(shown ? { shown } : {}) };
    let res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", payload);
    // A busy machine makes the server shed joins (`overloaded`); the page waits as told and asks again.
    while (!res.ok && res.error.code === "overloaded") {
      await new Promise((done) => setTimeout(done, res.ok ? 0 : (res.error.retryAfterMs ?? 100)));
      res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", payload);
    }
    if (!res.ok) throw new Error(`rejoin as ${name}: ${res.error.code} ${res.error.message}`);
  } finally {
    closeAll([socket]);
  }
}
