// Redis stops answering but keeps its connections open (a frozen or swamped server: SIGSTOP here). The links stay
// "ready", so only an unanswered heartbeat shows it: /healthz must say so (503, redis unavailable) within a
// couple of heartbeats, not answer "ok" for as long as the freeze lasts, and say ok again once Redis answers.
// Requests that wait on Redis (a join's name check, a send's shared rate limit) answer within a few
// REDIS_COMMAND_TIMEOUT_MS as they do while Redis is down, on one Redis and on a Redis Cluster alike, and
// everything works again once Redis answers. On one Redis, once the heartbeat has shown the freeze, a join is
// refused without asking Redis at all.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo, type LogRecord } from "../helpers/child-server.js";
import { health, startCluster, type Cluster } from "../helpers/cluster.js";
import { newClientId } from "../helpers/emit.js";
import { whileMarkedStalled } from "../helpers/frozen-masters.js";
import { roomChannel, roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { nextLog, nextMasterLog } from "../helpers/stall-logs.js";
import { connectProbe, raceJoin, readOnMaster, type JoinRace } from "../helpers/stall-races.js";
import type { RedisServer } from "../helpers/redis.js";
import { waitFor } from "../helpers/wait.js";

/** Short, so a join (rate limit, room record, name check: three commands in turn) is refused within seconds. */
const COMMAND_TIMEOUT_MS = 1000;
// Every warning written: each test awaits its own redis_stalled, which a 10 s repeat window would leave out.
const env = { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), LOG_WARN_INTERVAL_MS: "0" };

/** The running redis-server processes of a cluster: its one Redis, or every master of its Redis Cluster. */
function redisPids(of: Cluster): number[] {
  const servers = of.redisCluster?.masters ?? (of.redis === null ? [] : [of.redis]);
  const pids = servers.map((s) => s.pid()).filter((pid): pid is number => pid !== null);
  if (pids.length === 0) throw new Error("redis-server must be running");
  return pids;
}

/** In case a test failed while Redis was stopped: the cluster's removal must find it answering. */
function resume(of: Cluster | undefined): void {
  for (const server of of?.redisCluster?.masters ?? (of?.redis ? [of.redis] : [])) {
    const pid = server.pid();
    if (pid !== null) process.kill(pid, "SIGCONT");
  }
}

/** Ana's send into `room` while Redis is frozen: its shared rate limit waits one command timeout there. */
function sendWhileStalled(ana: ClientSocket, room: string, content: string): Promise<unknown> {
  return ana.emitWithAck("send_message", { room, username: "Ana", content, clientId: newClientId() });
}

/** A join the node refused without asking Redis answers before that send, which is still stored and acknowledged. */
function expectJoinRefusedBeforeSend(race: JoinRace<unknown>, content: string): void {
  expect(race.joined).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
  expect(race.other).toMatchObject({ ok: true, message: { content } });
  expect(race.order).toEqual(["join", "send"]);
}

/**
 * Freezes every Redis server of `frozen` around a join and a send on its one node: the join is refused
 * presence_unavailable and the send stored and acknowledged (as while Redis is down) instead of waiting for the
 * freeze; once Redis answers, the node catches its sockets up and joins and sends work again.
 */
async function joinAndSendWhileFrozen(frozen: Cluster, room: string): Promise<void> {
  const node = frozen.node(0);
  const server = node.server();
  const masters = frozen.redisCluster?.masters ?? [];
  let answering: Promise<LogRecord>[] = [];
  const pids = redisPids(frozen);
  const ana = await connectTo(node.url);
  const cy = await connectTo(node.url);
  try {
    expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
    const caughtUp = waitFor(ana, "resync", (p) => p.room === room, 30_000);

    for (const pid of pids) process.kill(pid, "SIGSTOP");
    let joinMs: number;
    let sendMs: number;
    let sentId: number;
    try {
      // No client timeout: without REDIS_COMMAND_TIMEOUT_MS these wait for the freeze, and the test's own timeout fails.
      let started = performance.now();
      const refused = await cy.emitWithAck("join_chat", { room, username: "Cy" });
      joinMs = performance.now() - started;
      expect(refused).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
      // A Redis Cluster's masters were marked stalled by now (their PINGs went unanswered while the join waited):
      // joins into their rooms are refused until each answers again.
      if (server !== null) answering = masters.map((m) => nextMasterLog(server, "redis_master_answering", m, 30_000));

      started = performance.now();
      const sent = await ana.emitWithAck("send_message", { room, username: "Ana", content: "while Redis is frozen", clientId: newClientId() });
      sendMs = performance.now() - started;
      // Stored in PostgreSQL, so acknowledged: the database is the truth, other nodes catch up by resync.
      if (!sent.ok) throw new Error(`send refused: ${sent.error.code}`);
      sentId = sent.message.id;
      // The heartbeats that timed out meanwhile did not count as answers: Redis is still reported down.
      expect(await health(node.url)).toMatchObject({ status: 503, body: { engines: { redis: "unavailable" } } });
    } finally {
      for (const pid of pids) process.kill(pid, "SIGCONT");
    }
    console.log(JSON.stringify({ redis: frozen.redisCluster ? "cluster" : "single", commandTimeoutMs: COMMAND_TIMEOUT_MS, joinRefusedMs: Math.round(joinMs), sendAckedMs: Math.round(sendMs) }));

    // Redis answers: the node recovers as after an outage and its sockets catch up from the database.
    await Promise.all([caughtUp, ...answering]);
    // The refused join's claim, which Redis ran when it woke, was swept: nobody holds "Cy" in the room.
    const dee = await connectTo(node.url);
    try {
      const deeJoined = await dee.timeout(5000).emitWithAck("join_chat", { room, username: "Dee" });
      expect(deeJoined).toMatchObject({ ok: true, users: ["Ana", "Dee"] });
      if (!deeJoined.ok) throw new Error(`join refused: ${deeJoined.error.code}`);
      expect(deeJoined.history.map((m: WireMessage) => m.id)).toContain(sentId);
    } finally {
      dee.disconnect();
    }
    expect(await cy.timeout(5000).emitWithAck("join_chat", { room, username: "Cy" })).toMatchObject({ ok: true });
    const after = await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "after", clientId: newClientId() });
    expect(after).toMatchObject({ ok: true, message: { content: "after" } });
    expect(await health(node.url)).toMatchObject({ status: 200 });
  } finally {
    ana.disconnect();
    cy.disconnect();
  }
}

describe("cluster: Redis stops answering without closing its connections", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl"), env });
  });
  afterAll(async () => {
    resume(cluster);
    await cluster?.remove();
  });

  it("turns /healthz to 503 (redis unavailable) while the heartbeat goes unanswered, and back to ok once Redis answers", async () => {
    const node = cluster.node(0);
    const server = node.server();
    const pid = cluster.redis?.pid();
    if (server === null || pid === null || pid === undefined) throw new Error("the node and redis-server must be running");
    expect((await health(node.url)).status).toBe(200);

    process.kill(pid, "SIGSTOP");
    try {
      // PRESENCE_TTL_MS 1500: a heartbeat every 500 ms; one still unanswered when the next is due marks Redis stalled.
      expect(await server.waitForLog((l) => l.event === "redis_stalled", 10_000)).toMatchObject({ level: "warn" });
      const frozen = await health(node.url);
      expect(frozen).toMatchObject({ status: 503, body: { status: "unavailable", engines: { database: "ok", redis: "unavailable" } } });
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await server.waitForLog((l) => l.event === "redis_answering", 10_000);
    expect(await health(node.url)).toMatchObject({ status: 200, body: { status: "ok", engines: { redis: "ok" } } });
  });

  it("answers a join presence_unavailable and stores a send (as while Redis is down) instead of waiting for the freeze, then works again once Redis answers", async () => {
    await joinAndSendWhileFrozen(cluster, "frozen");
  });

  it("once it has marked Redis stalled, refuses a join presence_unavailable without asking Redis (before a send that waits one command timeout is acked); joins work again once Redis answers", async () => {
    const node = cluster.node(0);
    const server = node.server();
    const pid = cluster.redis?.pid();
    if (server === null || pid === null || pid === undefined) throw new Error("the node and redis-server must be running");
    const room = "known-stall";
    const ana = await connectTo(node.url);
    const cy = await connectTo(node.url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
      const stalled = nextLog(server, "redis_stalled");
      process.kill(pid, "SIGSTOP");
      let race: JoinRace<unknown>;
      let answering: Promise<LogRecord> | undefined;
      try {
        await stalled;
        answering = nextLog(server, "redis_answering", 30_000);
        // The send's shared rate limit asks the frozen Redis and waits one REDIS_COMMAND_TIMEOUT_MS before the node's
        // memory count answers; a join that asked Redis (rate limit, room record, name check) would wait three.
        race = await raceJoin("send", () => sendWhileStalled(ana, room, "while stalled"), cy, room, "Cy");
      } finally {
        process.kill(pid, "SIGCONT");
      }
      console.log(JSON.stringify({ redis: "single", commandTimeoutMs: COMMAND_TIMEOUT_MS, joinAfterStallMarkedMs: Math.round(race.joinMs), order: race.order }));
      expectJoinRefusedBeforeSend(race, "while stalled");

      await answering;
      expect(await cy.timeout(5000).emitWithAck("join_chat", { room, username: "Cy" })).toMatchObject({ ok: true, users: ["Ana", "Cy"] });
    } finally {
      ana.disconnect();
      cy.disconnect();
    }
  });
});

describe("cluster: every master of a Redis Cluster stops answering", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true, env });
  });
  afterAll(async () => {
    resume(cluster);
    await cluster?.remove();
  });

  it("answers a join presence_unavailable and stores a send instead of waiting for the freeze, then works again once the masters answer", async () => {
    await joinAndSendWhileFrozen(cluster, "frozen-cluster");
  });

  it("once it has marked every master stalled, refuses a join presence_unavailable without asking Redis (before a send that waits one command timeout is acked); joins work again once they answer", async () => {
    const node = cluster.node(0);
    const server = node.server();
    const masters = cluster.redisCluster?.masters ?? [];
    if (server === null || masters.length === 0) throw new Error("the node and the masters must be running");
    const room = "known-stall-cluster";
    const ana = await connectTo(node.url);
    const cy = await connectTo(node.url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
      const stalled = masters.map((m) => nextMasterLog(server, "redis_master_stalled", m));
      for (const pid of redisPids(cluster)) process.kill(pid, "SIGSTOP");
      let race: JoinRace<unknown>;
      let answering: Promise<LogRecord>[] = [];
      let caughtUp: Promise<unknown> | undefined;
      try {
        await Promise.all(stalled);
        answering = masters.map((m) => nextMasterLog(server, "redis_master_answering", m, 30_000));
        // Ana's name outlived the node's alive key in the frozen masters: the recovery registers it again, then resyncs.
        caughtUp = waitFor(ana, "resync", (p) => p.room === room, 30_000);
        // The send's shared rate limit waits one REDIS_COMMAND_TIMEOUT_MS on its frozen master; a join that asked Redis
        // would wait three (rate limit, the node's room list, the room's script).
        race = await raceJoin("send", () => sendWhileStalled(ana, room, "while every master is stalled"), cy, room, "Cy");
      } finally {
        resume(cluster);
      }
      console.log(JSON.stringify({ redis: "cluster, every master", commandTimeoutMs: COMMAND_TIMEOUT_MS, joinAfterStallMarkedMs: Math.round(race.joinMs), order: race.order }));
      expectJoinRefusedBeforeSend(race, "while every master is stalled");

      await Promise.all([...answering, caughtUp]);
      expect(await cy.timeout(10_000).emitWithAck("join_chat", { room, username: "Cy" })).toMatchObject({ ok: true, users: ["Ana", "Cy"] });
    } finally {
      ana.disconnect();
      cy.disconnect();
    }
  });

  it("once it has marked one master stalled, refuses a join into a room on it at once while a room on another master takes joins; joins work again once it answers", async () => {
    const node = cluster.node(0);
    const server = node.server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
    // Not the node registry's master: its heartbeat keeps being answered, so only the PING to each master shows the freeze.
    const frozenIndex = (redis.masterOf("mr:p:{nodes}:all") + 1) % redis.masters.length;
    const frozen = redis.masters[frozenIndex] as RedisServer;
    const rooms = roomsOnEveryMaster(redis, "one-frozen");
    const frozenRoom = rooms[frozenIndex] as string;
    const spareRoom = rooms[(frozenIndex + 1) % rooms.length] as string;
    const pid = frozen.pid();
    if (pid === null) throw new Error("the master must be running");
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    const ana = await connectTo(node.url);
    const cy = await connectTo(node.url);
    const dee = await connectTo(node.url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room: frozenRoom, username: "Ana" })).toMatchObject({ ok: true });
      const { result: race, answering } = await whileMarkedStalled(server, { server: frozen, pid }, async () => {
        // The test's own read of a key in the room's slot, on its frozen master: it times out before one command timeout
        // (stall-races.ts connectProbe), so a join that waited one there would answer after it.
        const race = await raceJoin("read", () => readOnMaster(probe, roomChannel(frozenRoom)), cy, frozenRoom, "Cy");
        expect(race.joined).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
        expect(race.other).toBe("timed out");
        // The room on a master that answers: no refusal (its keys on the frozen master, the node's room list or the
        // directory, do not hold it up: redis.frozen-master.test.ts).
        expect(await dee.timeout(15_000).emitWithAck("join_chat", { room: spareRoom, username: "Dee" })).toMatchObject({ ok: true, users: ["Dee"] });
        return race;
      });
      console.log(JSON.stringify({ redis: "cluster, one master", commandTimeoutMs: COMMAND_TIMEOUT_MS, joinAfterStallMarkedMs: Math.round(race.joinMs), order: race.order }));
      expect(race.order).toEqual(["join", "read"]);

      await answering;
      expect(await cy.timeout(10_000).emitWithAck("join_chat", { room: frozenRoom, username: "Cy" })).toMatchObject({ ok: true, users: ["Ana", "Cy"] });
    } finally {
      probe.disconnect();
      ana.disconnect();
      cy.disconnect();
      dee.disconnect();
    }
  });
});
