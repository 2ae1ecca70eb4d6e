// One master of a Redis Cluster frozen (SIGSTOP: connections open, nothing answered), and not the node registry's.
// Once the node has marked it stalled, rooms on the other masters must not pay for it: a join into such a room does
// not wait REDIS_COMMAND_TIMEOUT_MS for its commands whose keys live on the frozen master (the shared rate limit, the
// node's room list), and the node's recovery leaves the frozen master's rooms alone until it answers, instead of
// trying them (a timeout each) again and again while it stays frozen. An "@name" in a send or an edit into a room on
// the frozen master does not wait for its presence read either.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo, type LogRecord } from "../helpers/child-server.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { newClientId } from "../helpers/emit.js";
import { REGISTRY_KEY, resumeMasters, runningMaster, whileMarkedStalled, type MasterToFreeze } from "../helpers/frozen-masters.js";
import { roomsOnEveryMaster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { arrivalOrder, nextLog } from "../helpers/stall-logs.js";
import { connectProbe, raceJoin, readOnMaster } from "../helpers/stall-races.js";
import { waitFor } from "../helpers/wait.js";

const COMMAND_TIMEOUT_MS = 1000;
const env = {
  REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
  LOG_WARN_INTERVAL_MS: "0",
  // Sends and edits are not rate limited here, so whichever master their rate-limit key would have landed on, only
  // what is tested (an "@"'s presence read) could make them wait for the frozen master.
  RATE_SEND_PER_SEC: "0",
};

/** The keys outside any room that a cookieless join on node-a (the cluster's first node) writes (redis-presence-keys.ts, shared-limits.ts). */
const JOIN_KEYS = ["mr:p:{n:node-a}:rooms", "mr:join:ip:ip:127.0.0.1"];

/** The master that owns the node's room list: frozen, it is asked by every join of the node, whatever its room. */
function masterToFreeze(redis: RedisClusterServer): MasterToFreeze {
  const index = redis.masterOf(JOIN_KEYS[0] as string);
  // The registry's master frozen would stall the heartbeat itself: a different test (redis.stall.test.ts).
  if (index === redis.masterOf(REGISTRY_KEY)) throw new Error("the node's room list shares the registry's master: pick another NODE_ID");
  return runningMaster(redis, index);
}

/** A message of Ana's in `room`, sent before the freeze: the edits below change it. */
async function sendHello(ana: ClientSocket, room: string): Promise<number> {
  const res = (await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "hello", clientId: newClientId() })) as { message: WireMessage };
  return res.message.id;
}

describe("cluster: one frozen master of a Redis Cluster", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true, env });
  });
  afterAll(async () => {
    resumeMasters(cluster);
    await cluster?.remove();
  });

  it("answers a join into a room on a healthy master before a read on the frozen master sent just before it", async () => {
    const server = cluster.node(0).server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
    const frozen = masterToFreeze(redis);
    // Both of the join's keys outside its room are on the frozen master: without skipping them it waits two timeouts.
    expect(JOIN_KEYS.map((key) => redis.masterOf(key))).toEqual([frozen.index, frozen.index]);
    const rooms = roomsOnEveryMaster(redis, "healthy-join");
    const frozenRoom = rooms[frozen.index] as string;
    const healthyRoom = rooms[(frozen.index + 1) % rooms.length] as string;
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    const ana = await connectTo(cluster.node(0).url);
    const dee = await connectTo(cluster.node(0).url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room: frozenRoom, username: "Ana" })).toMatchObject({ ok: true });
      const { result: { race, anaCaughtUp }, answering } = await whileMarkedStalled(server, frozen, async () => {
        // Ana's room is done by the recovery that follows the master's answer (deferred until then).
        const anaCaughtUp = waitFor(ana, "resync", (p) => p.room === frozenRoom, 30_000);
        // The test's own read of the node's room list, on the frozen master: it times out before one command timeout
        // (stall-races.ts connectProbe), so a join that waited one there would answer after it.
        const race = await raceJoin("read", () => readOnMaster(probe, JOIN_KEYS[0] as string), dee, healthyRoom, "Dee");
        expect(race.joined).toMatchObject({ ok: true, users: ["Dee"] });
        expect(race.other).toBe("timed out");
        return { race, anaCaughtUp };
      });
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, healthyRoomJoinMs: Math.round(race.joinMs), order: race.order }));
      expect(race.order).toEqual(["join", "read"]);

      await Promise.all([answering, anaCaughtUp]);
      // The node's room list the join skipped: the recovery's heartbeat (before any resync) recorded the room.
      expect(await redis.admin().smembers(JOIN_KEYS[0] as string)).toContain(healthyRoom);
      expect(await dee.timeout(10_000).emitWithAck("join_chat", { room: frozenRoom, username: "Dee" })).toMatchObject({ ok: true, users: ["Ana", "Dee"] });
    } finally {
      probe.disconnect();
      ana.disconnect();
      dee.disconnect();
    }
  });

  it("leaves the frozen master's rooms out of a recovery while it is frozen (no rebuild there fails) and does them once it answers", async () => {
    const server = cluster.node(0).server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
    const frozen = masterToFreeze(redis);
    const rooms = roomsOnEveryMaster(redis, "recovery");
    const frozenRoom = rooms[frozen.index] as string;
    const healthyRoom = rooms[(frozen.index + 1) % rooms.length] as string;
    // Ana connects first: a recovery goes through the node's sockets in that order, so it tries her room before Bo's.
    const ana = await connectTo(cluster.node(0).url);
    const bo = await connectTo(cluster.node(0).url);
    const cy = await connectTo(cluster.node(0).url);
    const ed = await connectTo(cluster.node(0).url);
    const isFrozenRoomFailure = (l: LogRecord): boolean => (l.event === "presence_rebuild_failed" && l.room === frozenRoom) || l.event === "presence_sweep_failed";
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room: frozenRoom, username: "Ana" })).toMatchObject({ ok: true });
      expect(await bo.timeout(5000).emitWithAck("join_chat", { room: healthyRoom, username: "Bo" })).toMatchObject({ ok: true });
      expect(await ed.timeout(5000).emitWithAck("join_chat", { room: frozenRoom, username: "Ed" })).toMatchObject({ ok: true });
      const failuresBefore = server.logs.filter(isFrozenRoomFailure).length;
      const { result: { anaCaughtUp }, answering } = await whileMarkedStalled(server, frozen, async () => {
        const anaCaughtUp = waitFor(ana, "resync", (p) => p.room === frozenRoom, 30_000);
        const deferred = nextLog(server, "presence_rebuild_deferred", 15_000);
        deferred.catch(() => undefined); // awaited below; an assertion that fails first must not leave it unhandled
        const boCaughtUp = waitFor(bo, "resync", (p) => p.room === healthyRoom, 15_000);
        // Ed's leave of Ana's room is refused at once (the master is marked), but its script is sent and times out on
        // the frozen master: Redis may run it later, so the node's next answered heartbeat (the registry's master
        // answers) recovers, while this master is still frozen.
        expect(await ed.emitWithAck("leave_chat", { room: frozenRoom })).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
        // Bo's room comes after Ana's in that recovery: had it asked the frozen master for her room (or swept the
        // node's room list there), that would have timed out and been logged by now.
        await boCaughtUp;
        expect(server.logs.filter(isFrozenRoomFailure).length).toBe(failuresBefore);
        expect(await deferred).toMatchObject({ rooms: 1 });
        return { anaCaughtUp };
      });
      // Once the master answers, the next recovery does Ana's room: her name is still hers, and she catches up.
      await Promise.all([answering, anaCaughtUp]);
      expect(await cy.timeout(10_000).emitWithAck("join_chat", { room: frozenRoom, username: "Cy" })).toMatchObject({ ok: true, users: ["Ana", "Cy"] });
      const failures = server.logs.filter(isFrozenRoomFailure).length - failuresBefore;
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, frozenRoomRebuildOrSweepFailures: failures }));
      expect(failures).toBe(0);
    } finally {
      ana.disconnect();
      bo.disconnect();
      cy.disconnect();
      ed.disconnect();
    }
  });

  /**
   * Ana and Cy join a room on the master to freeze and Ana sends "hello"; with the master frozen and marked, Ana's
   * `act` (an "@Cy" call, named `name` in the order) is raced against a read on that master sent just before it, which
   * times out before one command timeout (connectProbe): an act that asked the frozen master who is in the room would
   * answer after it.
   * `afterAnswering` runs once the master answers again. `ms` is the act's time, logged, never asserted.
   */
  async function raceInFrozenRoom<T>(name: string, act: (ana: ClientSocket, room: string, hello: number) => Promise<T>, afterAnswering: (ana: ClientSocket, room: string, hello: number) => Promise<void> = () => Promise.resolve()): Promise<{ order: string[]; answer: T; ms: number }> {
    const server = cluster.node(0).server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
    const frozen = masterToFreeze(redis);
    const room = roomsOnEveryMaster(redis, `mention-${name}`)[frozen.index] as string;
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    const ana = await connectTo(cluster.node(0).url);
    const cy = await connectTo(cluster.node(0).url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
      expect(await cy.timeout(5000).emitWithAck("join_chat", { room, username: "Cy" })).toMatchObject({ ok: true });
      const hello = await sendHello(ana, room);
      const { result: race, answering } = await whileMarkedStalled(server, frozen, async () => {
        const read = readOnMaster(probe, JOIN_KEYS[0] as string);
        const started = performance.now();
        let ms = Number.NaN;
        const acting = act(ana, room, hello).then((res) => {
          ms = performance.now() - started;
          return res;
        });
        const order = await arrivalOrder({ read, [name]: acting });
        expect(await read).toBe("timed out");
        return { order, answer: await acting, ms };
      });
      await answering;
      await afterAnswering(ana, room, hello);
      return race;
    } finally {
      probe.disconnect();
      ana.disconnect();
      cy.disconnect();
    }
  }

  it("stores an @name send into the frozen master's room without its mentions at once, before a read on that master sent just before it times out", async () => {
    const server = cluster.node(0).server();
    if (server === null) throw new Error("the node must be running");
    let unresolved: Promise<LogRecord> | undefined;
    const sent = await raceInFrozenRoom("send", (ana, room) => {
      unresolved = nextLog(server, "mentions_unresolved", 10_000, (l) => l.room === room);
      return ana.emitWithAck("send_message", { room, username: "Ana", content: "hello @Cy", clientId: newClientId() });
    });
    console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, mentionSendOrder: sent.order, sendAckMs: Math.round(sent.ms) }));
    expect(await unresolved).toMatchObject({ level: "warn" });
    // Today's outcome after the timeout, without it: stored and acknowledged, Cy (present) not resolved as mentioned.
    expect(sent.answer).toMatchObject({ ok: true, message: { content: "hello @Cy" } });
    expect((sent.answer as { message: WireMessage }).message.mentions).toBeUndefined();
    expect(sent.order).toEqual(["send", "read"]);
  });

  it("refuses an @name edit in the frozen master's room presence_unavailable at once, before a read on that master sent just before it times out", async () => {
    const edited = await raceInFrozenRoom(
      "edit",
      (ana, room, hello) => ana.emitWithAck("edit_message", { room, id: hello, content: "hello @Cy" }),
      // Once the master answers, the same edit reads who is present again and mentions Cy.
      async (ana, room, hello) => {
        expect(await ana.timeout(10_000).emitWithAck("edit_message", { room, id: hello, content: "hello @Cy" })).toMatchObject({ ok: true, message: { content: "hello @Cy", mentions: ["Cy"] } });
      },
    );
    console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, mentionEditOrder: edited.order, editAckMs: Math.round(edited.ms) }));
    // Today's outcome after the timeout, without it: refused (the text stays as it was).
    expect(edited.answer).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
    expect(edited.order).toEqual(["edit", "read"]);
  });
});
