// Issue 17: private rooms against the model of test/helpers/access-model.ts on two nodes (in-process apps, each with
// its own PostgreSQL pool and Redis connections, on one database and one Redis). Every session has a tab on each
// node, so each admission is checked on both, and a leave, kick or ban must take the session's tabs out of the
// room on both nodes at once. MODEL_RUNS / MODEL_STEPS / MODEL_SEED as on SQLite.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it, onTestFinished } from "vitest";
import { checkAccessModel, MODEL_ENV, modelStats, signInModerator } from "../helpers/access-model.js";
import type { ClientSocket } from "../helpers/app.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

const RUNS = Number(process.env.MODEL_RUNS ?? 25);
const STEPS = Number(process.env.MODEL_STEPS ?? 40);
const SEED = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : undefined;
const TEST_TIMEOUT_MS = Math.max(180_000, RUNS * STEPS * 200);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
  const lines = [...modelStats.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  console.info(`access model (two nodes): MODEL_RUNS=${RUNS} MODEL_STEPS=${STEPS}; ${lines.join(" ")}`);
});

/** Closes the socket; resolves once the node it is connected to has handled the disconnect. */
function disconnectFrom(nodes: readonly TestNode[], socket: ClientSocket): Promise<void> {
  const serverSide = nodes.map((n) => n.app.io.of("/").sockets.get(socket.id ?? "")).find((s) => s !== undefined);
  if (serverSide === undefined) throw new Error("no such socket on any node");
  // Registered after the app's own handler, so it runs once the app has handled the disconnect.
  const done = new Promise<void>((resolve) => serverSide.once("disconnect", () => resolve()));
  socket.disconnect();
  return done;
}

describe("private rooms against a model (two nodes, PostgreSQL and Redis)", () => {
  it("after every step, on either node, nobody hears or reads a private room unless admitted, and every admitted session can", async () => {
    const databaseUrl = await clusterDatabase();
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    const nodes: TestNode[] = [];
    onTestFinished(async () => {
      for (const n of nodes) await n.close();
    });
    for (const id of ["node-a", "node-b"]) nodes.push(await startNode(id, databaseUrl, redis.url, { ...MODEL_ENV }));
    const moderatorCookie = await signInModerator((nodes[0] as TestNode).url, newSession());
    await checkAccessModel(
      {
        urls: nodes.map((n) => n.url),
        newSession,
        moderatorCookie,
        connect: (node, cookie) => (nodes[node] as TestNode).connect(cookie ?? undefined),
        disconnect: (socket) => disconnectFrom(nodes, socket),
      },
      { numRuns: RUNS, maxCommands: STEPS, timeLimitMs: TEST_TIMEOUT_MS - 20_000, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  }, TEST_TIMEOUT_MS);
});
