// A join's keys outside its room on a frozen (SIGSTOP) master that the stall watch has marked: the directory write is
// sent but not awaited (and the master runs it when it wakes), the node's room list is left to the heartbeat, and the
// shared rate limit counts in memory, so the join does not wait REDIS_COMMAND_TIMEOUT_MS for any of them; the HTTP
// API's minute budgets (invite links, push changes) count in memory the same way. On three
// masters {dir} shares its master with the node registry ({nodes}), whose freeze stalls the whole node, so these drive
// the presence store and the limits as the nodes use them, on a real Redis Cluster, with the mark given by the test
// (master-stalls.ts sets it; test/cluster/redis.frozen-master.test.ts runs the whole app).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "ioredis";
import { createRedisSharedLimits } from "../../src/chat/shared-limits.js";
import { createInviteLimiter } from "../../src/http/invite-limiter.js";
import { createRedisPages } from "../../src/cluster/redis-push.js";
import { createRedisPresence } from "../../src/cluster/redis-presence.js";
import { presenceKeys } from "../../src/cluster/redis-presence-keys.js";
import { connectRedisCluster } from "../../src/cluster/redis.js";
import { loadConfig } from "../../src/config.js";
import { createCapturingLogger } from "../../src/log.js";
import { parseRedisClusterNodes } from "../../src/redis-cluster-config.js";
import { roomsOnEveryMaster, startRedisCluster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { arrivalOrder } from "../helpers/stall-logs.js";

const COMMAND_TIMEOUT_MS = 1000;

describe("redis: a join's keys outside its room on a frozen master", () => {
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

  /**
   * Freezes master `frozenIndex` (marked stalled for `isKeyStalled` meanwhile) around `call`, raced against a read on
   * that master sent just before it, which fails after one command timeout: a call that waited for the frozen master
   * would answer after that read. Returns the order of the answers and what `call` resolved to.
   */
  async function raceWhileFrozen<T>(frozenIndex: number, mark: { isFrozen: boolean }, probeKey: string, call: () => Promise<T>): Promise<{ order: string[]; value: T }> {
    if (redis.masterOf(probeKey) !== frozenIndex) throw new Error("the probe key must be on the frozen master");
    const pid = redis.masters[frozenIndex]?.pid() ?? null;
    if (pid === null) throw new Error("the master must be running");
    process.kill(pid, "SIGSTOP");
    try {
      mark.isFrozen = true;
      const read = client.exists(probeKey).then(
        () => "answered",
        () => "timed out",
      );
      const value = call();
      const order = await arrivalOrder({ read, call: value });
      expect(await read).toBe("timed out");
      return { order, value: await value };
    } finally {
      process.kill(pid, "SIGCONT");
      mark.isFrozen = false;
    }
  }

  /** The presence store of node `nodeId`, told that `frozenIndex` is stalled while `mark.isFrozen`; registered already. */
  async function presenceOf(nodeId: string, frozenIndex: number, mark: { isFrozen: boolean }) {
    const presence = createRedisPresence(client, {
      nodeId,
      ttlMs: 5000,
      graceMs: 1000,
      now: () => Date.now(),
      isKeyStalled: (key) => mark.isFrozen && redis.masterOf(key) === frozenIndex,
    });
    await presence.heartbeat(); // registered before the freeze: a join then sends no heartbeat of its own
    return presence;
  }

  /** A name from `prefix-0`, `prefix-1` ... that `keyOf` puts on master `index` (or off it, with `isOn` false). */
  function nameFor(prefix: string, keyOf: (name: string) => string, index: number, isOn: boolean): string {
    for (let i = 0; i < 1000; i++) if ((redis.masterOf(keyOf(`${prefix}-${i}`)) === index) === isOn) return `${prefix}-${i}`;
    throw new Error(`no ${prefix} name found`);
  }

  it("answers a join without waiting for the directory write, which the master runs once it answers", async () => {
    const frozenIndex = redis.masterOf(presenceKeys.directory);
    const mark = { isFrozen: false };
    // The node's room list and the room's keys on masters that answer: only the directory is frozen.
    const presence = await presenceOf(nameFor("dir", presenceKeys.nodeRooms, frozenIndex, false), frozenIndex, mark);
    const room = roomsOnEveryMaster(redis, "dir-frozen")[(frozenIndex + 1) % redis.masters.length] as string;

    const { order, value } = await raceWhileFrozen(frozenIndex, mark, presenceKeys.directory, () => presence.join(room, "Ana", "s:ana", "sock-1"));
    expect(value).toEqual({ ok: true, isNew: true });
    expect(order).toEqual(["call", "read"]);
    // The write was sent before the freeze ended: the master ran it on waking, ahead of this read on the same link.
    expect(await client.zscore(presenceKeys.directory, room)).toBe("1");
  });

  it("answers a join without writing the node's room list on the frozen master, and the next heartbeat after writes it", async () => {
    const frozenIndex = (redis.masterOf(presenceKeys.directory) + 1) % redis.masters.length;
    const mark = { isFrozen: false };
    const nodeId = nameFor("list", presenceKeys.nodeRooms, frozenIndex, true);
    const presence = await presenceOf(nodeId, frozenIndex, mark);
    const room = roomsOnEveryMaster(redis, "list-frozen")[(frozenIndex + 1) % redis.masters.length] as string;

    const { order, value } = await raceWhileFrozen(frozenIndex, mark, presenceKeys.nodeRooms(nodeId), () => presence.join(room, "Bo", "s:bo", "sock-2"));
    expect(value).toEqual({ ok: true, isNew: true });
    expect(order).toEqual(["call", "read"]);
    // What lets a reaper find the node's entries there, should it die: written by the heartbeat once the master answers.
    await presence.heartbeat();
    expect(await client.smembers(presenceKeys.nodeRooms(nodeId))).toContain(room);
  });

  it("counts a rate-limited event in memory at once when its key's master is frozen", async () => {
    const frozenIndex = (redis.masterOf(presenceKeys.directory) + 2) % redis.masters.length;
    const mark = { isFrozen: false };
    const limits = createRedisSharedLimits(loadConfig({}).rateLimits, client, (key) => mark.isFrozen && redis.masterOf(key) === frozenIndex);
    const session = nameFor("s:frozen", (s) => `mr:join:session:${s}`, frozenIndex, true) as `s:${string}`;

    const { order, value } = await raceWhileFrozen(frozenIndex, mark, `mr:join:session:${session}`, () => limits.take(session, "join"));
    expect(value).toBe(0);
    expect(order).toEqual(["call", "read"]);
  });

  it("renews a session's push page count (the node's heartbeat waits for it) without waiting for its frozen master", async () => {
    const frozenIndex = (redis.masterOf(presenceKeys.directory) + 1) % redis.masters.length;
    const mark = { isFrozen: false };
    const pages = createRedisPages(client, { nodeId: "pages", ttlMs: 5000, now: () => Date.now(), log: createCapturingLogger(), isKeyStalled: (key) => mark.isFrozen && redis.masterOf(key) === frozenIndex });
    const session = nameFor("page", (s) => `mr:push:page:{${s}}:pages`, frozenIndex, true);
    pages.opened(session); // a tab of the session open on this node: the heartbeat renews its count
    await pages.heartbeat();

    const { order } = await raceWhileFrozen(frozenIndex, mark, `mr:push:page:{${session}}:pages`, () => pages.heartbeat());
    expect(order).toEqual(["call", "read"]);
  });

  it("counts an invite link's try in memory at once when its key's master is frozen (the push API's budget is the same limiter)", async () => {
    const frozenIndex = (redis.masterOf(presenceKeys.directory) + 1) % redis.masters.length;
    const mark = { isFrozen: false };
    const limiter = createInviteLimiter(10, client, (key) => mark.isFrozen && redis.masterOf(key) === frozenIndex);
    const address = nameFor("ip:frozen", (a) => `mr:invite:${a}`, frozenIndex, true);

    const { order, value } = await raceWhileFrozen(frozenIndex, mark, `mr:invite:${address}`, () => limiter.take([address]));
    expect(value).toBe(0);
    expect(order).toEqual(["call", "read"]);
  });
});
