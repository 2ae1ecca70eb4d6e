// The server's CPU per connect + join (from /proc, not wall time), for builds side by side: each server gets a fresh
// copy of a room of 100,000 messages, 200 joins to warm it, then `joins` joins, a fresh connection each; twice over,
// the builds taking turns. An entry whose path holds "baseline" is started as the baseline.
//   npm run build && node --import tsx bench/join-cpu.ts 3000 dist/server.js bench/results/.baseline/baseline-server.js
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBaseline } from "./baseline-build.js";
import { closeAll, connectClient, joinRoom } from "./chat-client.js";
import { copyFixture, fillDatabase } from "./fill-db.js";
import { ownNoticeAt } from "./join-timing.js";
import { readProc } from "./proc-stats.js";
import { startServer } from "./server-process.js";

const WARM_JOINS = 200;
const joins = Number(process.argv[2] ?? 3000);
buildBaseline(); // writes bench/results/.baseline/baseline-server.js, so the path in the usage line exists
const entries = process.argv.slice(3);
if (entries.length === 0) entries.push("dist/server.js", "bench/results/.baseline/baseline-server.js");
const dir = mkdtempSync(join(tmpdir(), "mr-join-cpu-"));
fillDatabase(join(dir, "fixture.db"), [{ room: "big", messages: 100_000 }]);

for (let pass = 0; pass < 2; pass++) {
  for (const [i, entry] of entries.entries()) {
    const databasePath = join(dir, `server${i}.db`);
    copyFixture(join(dir, "fixture.db"), databasePath);
    const server = await startServer({ target: entry.includes("baseline") ? "baseline" : "app", entry: resolve(entry), databasePath });
    try {
      for (let k = 0; k < WARM_JOINS; k++) await joinOnce(server.url, `w${k}`);
      const before = readProc(server.pid).cpuSeconds;
      const started = performance.now();
      for (let k = 0; k < joins; k++) await joinOnce(server.url, `p${k}`);
      const cpuUs = ((readProc(server.pid).cpuSeconds - before) / joins) * 1e6;
      console.log(`${entry}: server CPU per connect + join ${cpuUs.toFixed(0)} µs; wall per join ${((performance.now() - started) / joins).toFixed(2)} ms`);
    } finally {
      await server.stop();
    }
  }
}

async function joinOnce(url: string, name: string): Promise<void> {
  const socket = await connectClient(url);
  try {
    const notice = ownNoticeAt(socket, name, "big");
    await joinRoom(socket, "big", name);
    await notice;
  } finally {
    closeAll([socket]);
  }
}
