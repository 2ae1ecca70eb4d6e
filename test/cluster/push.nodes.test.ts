// Web Push with several nodes (issue 23): two nodes on one PostgreSQL and one Redis. A message is pushed once,
// by the node that stored it, not once per node; a page open on another node suppresses the push; and the
// throttle is shared, so messages stored on two nodes within one interval make one push and one summary; what a
// notification quotes is shared too, so a delete on the other node takes it back (push/take-back.ts).
import { Redis } from "ioredis";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { createRedisGate, PushKeyStalledError } from "../../src/cluster/redis-push.js";
import { createRedisShownNotes } from "../../src/cluster/redis-shown.js";
import { createCapturingLogger } from "../../src/log.js";
import { createMemoryGate, type OnDue, type PushGate } from "../../src/push/gate.js";
import { MAX_HELD_REFS, type HeldBatch } from "../../src/push/held.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { startPushService, type PushServiceDouble, type TestSubscription } from "../helpers/push-service.js";
import { until } from "../helpers/push.js";
import { sessionsOf, shownNotesContract } from "../helpers/shown-contract.js";
import { openWindow } from "../helpers/open-window.js";
import { MODERATOR_TOKEN } from "../helpers/private-rooms.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";
import type { ClientSocket } from "../helpers/app.js";
import { waitFor } from "../helpers/wait.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

let redis: RedisServer;
let service: PushServiceDouble;
beforeAll(async () => {
  redis = await startRedis();
  service = await startPushService();
});
afterAll(async () => {
  await service?.close();
  await redis?.remove();
});

async function twoNodes(env: Record<string, string> = {}): Promise<[TestNode, TestNode]> {
  const databaseUrl = await clusterDatabase();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const nodes: TestNode[] = [];
  for (const id of ["push-a", "push-b"]) nodes.push(await startNode(id, databaseUrl, redis.url, { PRESENCE_TTL_MS: "1500", RATE_SEND_BURST: "1000", ...service.env, ...env }));
  onTestFinished(async () => {
    for (const n of nodes) await n.close();
  });
  return nodes as [TestNode, TestNode];
}

/** Bob joins general on `node`, subscribes there (his open tab tells the server his name) and closes the tab. */
async function subscribedBob(node: TestNode): Promise<{ session: string; sub: TestSubscription }> {
  const session = newSession();
  const sub = service.subscription();
  const tab = await node.joined("general", "bob", session);
  await request(node.url).post("/api/push/subscription").set("Origin", node.url).set("Cookie", session).send({ subscription: sub.json }).expect(201);
  tab.disconnect();
  await until(async () => (await node.redis.keys("mr:push:page:*")).length === 0);
  return { session, sub };
}

/** A moderator's browser session, signed in on `node`. */
async function moderatorOn(node: TestNode): Promise<string> {
  const res = await request(node.url).post("/moderate").set("Cookie", newSession()).set("Origin", node.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

async function sendOn(socket: ClientSocket, content: string): Promise<number> {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room: "general", username: "ana", content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message.id;
}

/**
 * Holds `node`'s first write of a take-back record anywhere but general (a move's second step: the record claimed at
 * the old address, not yet written at the new) until the test releases it.
 */
function holdWriteAtNewAddress(node: TestNode): ReturnType<typeof openWindow> {
  const window = openWindow();
  const redis = node.redis as Redis;
  const evalOn = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  let isHeld = false;
  const held = (...args: unknown[]): Promise<unknown> => {
    const key = args[2];
    if (isHeld || typeof key !== "string" || !key.startsWith("mr:push:shown:") || key === "mr:push:shown:{r:general}") return evalOn(...args);
    isHeld = true;
    return window.through(() => evalOn(...args));
  };
  vi.spyOn(redis, "eval").mockImplementation(held as never);
  return window;
}

async function say(node: TestNode, name: string, content: string): Promise<number> {
  const socket = await node.joined("general", name);
  const res = await socket.timeout(5000).emitWithAck("send_message", { room: "general", username: name, content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message.id;
}

describe("web push on several nodes", () => {
  it("sends one push for a message, not one per node", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0" });
    const { sub } = await subscribedBob(b);
    const id = await say(a, "ana", "@bob one push please");
    const marker = await say(b, "cara", "@bob marker");
    const pushes = [service.decrypt(await service.nth(sub, 1), sub), service.decrypt(await service.nth(sub, 2), sub)];
    expect(pushes.map((p) => p.id).sort()).toEqual([id, marker].sort());
    expect(service.pushesFor(sub)).toHaveLength(2);
  });

  it("sends nothing for a message stored on node A while the session has a page open on node B", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0" });
    const { session, sub } = await subscribedBob(a);
    const page = await b.connect(session);
    await until(async () => (await b.redis.keys("mr:push:page:*")).length === 1);
    await say(a, "ana", "@bob you are looking");
    // Pushes are decided after the ack: the page stays open until node A has decided on this one.
    await until(() => a.logs.some((l) => l.event === "push_not_needed" && l.reason === "page_open"));
    page.disconnect();
    await until(async () => (await b.redis.keys("mr:push:page:*")).length === 0);
    const marker = await say(a, "ana2", "@bob now you are not");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ id: marker });
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("shares the throttle: messages stored on both nodes within one interval make one push, then one summary", async () => {
    // Long enough that the three sends (a join and a send each, on a busy machine) surely fall into one interval.
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "3000" });
    const { sub } = await subscribedBob(a);
    const first = await say(a, "ana", "@bob first");
    const second = await say(b, "cara", "@bob second");
    const third = await say(a, "ana3", "@bob third");
    const one = service.decrypt(await service.nth(sub, 1), sub);
    expect(one).toMatchObject({ id: first, count: 1 });
    const summary = service.decrypt(await service.nth(sub, 2, 10_000), sub);
    expect(summary).toMatchObject({ id: second, count: 2, mentions: 2, excerpt: "@bob third", body: "2 mentions in #general\nana3: @bob third" });
    expect(third).toBeGreaterThan(second);
    // Nothing more is held: a later message, after the interval, is pushed alone.
    await until(async () => (await a.redis.keys("mr:push:*held")).length === 0);
    expect(service.pushesFor(sub)).toHaveLength(2);
  });

  it("holds what the memory gate holds: ids only, the first and the newest, every message counted", async () => {
    /** Offers messages 1 to MAX_HELD_REFS + 5 within one interval; what the gate hands over when it ends. */
    const heldBy = async (gateFor: (onDue: OnDue) => PushGate): Promise<HeldBatch> => {
      let handOver: (held: HeldBatch) => void = () => undefined;
      const due = new Promise<HeldBatch>((resolve) => (handOver = resolve));
      const gate = gateFor((_session, _room, held) => handOver(held));
      onTestFinished(() => gate.close());
      for (let id = 1; id <= MAX_HELD_REFS + 5; id++) await gate.offer("session", "general", { id, isMention: id % 2 === 0 });
      return due;
    };
    const client = new Redis(redis.url);
    onTestFinished(() => void client.disconnect());
    await client.flushall();
    const inRedis = await heldBy((onDue) => createRedisGate(client, 1000, onDue, createCapturingLogger()));
    const inMemory = await heldBy((onDue) => createMemoryGate(1000, onDue));
    expect(inRedis).toEqual(inMemory);
    // The first offer went at once; the rest were held.
    expect(inMemory).toMatchObject({ count: MAX_HELD_REFS + 4, mentions: (MAX_HELD_REFS + 4) / 2 });
    expect(inMemory.refs.map((r) => r.id)).toEqual([2, ...Array.from({ length: MAX_HELD_REFS - 1 }, (_, i) => i + 7)]);
  });

  it("asks nothing of a master marked stalled: an offer fails at once, as after a timeout, and a summary due meanwhile is dropped", async () => {
    const client = new Redis(redis.url);
    onTestFinished(() => void client.disconnect());
    await client.flushall();
    const log = createCapturingLogger();
    let isStalled = false;
    const dues: HeldBatch[] = [];
    const gate = createRedisGate(client, 200, (_session, _room, held) => dues.push(held), log, () => isStalled);
    onTestFinished(() => gate.close());
    expect(await gate.offer("session", "general", { id: 1, isMention: false })).toHaveProperty("send");
    expect(await gate.offer("session", "general", { id: 2, isMention: false })).toEqual({ held: true });
    isStalled = true; // the throttle's master is marked (cluster/master-stalls.ts)
    await expect(gate.offer("session", "general", { id: 3, isMention: false })).rejects.toThrow(PushKeyStalledError);
    // Not sent: the held batch still counts one message.
    expect(await client.hget("mr:push:{session:general}:held", "count")).toBe("1");
    await until(() => log.lines.some((l) => l.event === "push_gate_failed"), 5000);
    expect(log.lines.find((l) => l.event === "push_gate_failed")).toMatchObject({ level: "warn", err: expect.stringMatching(/marked its master stalled/) as unknown });
    expect(dues).toEqual([]);
  });

  it("takes back, from node B, a notification node A pushed for a message deleted there", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0" });
    const { sub } = await subscribedBob(b);
    const anaSession = newSession();
    const onA = await a.joined("general", "ana", anaSession);
    const sent = await onA.timeout(5000).emitWithAck("send_message", { room: "general", username: "ana", content: "@bob the door code is 4711" });
    if (!sent.ok) throw new Error(sent.error.code);
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ quoted: sent.message.id });
    const onB = await b.joined("general", "ana", anaSession);
    expect(await onB.timeout(5000).emitWithAck("delete_message", { room: "general", id: sent.message.id })).toMatchObject({ ok: true });
    expect(service.decrypt(await service.nth(sub, 2), sub)).toEqual({ type: "take_back", room: "general", id: sent.message.id, tag: "messenger-room:general", reason: "deleted" });
  });

  it("takes back, from node B at the room's private address, a notification node A pushed before the room was made private", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0", MODERATOR_TOKEN });
    const { sub } = await subscribedBob(b); // his name still held (grace): present when the room moves, so let in
    const anaSession = newSession();
    const onA = await a.joined("general", "ana", anaSession);
    const sent = await onA.timeout(5000).emitWithAck("send_message", { room: "general", username: "ana", content: "@bob the plan" });
    if (!sent.ok) throw new Error(sent.error.code);
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ room: "general", quoted: sent.message.id });
    const mod = await a.joined("general", "mod", await moderatorOn(a));
    const moved = waitFor(onA, "room_moved");
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    await moved;
    await until(() => Promise.resolve(a.logs.some((l) => l.event === "push_records_moved" && l.sessions === 1)));

    const onB = await b.joined(made.room.room, "ana", anaSession);
    expect(await onB.timeout(5000).emitWithAck("delete_message", { room: made.room.room, id: sent.message.id })).toMatchObject({ ok: true });
    expect(service.decrypt(await service.nth(sub, 2), sub)).toEqual({ type: "take_back", room: "general", id: sent.message.id, tag: "messenger-room:general", reason: "deleted" });
  });

  it("takes back a let-in reader's notification for a message deleted on node B while node A moved its record from the old address's slot to the new one's", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0", MODERATOR_TOKEN });
    const { sub } = await subscribedBob(b); // his name still held (grace): present when the room moves, so let in
    const anaSession = newSession();
    const onA = await a.joined("general", "ana", anaSession);
    const id = await sendOn(onA, "@bob the plan");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ room: "general", quoted: id });
    const mod = await a.joined("general", "mod", await moderatorOn(a));
    const held = holdWriteAtNewAddress(a);
    const moved = waitFor(onA, "room_moved");
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    await moved;
    await held.reached; // Bob's record claimed at general, not yet written at the private address

    const onB = await b.joined(made.room.room, "ana", anaSession);
    expect(await onB.timeout(5000).emitWithAck("delete_message", { room: made.room.room, id })).toMatchObject({ ok: true });
    await until(() => b.logs.some((l) => l.event === "push_not_taken_back" && l.id === id)); // it found nothing
    held.release();
    await until(() => a.logs.some((l) => l.event === "push_records_moved"));
    expect(a.logs.filter((l) => l.event === "push_taken_back")).toMatchObject([{ id, reason: "deleted", sessions: 1 }]);
    expect(service.decrypt(await service.nth(sub, 2), sub)).toEqual({ type: "take_back", room: "general", id, tag: "messenger-room:general", reason: "deleted" });
  });

  it("takes back the older notification when its message is deleted on node B while node A's newer push, not sent after all, had replaced its record", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0" });
    const { sub } = await subscribedBob(b);
    const anaSession = newSession();
    const onA = await a.joined("general", "ana", anaSession);
    const older = await sendOn(onA, "@bob the door code is 4711");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ quoted: older });
    const targets = a.repo.push.targets.bind(a.repo.push);
    const decision = openWindow();
    vi.spyOn(a.repo.push, "targets").mockImplementationOnce((room) => decision.through(() => targets(room)));
    const newer = await sendOn(onA, "@bob and the alarm code");
    await decision.reached;
    expect(await onA.timeout(5000).emitWithAck("delete_message", { room: "general", id: newer })).toMatchObject({ ok: true }); // before its record: not sent
    await until(() => a.logs.some((l) => l.event === "push_not_taken_back" && l.id === newer));
    const messagesById = a.repo.messagesById.bind(a.repo);
    const recheck = openWindow();
    // The push's re-read of what it quotes: its record has replaced the older one in Redis by then.
    vi.spyOn(a.repo, "messagesById").mockImplementationOnce((room, ids) => recheck.through(() => messagesById(room, ids)));
    decision.release();
    await recheck.reached;

    const onB = await b.joined("general", "ana", anaSession);
    expect(await onB.timeout(5000).emitWithAck("delete_message", { room: "general", id: older })).toMatchObject({ ok: true });
    await until(() => b.logs.some((l) => l.event === "push_not_taken_back" && l.id === older)); // it found nothing
    recheck.release();
    await until(() => a.logs.some((l) => l.event === "push_not_needed" && l.reason === "nothing_left"));
    expect(a.logs.filter((l) => l.event === "push_taken_back")).toMatchObject([{ id: older, reason: "deleted", sessions: 1 }]);
    expect(service.decrypt(await service.nth(sub, 2), sub)).toEqual({ type: "take_back", room: "general", id: older, tag: "messenger-room:general", reason: "deleted" });
  });

  it("still pushes when what the notification quotes cannot be remembered for a take-back", async () => {
    const [a, b] = await twoNodes({ NOTIFY_INTERVAL_MS: "0" });
    const { sub } = await subscribedBob(b);
    // The record's key holds a string: every script on it fails (WRONGTYPE) while the gate's own keys work.
    await a.redis.set("mr:push:shown:{r:general}", "not a hash");
    const id = await say(a, "ana", "@bob still here?");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ id, quoted: id });
    await until(() => Promise.resolve([...a.logs, ...b.logs].some((l) => l.event === "push_take_back_unremembered")));
  });

  it("keeps in Redis what the memory keeps: one record per session and room, claimed once, gone after the window", async () => {
    const client = new Redis(redis.url);
    onTestFinished(() => client.disconnect());
    await client.flushall();
    let t = 1_000;
    const shown = createRedisShownNotes(client, 60_000, () => t);
    await shown.remember("s1", "general", 1);
    await shown.remember("s1", "general", 2);
    await shown.remember("s2", "general", 2);
    await shown.remember("s3", "general", 2);
    expect(await shown.claimQuoting("general", 1)).toEqual([]);
    expect(await shown.claimSession("s3", "general")).toMatchObject({ id: 2, shownAs: "general" });
    expect(sessionsOf(await shown.claimQuoting("general", 2))).toEqual(["s1", "s2"]);
    expect(await shown.claimQuoting("general", 2)).toEqual([]);
    await shown.remember("s1", "general", 3);
    // An idle room's keys expire by themselves.
    expect(Number(await client.pttl("mr:push:shown:{r:general}"))).toBeGreaterThan(0);
    expect(Number(await client.pttl("mr:push:quoting:{r:general}"))).toBeGreaterThan(0);
    t += 60_000;
    expect(await shown.claimQuoting("general", 3)).toEqual([]);
  });

  it("finds the sessions quoting a message through the room's index, not by reading the room's whole hash", async () => {
    const client = new Redis(redis.url);
    onTestFinished(() => client.disconnect());
    await client.flushall();
    const shown = createRedisShownNotes(client, 60_000, () => 1_000);
    // 1 and 12 share a first digit: the index's range must not mix them.
    for (let s = 0; s < 500; s++) await shown.remember(`s${s}`, "big", s < 2 ? 1 : 12);
    await shown.remember("s0", "big", 7); // s0's notification now quotes 7: its quote of 1 leaves the index
    expect(await client.zcard("mr:push:quoting:{r:big}")).toBe(500);
    await client.config("RESETSTAT");
    expect(sessionsOf(await shown.claimQuoting("big", 1))).toEqual(["s1"]);
    // One script, which read one index entry and one hash field: HGETALL of 500 fields is what it replaces.
    const stats = String(await client.info("commandstats"));
    expect(stats).not.toMatch(/cmdstat_hgetall/);
    expect(stats).toMatch(/cmdstat_hget:calls=1,/);
    expect(sessionsOf(await shown.claimQuoting("big", 7))).toEqual(["s0"]);
    expect((await shown.claimQuoting("big", 12)).length).toBe(498);
    expect(await client.zcard("mr:push:quoting:{r:big}")).toBe(0);
  });
});

shownNotesContract("in Redis", async (windowMs, now) => {
  const client = new Redis(redis.url);
  onTestFinished(() => client.disconnect());
  await client.flushall();
  return createRedisShownNotes(client, windowMs, now);
});
