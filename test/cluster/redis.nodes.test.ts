// Several nodes on one PostgreSQL and one Redis (issue 10, §3): in-process createApp instances, real sockets,
// a real redis-server. Delivery across nodes once and in order, names and presence cluster-wide, a node that
// stops heartbeating, and Redis restarting mid-chat.
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { PresenceEvent, WireMessage } from "../../src/protocol.js";
import { newClientId } from "../helpers/emit.js";
import { isChat, isNoticeWith } from "../helpers/messages.js";
import type { RedisServer } from "../helpers/redis.js";
import { REDIS_SETUPS, startRedisSetup, type RedisSetup } from "../helpers/redis-setups.js";
import { collect, waitFor } from "../helpers/wait.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

const TTL_MS = 1500;
/** The set-up of the describe block running now (each block starts its own in beforeAll). */
let setup: RedisSetup;

/** `count` nodes on a fresh database and a flushed Redis, closed when the test ends. */
async function startNodes(count: number, env: Record<string, string> = {}): Promise<TestNode[]> {
  const databaseUrl = await clusterDatabase();
  const nodes: TestNode[] = [];
  await setup.flush();
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, databaseUrl, setup, { PRESENCE_TTL_MS: String(TTL_MS), RATE_SEND_BURST: "1000", ...env }));
  onTestFinished(async () => {
    for (const n of nodes) await n.close();
  });
  return nodes;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await delay(50);
  }
}

// One suite, two set-ups (issue 21, §5): one redis-server, and a Redis Cluster of 3 masters. The cases that stop
// and start Redis run on the single server only: a master of a cluster dying is cluster.redis-cluster-fault.test.ts.
describe.each(REDIS_SETUPS)("several nodes on %s", (kind) => {
  beforeAll(async () => {
    setup = await startRedisSetup(kind);
  });
  afterAll(async () => {
    await setup?.remove();
  });
  /** The one redis-server (single Redis set-up), to stop and start. */
  const redis = {
    stop: (): Promise<void> => server().stop(),
    start: (): Promise<void> => server().start(),
  };
  function server(): RedisServer {
    if (setup.server === null) throw new Error("this case needs the single Redis set-up");
    return setup.server;
  }
  // Defined for the single server only (not skipped on the cluster: there is no one server to stop there).
  const onOneServer = (name: string, fn: () => Promise<void>): void => {
    if (kind === "single Redis") it(name, fn);
  };

    it("delivers every message sent on one node to members on the others once and in order, with notices and presence deltas", async () => {
      const [n1, n2, n3] = (await startNodes(3)) as [TestNode, TestNode, TestNode];
      const ana = await n1.joined("lobby", "Ana");
      const anaHeardBen = waitFor(ana, "message", isNoticeWith("Ben has joined the chat."));
      const ben = await n2.joined("lobby", "Ben");
      await anaHeardBen;
      const anaPresence = collect(ana, "presence");
      const benPresence = collect(ben, "presence");
      const heardByAna = waitFor(ana, "message", isNoticeWith("Cy has joined the chat."));
      const heardByBen = waitFor(ben, "message", isNoticeWith("Cy has joined the chat."));
      const cy = await n3.joined("lobby", "Cy");
      await Promise.all([heardByAna, heardByBen]);
      expect(anaPresence).toEqual([{ room: "lobby", joined: ["Cy"] }]);
      expect(benPresence).toEqual([{ room: "lobby", joined: ["Cy"] }]);

      const atBen = collect(ben, "message");
      const atCy = collect(cy, "message");
      const typing = waitFor(cy, "typing");
      await ana.timeout(5000).emitWithAck("typing", { room: "lobby", isTyping: true });
      expect(await typing).toEqual({ room: "lobby", username: "Ana", isTyping: true });
      const acks = await Promise.all(
        Array.from({ length: 30 }, (_, i) => ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: `m${i}`, clientId: newClientId() })),
      );
      const ids = acks.map((a) => (a.ok ? a.message.id : -1));
      expect(ids.every((id) => id > 0)).toBe(true);
      await until(() => atBen.filter(isChat).length >= 30 && atCy.filter(isChat).length >= 30);
      await delay(200); // a duplicate would come right behind
      const sorted = [...ids].sort((a, b) => a - b);
      expect(atBen.filter(isChat).map((m) => (m as WireMessage).id)).toEqual(sorted);
      expect(atCy.filter(isChat).map((m) => (m as WireMessage).id)).toEqual(sorted);
    });

    it("refuses a name held on another node (look-alikes too), lets its own session in, and lists the same people on every node", async () => {
      const [n1, n2, n3] = (await startNodes(3)) as [TestNode, TestNode, TestNode];
      const anaSession = newSession();
      await n1.joined("r", "Ana", anaSession);
      await n2.joined("r", "Ben");
      const intruder = await n2.connect(newSession());
      expect(await intruder.timeout(5000).emitWithAck("join_chat", { room: "r", username: "ana" })).toMatchObject({ ok: false, error: { code: "name_taken" } });
      expect(await intruder.timeout(5000).emitWithAck("join_chat", { room: "r", username: "\u0410na" })).toMatchObject({ ok: false, error: { code: "name_taken" } });
      const secondTab = await n3.joined("r", "Ana", anaSession);
      expect(secondTab.joinResult.users).toEqual(["Ana", "Ben"]);
      const lists = await Promise.all([n1, n2, n3].map((n) => n.app.presence.users("r")));
      expect(lists).toEqual([["Ana", "Ben"], ["Ana", "Ben"], ["Ana", "Ben"]]);
      const cy = await n1.joined("r", "Cy");
      expect(cy.joinResult.users).toEqual(["Ana", "Ben", "Cy"]);
      await until(async () => (await n3.app.presence.users("r")).length === 3);
      await until(() => n2.app.presence.roomCount() === 1 && n2.app.presence.rooms()[0]?.users === 3);
    });

    it("ends the presence of a node that stops heartbeating within PRESENCE_TTL_MS, announced once, and frees its names after the grace", async () => {
      const [n1, n2, n3] = (await startNodes(3, { NAME_GRACE_MS: "2000", RATE_JOIN_PER_SEC: "0" })) as [TestNode, TestNode, TestNode];
      const ana = await n1.joined("r", "Ana");
      const ben = await n2.joined("r", "Ben");
      await n3.joined("r", "Zed");
      const anaHeard = collect(ana, "message");
      const benHeard = collect(ben, "message");
      const anaPresence = collect(ana, "presence");
      const benPresence = collect(ben, "presence");

      // What a SIGKILL leaves: no more heartbeats, no clean-up, the connection to Redis gone.
      const diedAt = Date.now();
      n3.app.cluster?.halt();
      n3.redis.disconnect();
      n3.adapterRedis.disconnect();

      await waitFor(ana, "message", isNoticeWith("Zed has left the chat."), 3 * TTL_MS).catch(async (err: unknown) => {
        console.log(JSON.stringify([n1.logs, n2.logs, anaHeard, anaPresence]));
        throw err;
      });
      expect(Date.now() - diedAt).toBeLessThan(TTL_MS + TTL_MS / 3 + 1000);
      await until(() => benHeard.some(isNoticeWith("Zed has left the chat.")), TTL_MS);
      expect(await n1.app.presence.users("r")).toEqual(["Ana", "Ben"]);
      // Both survivors heartbeat every TTL/3: two more rounds would show a second announcement.
      await delay(TTL_MS);
      const leftNotices = (heard: typeof anaHeard) => heard.filter(isNoticeWith("Zed has left the chat.")).length;
      expect([leftNotices(anaHeard), leftNotices(benHeard)]).toEqual([1, 1]);
      const lefts = (events: PresenceEvent[]) => events.filter((e) => e.left?.includes("Zed")).length;
      expect([lefts(anaPresence), lefts(benPresence)]).toEqual([1, 1]);

      // The name stays Zed's for the grace, then anyone may take it.
      const other = await n1.connect(newSession());
      const early = await other.timeout(5000).emitWithAck("join_chat", { room: "r", username: "Zed" });
      if (Date.now() - diedAt < 2000) expect(early).toMatchObject({ ok: false, error: { code: "name_taken" } });
      // Retried until the grace ends (joins are not rate-limited in this test).
      await until(async () => (await other.timeout(5000).emitWithAck("join_chat", { room: "r", username: "Zed" })).ok, 5000);
    });

    onOneServer("keeps storing and acknowledging sends while Redis restarts; every member ends with every message once, and presence is rebuilt", async () => {
      const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
      const ana = await n1.joined("r", "Ana");
      const ben = await n2.joined("r", "Ben");
      // Ben's page: live messages plus a catch-up on resync from the last id seen, keeping each id once.
      const live: number[] = [];
      const seen = new Set<number>();
      ben.on("message", (m) => {
        if (!isChat(m)) return;
        live.push(m.id);
        seen.add(m.id);
      });
      let resyncs = 0;
      ben.on("resync", (ev) => {
        resyncs++;
        void (async () => {
          const after = Math.min(ev.after ?? Infinity, Math.max(0, ...seen));
          const page = await ben.timeout(5000).emitWithAck("fetch_history", { room: ev.room, after, limit: 500 });
          if (page.ok) for (const m of page.messages) seen.add(m.id);
        })();
      });

      const acked: number[] = [];
      const send = async (content: string): Promise<void> => {
        const res = await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content, clientId: newClientId() });
        if (!res.ok) throw new Error(`send ${content} failed: ${res.error.code}`);
        acked.push(res.message.id);
      };
      for (let i = 0; i < 10; i++) await send(`before ${i}`);
      await redis.stop();
      for (let i = 0; i < 10; i++) await send(`during ${i}`);
      await redis.start();
      await until(() => n1.app.cluster?.isRedisUp() === true && n2.app.cluster?.isRedisUp() === true);
      for (let i = 0; i < 10; i++) await send(`after ${i}`);

      await until(() => acked.every((id) => seen.has(id))).catch((err: unknown) => {
        console.log(JSON.stringify({ acked, live, seen: [...seen], resyncs, n2: n2.logs.filter((l) => l.level !== "info" || l.event !== "event_handled") }));
        throw err;
      });
      expect(acked).toHaveLength(30);
      expect(resyncs).toBeGreaterThanOrEqual(1);
      expect(new Set(live).size).toBe(live.length); // never the same message twice live
      expect([...seen].sort((a, b) => a - b)).toEqual([...acked].sort((a, b) => a - b));
      // Redis came back empty: each node registered its live sockets again.
      await until(async () => (await n1.app.presence.users("r")).join() === "Ana,Ben");
      expect(await n2.app.presence.users("r")).toEqual(["Ana", "Ben"]);
    });

    onOneServer("answers a join presence_unavailable while Redis is down, keeps storing sends (an @mention without its mention), and lets the join in when Redis is back", async () => {
      const [n1] = (await startNodes(1)) as [TestNode];
      const ana = await n1.joined("r", "Ana");
      const cy = await n1.connect();
      await redis.stop();
      try {
        await until(() => n1.app.cluster?.isRedisUp() === false);
        const refused = await cy.timeout(5000).emitWithAck("join_chat", { room: "r", username: "Cy" });
        expect(refused).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
        const sent = await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "hello @Ana", clientId: newClientId() });
        expect(sent).toMatchObject({ ok: true, message: { content: "hello @Ana" } });
        expect(sent.ok && sent.message.mentions).toBeFalsy();
      } finally {
        await redis.start();
      }
      await until(() => n1.app.cluster?.isRedisUp() === true);
      expect(await cy.timeout(5000).emitWithAck("join_chat", { room: "r", username: "Cy" })).toMatchObject({ ok: true });
    });

    onOneServer("/healthz names the node and each engine, and says 503 with the reason while Redis is down", async () => {
      const [n1] = (await startNodes(1)) as [TestNode];
      // Until its first answer is 200: with this file's 1.5 s TTL a heartbeat slower than its 0.5 s turn on a busy CI
      // machine counts Redis stalled for a moment (redis.stall.test.ts), and a fresh node can say 503 then.
      let ok: Response | undefined;
      await until(async () => (ok = await fetch(`${n1.url}/healthz`)).status === 200);
      expect(await (ok as Response).json()).toEqual({ status: "ok", node: "node1", engines: { database: "ok", redis: "ok" } });
      await redis.stop();
      try {
        await until(() => n1.app.cluster?.isRedisUp() === false);
        const down = await fetch(`${n1.url}/healthz`);
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ status: "unavailable", node: "node1", engines: { database: "ok", redis: "unavailable" }, reason: "Redis is unreachable" });
      } finally {
        await redis.start();
      }
      await until(() => n1.app.cluster?.isRedisUp() === true);
    });
});
