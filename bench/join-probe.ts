// A join, many times over, against the app and the baseline (workload 3's join, without its other rooms): a
// fresh connection joins a room of 100,000 messages, and the time from join_chat to both the ack and the
// joiner's own notice is kept. With PROFILE_DIR set, each server writes a CPU profile of the run.
//   node --import tsx bench/join-probe.ts [joins]      (default 2,000)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBaseline } from "./baseline-build.js";
import { closeAll, connectClient, joinRoom } from "./chat-client.js";
import { fillDatabase } from "./fill-db.js";
import { ownNoticeAt } from "./join-timing.js";
import { startServer, type TargetName } from "./server-process.js";
import { percentiles } from "./stats.js";

const joins = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), "mr-join-probe-"));
const room = { room: "big", messages: 100_000 };
const entries: Record<TargetName, string> = { app: resolve("dist/server.js"), baseline: buildBaseline() };

for (const target of ["baseline", "app"] as const) {
  const databasePath = join(dir, `${target}.db`);
  fillDatabase(databasePath, [room]);
  const profileDir = process.env.PROFILE_DIR;
  const server = await startServer({ target, entry: entries[target], databasePath, ...(profileDir ? { profileDir, profileName: `join-${target}.cpuprofile` } : {}) });
  const ms: number[] = [];
  const ackMs: number[] = [];
  try {
    for (let i = 0; i < joins; i++) {
      const socket = await connectClient(server.url);
      const name = `p${i}`;
      const notice = ownNoticeAt(socket, name, room.room);
      const started = performance.now();
      await joinRoom(socket, room.room, name);
      const ackAt = performance.now();
      const noticeAt = await notice;
      if (i >= 50) {
        ms.push(Math.max(ackAt, noticeAt) - started);
        ackMs.push(ackAt - started);
      }
      closeAll([socket]);
    }
  } finally {
    await server.stop();
  }
  const p = percentiles(ms);
  const a = percentiles(ackMs);
  console.log(`${target}: join+notice p50 ${p.p50.toFixed(2)} p95 ${p.p95.toFixed(2)} ms; ack p50 ${a.p50.toFixed(2)} p95 ${a.p95.toFixed(2)} ms (${ms.length} joins)`);
}
