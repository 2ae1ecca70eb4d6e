// The room directory's master frozen (SIGSTOP) and marked stalled: a join's directory write is sent but not awaited,
// so the join answers without waiting REDIS_COMMAND_TIMEOUT_MS for it, and the master runs the write when it wakes.
// On three masters {dir} shares its master with the node registry ({nodes}), whose freeze stalls the whole node, so
// this drives the presence store as the nodes use it, with the mark given by the test (master-stalls.ts sets it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "ioredis";
import { createRedisPresence } from "../../src/cluster/redis-presence.js";
import { presenceKeys } from "../../src/cluster/redis-presence-keys.js";
import { connectRedisCluster } from "../../src/cluster/redis.js";
import { parseRedisClusterNodes } from "../../src/redis-cluster-config.js";
import { roomsOnEveryMaster, startRedisCluster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { arrivalOrder } from "../helpers/stall-logs.js";

const COMMAND_TIMEOUT_MS = 1000;

describe("redis presence: the directory's master is frozen", () => {
  let redis: RedisClusterServer;
  let client: Cluster;
  beforeAll(async () => {
    redis = await startRedisCluster(3);
    const settings = parseRedisClusterNodes(redis.seeds, []);
    if (settings === null) throw new Error("the cluster's seeds must parse");
    client = await connectRedisCluster(settings, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
  });
  afterAll(async () => {
    for (const server of redis?.masters ?? []) {
      const pid = server.pid();
      if (pid !== null) process.kill(pid, "SIGCONT");
    }
    client?.disconnect();
    await redis?.remove();
  });

  it("answers a join without waiting for the directory write, which the master runs once it answers", async () => {
    const frozenIndex = redis.masterOf(presenceKeys.directory);
    const healthyIndex = (frozenIndex + 1) % redis.masters.length;
    // A node whose room list, and a room whose keys, are on a master that answers: only the directory is frozen.
    const nodeId = ["dir-a", "dir-b", "dir-c", "dir-d", "dir-e", "dir-f"].find((id) => redis.masterOf(presenceKeys.nodeRooms(id)) !== frozenIndex);
    if (nodeId === undefined) throw new Error("no node id off the directory's master");
    const room = roomsOnEveryMaster(redis, "dir-frozen")[healthyIndex] as string;
    let isFrozen = false;
    const presence = createRedisPresence(client, {
      nodeId,
      ttlMs: 5000,
      graceMs: 1000,
      now: () => Date.now(),
      isKeyStalled: (key) => isFrozen && redis.masterOf(key) === frozenIndex,
    });
    await presence.heartbeat(); // registered before the freeze: a join then sends no heartbeat of its own
    const pid = redis.masters[frozenIndex]?.pid() ?? null;
    if (pid === null) throw new Error("the directory's master must be running");

    process.kill(pid, "SIGSTOP");
    let order: string[];
    try {
      isFrozen = true;
      // A read on the frozen master, sent before the join: it fails after one command timeout. Awaiting the
      // directory write, the join would answer one timeout after its own write was sent, so after this read.
      const read = client.zcard(presenceKeys.directory).then(
        () => "answered",
        () => "timed out",
      );
      const joined = presence.join(room, "Ana", "s:ana", "sock-1");
      order = await arrivalOrder({ read, join: joined });
      expect(await joined).toEqual({ ok: true, isNew: true });
      expect(await read).toBe("timed out");
    } finally {
      process.kill(pid, "SIGCONT");
      isFrozen = false;
    }
    expect(order).toEqual(["join", "read"]);
    // The write was sent before the freeze ended: the master ran it on waking, ahead of this read on the same link.
    expect(await client.zscore(presenceKeys.directory, room)).toBe("1");
  });
});
