// A node dies while one master of the Redis Cluster is frozen (SIGSTOP), not the node registry's. The survivor's
// heartbeat reaps the dead node's entries: a room on the frozen master would cost it a command timeout, which failed the
// heartbeat (redis_stalled, /healthz 503) though the registry's master answers. Rooms whose master is marked stalled are
// left for later (presence_reap_deferred), the other rooms are reaped at once, and the deferred ones once it answers.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectTo } from "../helpers/child-server.js";
import { health, startCluster, type Cluster } from "../helpers/cluster.js";
import { masterApartFrom, resumeMasters, whileMarkedStalled } from "../helpers/frozen-masters.js";
import { roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { nextLog } from "../helpers/stall-logs.js";
import { waitFor } from "../helpers/wait.js";

const env = { REDIS_COMMAND_TIMEOUT_MS: "1000", LOG_WARN_INTERVAL_MS: "0" };

/** The dead node's room list (redis-presence-keys.ts): on the frozen master, the whole node would wait for it. */
const DEAD_NODE_ROOMS = "mr:p:{n:node-b}:rooms";

/** Which of `calls` answers first (the others may then fail: they are awaited no further). */
function firstOf(calls: Record<string, Promise<unknown>>): Promise<string> {
  return Promise.race(Object.entries(calls).map(([name, call]) => call.then(() => name)));
}

describe("cluster: reaping a dead node while one master of the Redis Cluster is frozen", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true, env });
  });
  afterAll(async () => {
    resumeMasters(cluster);
    await cluster?.remove();
  });

  it("reaps the dead node's rooms on healthy masters at once, defers its room on the frozen master without failing the heartbeat, and reaps that one once it answers", async () => {
    const survivor = cluster.node(0);
    const server = survivor.server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the nodes and the Redis Cluster must be running");
    const frozen = masterApartFrom(redis, [DEAD_NODE_ROOMS]);
    const rooms = roomsOnEveryMaster(redis, "reap");
    const frozenRoom = rooms[frozen.index] as string;
    const healthyRoom = rooms[(frozen.index + 1) % rooms.length] as string;
    const ana = await connectTo(survivor.url);
    const bo = await connectTo(cluster.node(1).url);
    try {
      for (const room of [frozenRoom, healthyRoom]) {
        expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
        expect(await bo.timeout(5000).emitWithAck("join_chat", { room, username: "Bo" })).toMatchObject({ ok: true });
      }
      const registryStallsBefore = server.logs.filter((l) => l.event === "redis_stalled").length;
      const { result: { frozenRoomReaped }, answering } = await whileMarkedStalled(server, frozen, async () => {
        const deferred = nextLog(server, "presence_reap_deferred", 15_000);
        const registryStalled = nextLog(server, "redis_stalled", 15_000);
        const healthyRoomReaped = waitFor(ana, "presence", (p) => p.room === healthyRoom && p.left?.includes("Bo") === true, 15_000);
        const frozenRoomReaped = waitFor(ana, "presence", (p) => p.room === frozenRoom && p.left?.includes("Bo") === true, 30_000);
        for (const wait of [deferred, registryStalled, healthyRoomReaped, frozenRoomReaped]) wait.catch(() => undefined); // awaited below
        await cluster.node(1).kill();
        // Without the deferral the reap asks the frozen master about Bo's room there, times out and fails the heartbeat.
        expect(await firstOf({ deferred, redis_stalled: registryStalled })).toBe("deferred");
        expect(await deferred).toMatchObject({ rooms: 1 });
        await healthyRoomReaped;
        expect((await health(survivor.url)).status).toBe(200);
        return { frozenRoomReaped };
      });
      // Deferred rooms stay in the dead node's list and the node registered: a later reap ends Bo's presence there.
      await Promise.all([answering, frozenRoomReaped]);
      expect(server.logs.filter((l) => l.event === "redis_stalled").length).toBe(registryStallsBefore);
      const cy = await connectTo(survivor.url);
      try {
        expect(await cy.timeout(10_000).emitWithAck("join_chat", { room: frozenRoom, username: "Cy" })).toMatchObject({ ok: true, users: ["Ana", "Cy"] });
      } finally {
        cy.disconnect();
      }
    } finally {
      ana.disconnect();
      bo.disconnect();
    }
  });
});
