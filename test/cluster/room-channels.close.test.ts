// A subscriber connection that RoomChannels is told to close must end for good, also while its server is away:
// after a Redis Cluster failover the node closes its connection to the master that died, and one left retrying
// kept "closing" on every attempt, which marked the node's link to Redis as down again after it had recovered.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { once } from "node:events";
import { Redis } from "ioredis";
import { RoomChannels } from "../../src/cluster/room-channels.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});
afterEach(() => {
  vi.useRealTimers();
});

/** As ShardChannels makes them: subscriber mode, no offline queue, re-subscribed by RoomChannels itself. */
function subscriber(): Redis {
  const client = new Redis(redis.url, { autoResubscribe: false, enableOfflineQueue: false, retryStrategy: (n) => Math.min(50 * n, 1000) });
  client.on("error", () => undefined);
  return client;
}

describe("RoomChannels.close", () => {
  it("ends a connection that is up", async () => {
    const client = subscriber();
    const channels = new RoomChannels(client, () => undefined);
    await once(client, "ready");
    await channels.subscribe("c1");
    const ended = once(client, "end");
    await channels.close();
    await ended;
    expect(client.status).toBe("end");
  });

  it("ends a connection whose server is gone: no reconnect attempt is left pending", async () => {
    const client = subscriber();
    const channels = new RoomChannels(client, () => undefined);
    await once(client, "ready");
    await channels.subscribe("c1");
    // ioredis schedules its next attempt with setTimeout: faked, so the test can run it at once and see whether it connects.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const retrying = once(client, "reconnecting");
    await redis.stop();
    await retrying;
    await channels.close();
    vi.advanceTimersByTime(5_000); // past any retry delay
    expect(client.status).not.toMatch(/^(connecting|connect|ready)$/);
    vi.useRealTimers();
    await redis.start();
  });
});
