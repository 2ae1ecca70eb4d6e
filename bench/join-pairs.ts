// Workload 3's join, the servers measured in pairs: every server is up at once on its own copy of the fixture, and
// each round joins every room on each server in turn (the order flips every round), so a slow minute of the machine
// falls on all of them alike. Prints each server's join p50/p95/p99 per room, the ack alone, the connect before it,
// and the quantiles of all its joins, to see where two servers' distributions cross.
//   npm run build && node --import tsx bench/join-pairs.ts [rounds] [warm-up rounds]      (default 600, 50)
//   VARIANTS='[{"name":"app","target":"app"},{"name":"old","target":"app","entry":"../old/dist/server.js"},
//              {"name":"app semi16","target":"app","args":["--max-semi-space-size=16"]},{"name":"baseline","target":"baseline"}]'
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBaseline } from "./baseline-build.js";
import { closeAll, connectClient, joinRoom } from "./chat-client.js";
import { copyFixture, fillDatabase } from "./fill-db.js";
import { ownNoticeAt } from "./join-timing.js";
import { FULL_SIZES } from "./sizes.js";
import { startServer, type RunningServer, type TargetName } from "./server-process.js";
import { percentiles } from "./stats.js";

interface Variant {
  name: string;
  target: TargetName;
  env?: Record<string, string>;
  entry?: string;
  args?: string[];
}

const rounds = Number(process.argv[2] ?? 600);
const warmupRounds = Number(process.argv[3] ?? FULL_SIZES.joinWarmupRounds);
const variants: Variant[] = JSON.parse(process.env.VARIANTS ?? '[{"name":"app","target":"app"},{"name":"baseline","target":"baseline"}]') as Variant[];
const rooms = FULL_SIZES.fixtureRooms;
const dir = mkdtempSync(join(tmpdir(), "mr-join-pairs-"));
fillDatabase(join(dir, "fixture.db"), rooms);

const servers: RunningServer[] = [];
for (const [i, v] of variants.entries()) {
  const databasePath = join(dir, `server${i}.db`);
  copyFixture(join(dir, "fixture.db"), databasePath);
  const spec = { target: v.target, entry: v.entry ? resolve(v.entry) : v.target === "app" ? resolve("dist/server.js") : buildBaseline(), databasePath, extraEnv: v.env ?? {}, nodeArgs: v.args ?? [] };
  await (await startServer(spec)).stop(); // the first start migrates the legacy file, as in workload 6
  servers.push(await startServer(spec));
}

const joinsMs = variants.map(() => rooms.map(() => [] as number[]));
const acksMs = variants.map(() => [] as number[]);
const connectsMs = variants.map(() => [] as number[]);
try {
  for (let round = -warmupRounds; round < rounds; round++) {
    for (const [r, room] of rooms.entries()) {
      const order = variants.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const v of order) {
        const server = servers[v] as RunningServer;
        const connectStarted = performance.now();
        const socket = await connectClient(server.url);
        const connected = performance.now();
        const name = `j${r}n${round + warmupRounds}`;
        const notice = ownNoticeAt(socket, name, room.room);
        const started = performance.now();
        await joinRoom(socket, room.room, name);
        const acked = performance.now();
        const noticed = await notice;
        closeAll([socket]);
        if (round < 0) continue; // the warm-up rounds, as in workload 3
        joinsMs[v]?.[r]?.push(Math.max(acked, noticed) - started);
        acksMs[v]?.push(acked - started);
        connectsMs[v]?.push(connected - connectStarted);
      }
    }
  }
} finally {
  for (const server of servers) await server.stop();
}

const three = (samples: number[]): string => {
  const p = percentiles(samples);
  return `${p.p50.toFixed(2)}/${p.p95.toFixed(2)}/${p.p99.toFixed(2)}`;
};
const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9, 0.93, 0.95, 0.97, 0.99];
console.log(`${rounds} rounds after ${warmupRounds} untimed; ms as p50/p95/p99; join = until the ack and the joiner's own notice`);
for (const [i, v] of variants.entries()) {
  const perRoom = rooms.map((room, r) => `${room.room} ${three(joinsMs[i]?.[r] ?? [])}`).join("  ");
  console.log(`${v.name.padEnd(16)} join: ${perRoom}`);
  console.log(`${"".padEnd(16)} ack ${three(acksMs[i] ?? [])}  connect ${three(connectsMs[i] ?? [])}`);
  const all = (joinsMs[i] ?? []).flat().sort((a, b) => a - b);
  const at = (q: number): string => (all[Math.min(all.length - 1, Math.floor(q * all.length))] ?? NaN).toFixed(2);
  console.log(`${"".padEnd(16)} all joins at ${QUANTILES.map((q) => `${Math.round(q * 100)}%`).join(" ")}: ${QUANTILES.map(at).join(" ")}`);
}
