// Per-room routing (issue 21, §1): a node holds a room's pub/sub channel only while it has a member there, and the
// two holes at-most-once pub/sub adds are closed: the join race (the channel is live before the join's history is
// read) and tail loss (after the subscriber's link comes back, every room catches up, its last message included).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import { newClientId } from "../helpers/emit.js";
import { isChat } from "../helpers/messages.js";
import { joinRoom } from "../helpers/app.js";
import { keySlot, roomHashTag } from "../../src/cluster/key-slot.js";
import { roomChannel as channelOf, roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { REDIS_SETUPS, startRedisSetup, type RedisSetup } from "../helpers/redis-setups.js";
import { waitFor } from "../helpers/wait.js";
import { startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";


function routingOf(node: TestNode) {
  const routing = node.app.routing;
  if (routing === undefined) throw new Error(`${node.id} has no routing`);
  return routing;
}

// One suite, two set-ups (issue 21, §5): the same cases on one redis-server and on a Redis Cluster of 3 masters.
describe.each(REDIS_SETUPS)("per-room routing on Redis sharded pub/sub (%s)", (kind) => {
  let redis: RedisSetup;
  beforeAll(async () => {
    redis = await startRedisSetup(kind);
  });
  afterAll(async () => {
    await redis?.remove();
  });

  async function startNodes(count: number): Promise<TestNode[]> {
    const databaseUrl = await clusterDatabase();
    await redis.flush();
    const nodes: TestNode[] = [];
    for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, databaseUrl, redis, { RATE_SEND_BURST: "1000" }));
    onTestFinished(async () => {
      for (const n of nodes) await n.close();
    });
    return nodes;
  }

  /** How many nodes hold the room's channel. */
  const listeners = (room: string): Promise<number> => redis.shardSubscribers(channelOf(room));

    // Only a cluster has several masters: each room's channel must be subscribed on the master that owns its slot,
  // the one SPUBLISH reaches, or the room would hear nothing from other nodes.
  if (kind === "Redis Cluster") {
    it("computes the slot of every key and channel it routes by as Redis does (CLUSTER KEYSLOT)", async () => {
      const keys = ["foo", "mr:sio#/#", ...["lobby", "a}b", "{x}", "général", "~AAAAAAAAAAAAAAAAAAAAAA"].flatMap((room) => [channelOf(room), `mr:p:${roomHashTag(room)}:names`])];
      const slots = await Promise.all(keys.map((key) => redis.admin.call("CLUSTER", "KEYSLOT", key)));
      expect(keys.map(keySlot)).toEqual(slots.map(Number));
    });

    it("holds each room's channel on the master that owns its slot, and delivers across nodes in rooms on every master", async () => {
      const cluster = redis.cluster;
      if (cluster === null) throw new Error("no cluster");
      const rooms = roomsOnEveryMaster(cluster);
      const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
      for (const [index, room] of rooms.entries()) {
        const ana = await n1.joined(room, "Ana");
        const ben = await n2.joined(room, "Ben");
        expect(routingOf(n2).channels.connectionOf(channelOf(room)).options.port).toBe(cluster.masters[index]?.port);
        expect(await listeners(room)).toBe(2);
        const heard = waitFor(ben, "message", (m) => isChat(m) && m.content === `hello ${room}`);
        const sent = await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: `hello ${room}`, clientId: newClientId() });
        expect(sent).toMatchObject({ ok: true });
        await heard;
      }
    });
  }

  it("subscribes a node to a room's channel only while it has a member there", async () => {
      const [n1, n2, n3] = (await startNodes(3)) as [TestNode, TestNode, TestNode];
      const ana = await n1.joined("busy", "Ana");
      await n3.joined("elsewhere", "Zed");
      expect(await listeners("busy")).toBe(1);
      const ben = await n2.joined("busy", "Ben");
      expect(await listeners("busy")).toBe(2);
      // Ben's tab-room (room\0s:…) rides on the room's channel: no channel of its own.
      expect(routingOf(n2).channels.count()).toBe(3); // the node-wide channel, its answers channel, "busy"

      const left = await ben.timeout(5000).emitWithAck("leave_chat", { room: "busy", username: "Ben" });
      expect(left).toMatchObject({ ok: true });
      // SUNSUBSCRIBE is not awaited by the leave: a send after it, heard by Ana, is also past it on n2's link.
      const heard = waitFor(ana, "message", (m) => m.content === "after Ben left");
      await ana.timeout(5000).emitWithAck("send_message", { room: "busy", username: "Ana", content: "after Ben left", clientId: newClientId() });
      await heard;
      expect(routingOf(n2).channels.count()).toBe(2);
      expect(await listeners("busy")).toBe(1);
    });

    it("a message stored while a node's first member is joining is in that member's history: the join waits for the subscription", async () => {
      const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
      const ana = await n1.joined("r", "Ana");
      // Hold n2's SSUBSCRIBE of the room (the real command, sent late) to widen the window to a whole send.
      const subscriber = routingOf(n2).channels.connectionOf(channelOf("r"));
      const ssubscribe = subscriber.ssubscribe.bind(subscriber) as (channel: string) => Promise<unknown>;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let requested!: () => void;
      const isRequested = new Promise<void>((resolve) => (requested = resolve));
      subscriber.ssubscribe = ((channel: string) => {
        if (channel !== channelOf("r")) return ssubscribe(channel);
        requested();
        return gate.then(() => ssubscribe(channel));
      }) as typeof subscriber.ssubscribe;

      const ben = await n2.connect();
      const joining = joinRoom(ben, "r", "Ben");
      await isRequested;
      const sent = await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "into the window", clientId: newClientId() });
      if (!sent.ok) throw new Error(sent.error.code);
      release();
      const joined = await joining;
      if (!joined.ok) throw new Error(joined.error.code);
      expect(joined.history.map((m) => m.id)).toContain(sent.message.id);
    });

    it("after the subscriber's link drops and comes back, a room whose last message was lost meanwhile catches up (resync), with no later message", async () => {
      const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
      const ana = await n1.joined("r", "Ana");
      const ben = await n2.joined("r", "Ben");
      const before = await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "heard", clientId: newClientId() });
      if (!before.ok) throw new Error(before.error.code);
      await waitFor(ben, "message", (m) => isChat(m) && m.id === before.message.id);

      const subscriber = routingOf(n2).channels.connectionOf(channelOf("r"));
      const closed = new Promise<void>((resolve) => subscriber.once("end", () => resolve()));
      subscriber.disconnect(false); // the link is gone and stays gone until connect() below
      await closed;
      const lost = await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "lost on the way", clientId: newClientId() });
      if (!lost.ok) throw new Error(lost.error.code);

      const resynced = waitFor(ben, "resync", (e) => e.room === "r" && (e.after ?? 0) < lost.message.id, 10_000);
      await subscriber.connect();
      const resync = await resynced;
      expect(resync.after).toBe(before.message.id);
      const page = await ben.timeout(5000).emitWithAck("fetch_history", { room: "r", after: resync.after ?? 0, limit: 50 });
      if (!page.ok) throw new Error(page.error.code);
      expect(page.messages.map((m: WireMessage) => m.id)).toEqual([lost.message.id]);
      // The link is live again: the next message comes live.
      const next = waitFor(ben, "message", (m) => m.content === "live again");
      await ana.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "live again", clientId: newClientId() });
      await next;
    });
});
