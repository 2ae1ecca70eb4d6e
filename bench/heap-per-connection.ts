// Where an idle connection's bytes go (issue 20): `node --import tsx bench/heap-per-connection.ts [connections]`
// (after `npm run build`). Starts the app and the baseline in turn, each with --heapsnapshot-signal and --expose-gc, takes a heap
// snapshot of the warmed-up server with no clients, another with `connections` clients connected, joined (rooms of
// 10) and quiet, and a third with twice as many, and prints what grew, per connection, by constructor, over each
// step (the second leaves out what the first burst compiles or grows once): the live heap's answer to "what does the
// app keep per socket that the thinnest server does not". Rate limits stay on (the app's per-socket state is
// part of the question); only the per-address caps are off, since every client comes from 127.0.0.1.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { buildBaseline } from "./baseline-build.js";
import { closeAll, connectClient, forEachLimited, joinRoom, type ChatSocket } from "./chat-client.js";
import { GC_ON_SIGNAL_ARGS, memoryAfterGc } from "./idle-connections.js";
import { startServer, type RunningServer, type TargetName } from "./server-process.js";

const CONNECTIONS = Number(process.argv[2] ?? 1000);
const ROOM_SIZE = 10;
const TOP = 25;
const SETTLE_MS = 2000;
/** Every client comes from one address: only the per-address caps are off, every per-socket limit stays on. */
const PER_ADDRESS_OFF = { MAX_CONNECTIONS_PER_IP: "0", HANDSHAKES_PER_MINUTE_PER_IP: "0", RATE_COOKIELESS_IP_FACTOR: "10000" };

interface Group {
  count: number;
  bytes: number;
}

async function main(): Promise<void> {
  const entries: Record<TargetName, string> = { app: join(process.cwd(), "dist", "server.js"), baseline: buildBaseline() };
  for (const target of ["app", "baseline"] as const) {
    // Two fresh processes: a heap snapshot leaves its own memory behind, so RSS is read in a pass without any.
    // Each pass brings CONNECTIONS clients in twice: the second step's growth is per connection, without the
    // first burst's fixed costs (code compiled while joining, tables grown once).
    const memory = await withClients(target, entries[target], async (server, connect) => {
      const empty = await memoryAfterGc(server);
      await connect();
      const first = await memoryAfterGc(server);
      await connect();
      return [empty, first, await memoryAfterGc(server)] as const;
    });
    const [empty, first, second] = await withClients(target, entries[target], async (server, connect, dir) => {
      const none = await snapshot(server, dir);
      await connect();
      const one = await snapshot(server, dir);
      await connect();
      return [none, one, await snapshot(server, dir)] as const;
    });
    const kb = (bytes: number): string => (bytes / CONNECTIONS / 1024).toFixed(1);
    console.log(
      `\n${target}, per connection, each reading after a full GC: live heap + external ${kb(memory[1].liveBytes - memory[0].liveBytes)} KB (none → ${CONNECTIONS}), ` +
        `${kb(memory[2].liveBytes - memory[1].liveBytes)} KB (${CONNECTIONS} → ${2 * CONNECTIONS}); RSS ${kb(memory[1].rssBytes - memory[0].rssBytes)} KB, ${kb(memory[2].rssBytes - memory[1].rssBytes)} KB`,
    );
    report(`${target}, none → ${CONNECTIONS}`, empty, first);
    report(`${target}, ${CONNECTIONS} → ${2 * CONNECTIONS}`, first, second);
  }
}

/** A fresh, warmed-up server; each call of `connect` brings CONNECTIONS more clients in (joined, rooms of ROOM_SIZE) and lets them settle. */
async function withClients<T>(target: TargetName, entry: string, measure: (server: RunningServer, connect: () => Promise<void>, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `heap-${target}-`));
  const server = await startServer({ target, entry, databasePath: join(dir, "chat.db"), nodeArgs: [...GC_ON_SIGNAL_ARGS, "--heapsnapshot-signal=SIGUSR1"], extraEnv: PER_ADDRESS_OFF, relaxLimits: false });
  const sockets: ChatSocket[] = [];
  try {
    await warmUp(server.url);
    return await measure(
      server,
      async () => {
        const first = sockets.length;
        await forEachLimited(Array.from({ length: CONNECTIONS }, (_, i) => first + i), 50, async (i) => {
          const socket = await connectClient(server.url);
          sockets.push(socket);
          await joinRoom(socket, `idle${Math.floor(i / ROOM_SIZE)}`, `idle${i}`);
        });
        await sleep(SETTLE_MS);
      },
      dir,
    );
  } finally {
    closeAll(sockets);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function warmUp(url: string): Promise<void> {
  const socket = await connectClient(url);
  await joinRoom(socket, "warm", "warm");
  await socket.timeout(5000).emitWithAck("send_message", { username: "warm", room: "warm", content: "warm-up", clientId: crypto.randomUUID() });
  closeAll([socket]);
  await sleep(500);
}

/** SIGUSR1 makes the server write a snapshot (after a full GC) before it serves again (--heapsnapshot-signal): /healthz answering means it is whole. */
async function snapshot(server: RunningServer, dir: string): Promise<Map<string, Group>> {
  const known = new Set(readdirSync(dir));
  process.kill(server.pid, "SIGUSR1");
  await sleep(200);
  await healthz(server.url);
  const file = readdirSync(dir).find((f) => f.endsWith(".heapsnapshot") && !known.has(f));
  if (file === undefined) throw new Error("no heap snapshot was written");
  const groups = groupByConstructor(JSON.parse(readFileSync(join(dir, file), "utf8")) as HeapSnapshot);
  // HEAP_KEEP_DIR: keep each snapshot there, for bench/heap-retainers.ts (who holds what per connection).
  const keepDir = process.env.HEAP_KEEP_DIR;
  if (keepDir) copyFileSync(join(dir, file), join(keepDir, `${server.target}-${Date.now()}.heapsnapshot`));
  rmSync(join(dir, file));
  return groups;
}

function healthz(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/healthz`, { agent: false, timeout: 120_000 }, (res) => {
      res.resume();
      resolve();
    });
    req.once("error", reject);
    req.end();
  });
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type:name" (objects by constructor, closures by function name, strings as one group). */
function groupByConstructor(heap: HeapSnapshot): Map<string, Group> {
  const fields = heap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = heap.snapshot.meta.node_types[0];
  const groups = new Map<string, Group>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] as number] ?? "?";
    const name = type === "object" || type === "closure" || type === "native" ? (heap.strings[heap.nodes[i + nameAt] as number] ?? "?") : "";
    const key = `${type}${name ? `:${name.slice(0, 60)}` : ""}`;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += heap.nodes[i + sizeAt] as number;
    groups.set(key, group);
  }
  return groups;
}

function report(label: string, before: Map<string, Group>, after: Map<string, Group>): void {
  const rows = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: (a.count - b.count) / CONNECTIONS, bytes: (a.bytes - b.bytes) / CONNECTIONS };
  });
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`\n${label}: live heap (snapshots) grew ${(total / 1024).toFixed(1)} KB per connection (rooms of ${ROOM_SIZE})`);
  console.log("| what | objects per connection | bytes per connection |\n|---|---|---|");
  for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, TOP)) console.log(`| ${r.key} | ${r.count.toFixed(2)} | ${r.bytes.toFixed(0)} |`);
}

await main();
