// A node whose event loop was blocked (a long synchronous task, a long GC pause) while its heartbeat and its PINGs
// to the Redis Cluster's masters were in flight. Redis answered during the block, but the answers wait unread in
// the sockets, and after the block the heartbeat's timer can run before the loop reads them. That turn came late
// (src/cluster/late-turns.ts): it must not mark Redis or any master stalled, so /healthz stays 200 and no recovery
// runs. Before, it logged redis_stalled and redis_master_stalled for a healthy Redis.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedisSetup, type RedisSetup } from "../helpers/redis-setups.js";
import { startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

/** PRESENCE_TTL_MS: the heartbeat runs every third of it, 500 ms. */
const TTL_MS = 1500;
const BEAT_MS = TTL_MS / 3;
/** Longer than a turn and a half (so the next turn comes late), shorter than REDIS_COMMAND_TIMEOUT_MS (2 s). */
const BLOCK_MS = 2.5 * BEAT_MS;

function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else in this process runs, as in a long synchronous task
  }
}

describe("redis: a heartbeat turn after a blocked event loop", () => {
  let setup: RedisSetup;
  let node: TestNode;
  beforeAll(async () => {
    setup = await startRedisSetup("Redis Cluster");
    node = await startNode("node1", await clusterDatabase(), setup, { PRESENCE_TTL_MS: String(TTL_MS) });
  });
  afterAll(async () => {
    await node?.close();
    await setup?.remove();
  });

  it("marks neither Redis nor a master stalled, and /healthz stays 200", async () => {
    const member = await node.joined("late-turn", "Ana");
    expect(member.joinResult.ok).toBe(true);
    // The heartbeat's write (one MULTI on the registry's slot): once it is sent, the turn's PINGs are in flight too.
    // Block the loop from the check phase, after this turn's poll, so the answers arrive during the block and the
    // next turn's timer runs before the loop reads them.
    const multi = node.redis.multi.bind(node.redis);
    let beats = 0;
    let blocked = false;
    const beatsAfterBlock: (() => void)[] = [];
    const spy = vi.spyOn(node.redis, "multi").mockImplementation(((...args: Parameters<typeof multi>) => {
      const pipeline = multi(...args);
      beats++;
      if (!blocked) {
        blocked = true;
        setImmediate(() => blockEventLoop(BLOCK_MS));
      } else {
        beatsAfterBlock.shift()?.();
      }
      return pipeline;
    }) as typeof multi);
    try {
      // Two heartbeats after the blocked one: the late turn, then one on time that judges.
      await new Promise<void>((resolve) => beatsAfterBlock.push(() => undefined, resolve));
      expect(blocked).toBe(true);
      expect(beats).toBeGreaterThanOrEqual(3);
    } finally {
      spy.mockRestore();
    }
    const events = node.logs.map((l) => l.event);
    expect(events).not.toContain("redis_stalled");
    expect(events).not.toContain("redis_master_stalled");
    expect(events).not.toContain("redis_recovered");
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  });
});
