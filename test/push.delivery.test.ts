// Web Push end to end (issue 23): the real app pushes to a local HTTPS push service; what arrives is decrypted
// and its headers and VAPID JWT checked. Who gets a push (level, mentions, a page open, private rooms, direct
// conversations), the throttle and its summary (more in push.summary.test.ts), and what the push service's answers
// do (410 deletes, 500 retries then gives up).
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import Database from "better-sqlite3";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { checkVapid, startPushService, type PushServiceDouble, type TestSubscription } from "./helpers/push-service.js";
import { keyOfSession, setLevel, subscribe, until } from "./helpers/push.js";
import { createPrivateRoom, moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";
import type { ChatStore } from "../src/storage/repository.js";

let service: PushServiceDouble;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(() => service?.close());

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const a = await startTestApp({ env: { ...service.env, VAPID_SUBJECT: "mailto:ops@chat.example", ...env } });
  onTestFinished(a.close);
  return a;
}

/** Bob's browser: joins `room` as bob, subscribes (its open tab gives the server his name there), then closes the tab. */
async function subscribedBob(a: TestApp, room = "general", levels?: Record<string, "all" | "mentions" | "none">): Promise<{ session: string; sub: TestSubscription }> {
  const session = a.newSession();
  const sub = service.subscription();
  const tab = await a.joined(room, "bob", { session });
  await subscribe(a, session, sub, levels).expect(201);
  await a.disconnect(tab);
  return { session, sub };
}

const send = async (socket: Awaited<ReturnType<TestApp["joined"]>>, room: string, content: string, username = "ana") => {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message;
};

/** open_direct from `socket` (in lobby) to `username`; the conversation's address. */
const openDirect = async (socket: Awaited<ReturnType<TestApp["joined"]>>, username: string): Promise<string> => {
  const res = await socket.timeout(5000).emitWithAck("open_direct", { room: "lobby", username });
  if (!res.ok) throw new Error(res.error.code);
  return res.room.room;
};

/** Bob's browser in lobby with push on and his page still open; Ana in lobby. */
async function bobAndAnaInLobby(a: TestApp) {
  const bobSession = a.newSession();
  const sub = service.subscription();
  const bob = await a.joined("lobby", "Bob", { session: bobSession });
  await subscribe(a, bobSession, sub).expect(201);
  const ana = await a.joined("lobby", "Ana", { session: a.newSession(), heardBy: [bob] });
  return { bob, bobSession, sub, ana };
}

describe("a push for a stored message", () => {
  it("reaches a subscribed session with no page open, encrypted (aes128gcm), with TTL, urgency high for a mention and a VAPID JWT the server's key verifies", async () => {
    const a = await app();
    const { sub } = await subscribedBob(a);
    const ana = await a.joined("general", "ana");
    const sent = await send(ana, "general", "hi @bob, lunch?");

    const push = await service.nth(sub, 1);
    expect(service.decrypt(push, sub)).toEqual({
      room: "general",
      id: sent.id,
      quoted: sent.id,
      sender: "ana",
      excerpt: "hi @bob, lunch?",
      title: "#general",
      body: "ana: hi @bob, lunch?",
      count: 1,
      mentions: 1,
      tag: "messenger-room:general",
      url: `/r/general?m=${sent.id}`,
    });
    expect(push.headers["content-encoding"]).toBe("aes128gcm");
    expect(push.headers.ttl).toBe("86400");
    expect(push.headers.urgency).toBe("high");

    const { publicKey } = (await request(a.url).get("/api/push/key").set("Cookie", a.newSession()).expect(200)).body as { publicKey: string };
    const vapid = checkVapid(String(push.headers.authorization), publicKey);
    expect(vapid.key).toBe(publicKey);
    expect(vapid.header).toMatchObject({ typ: "JWT", alg: "ES256" });
    expect(vapid.claims.aud).toBe(service.origin);
    expect(vapid.claims.sub).toBe("mailto:ops@chat.example");
    const nowS = Date.now() / 1000;
    expect(vapid.claims.exp).toBeGreaterThan(nowS);
    expect(vapid.claims.exp).toBeLessThanOrEqual(nowS + 24 * 3600);
    expect(vapid.isSignatureValid).toBe(true);
  });

  it("matches a mention against the stored name once the name's grace is over (nobody holds it), and cuts the excerpt at 100 code points on one line", async () => {
    const a = await app({ NAME_GRACE_MS: "0" });
    const { sub } = await subscribedBob(a);
    const ana = await a.joined("general", "ana");
    const long = `@Bob\n${"😀".repeat(120)}`;
    const sent = await send(ana, "general", long);
    expect(sent.mentions ?? []).toEqual([]); // resolved against who is present: bob is not

    const payload = service.decrypt(await service.nth(sub, 1), sub);
    expect(payload).toMatchObject({ id: sent.id, mentions: 1 });
    expect(payload.excerpt).toBe(`@Bob ${"😀".repeat(95)}…`); // 100 code points, the newline a space
    expect(JSON.stringify(payload).length).toBeLessThan(3000);
  });

  it("sends nothing while a page of the session is open, and pushes once it has closed", async () => {
    const a = await app();
    const session = a.newSession();
    const sub = service.subscription();
    const tab = await a.joined("general", "bob", { session });
    await subscribe(a, session, sub).expect(201);
    const ana = await a.joined("general", "ana");

    await send(ana, "general", "@bob while you look");
    // Pushes are decided after the ack: the tab stays open until the app has decided on this one.
    await until(() => a.logs.some((l) => l.event === "push_not_needed" && l.reason === "page_open"));
    await a.disconnect(tab);
    const later = await send(ana, "general", "@bob after you left");

    const first = service.decrypt(await service.nth(sub, 1), sub);
    expect(first).toMatchObject({ id: later.id, excerpt: "@bob after you left" });
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("pushes at most once per room per NOTIFY_INTERVAL_MS and sums up the rest in one summary when the interval ends", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "400" });
    const { sub } = await subscribedBob(a, "general", { general: "all" });
    const ana = await a.joined("general", "ana");
    const m1 = await send(ana, "general", "one");
    const m2 = await send(ana, "general", "two @bob");
    await send(ana, "general", "three");

    const first = await service.nth(sub, 1);
    expect(service.decrypt(first, sub)).toMatchObject({ id: m1.id, count: 1, mentions: 0, body: "ana: one" });
    expect(first.headers.urgency).toBe("normal");
    const summary = await service.nth(sub, 2);
    expect(summary.at - first.at).toBeGreaterThanOrEqual(350);
    expect(service.decrypt(summary, sub)).toMatchObject({
      id: m2.id,
      url: `/r/general?m=${m2.id}`,
      count: 2,
      mentions: 1,
      sender: "ana",
      excerpt: "three",
      title: "#general",
      body: "2 new messages in #general, 1 mentioning you\nana: three",
    });
    expect(summary.headers.urgency).toBe("high");
  });
});

describe("who gets a push", () => {
  it("follows the room's level: mentions by default, all, none", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const { session, sub } = await subscribedBob(a);
    const ana = await a.joined("general", "ana");

    await send(ana, "general", "not for bob"); // mentions (default): nothing
    const m = await send(ana, "general", "@bob mentioned");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ id: m.id });

    await setLevel(a, session, "general", "none").expect(200);
    await send(ana, "general", "@bob muted");
    await setLevel(a, session, "general", "all").expect(200);
    const any = await send(ana, "general", "anything at all");
    const second = await service.nth(sub, 2);
    expect(service.decrypt(second, sub)).toMatchObject({ id: any.id, mentions: 0 });
    expect(second.headers.urgency).toBe("normal");
    expect(service.pushesFor(sub)).toHaveLength(2);
  });

  it("gives a private room's member a push under the room's title, and an outsider who named the room nothing", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const anaSession = a.newSession();
    const anaTab = await a.connect({ session: anaSession });
    const room = await createPrivateRoom(anaTab, "Project X");
    const ana = await a.joined(room.room, "ana", { session: anaSession });
    // Bob is an outsider who tells the server he wants everything of that address (he cannot join it).
    const { session: bobSession, sub: bobSub } = await subscribedBob(a);
    await setLevel(a, bobSession, room.room, "all").expect(200);
    // Carol is a member, with the room's default level (mentions).
    const carolSession = a.newSession();
    const carolSub = service.subscription();
    await a.sqlite.access.admit(room.room, { sessionKey: keyOfSession(a, carolSession), name: "carol" }, new Date());
    const carolTab = await a.joined(room.room, "carol", { session: carolSession });
    await subscribe(a, carolSession, carolSub).expect(201);
    await a.disconnect(carolTab);

    const secret = await send(ana, room.room, "@carol the secret plan");
    const forCarol = service.decrypt(await service.nth(carolSub, 1), carolSub);
    expect(forCarol).toMatchObject({ id: secret.id, title: "#Project X", room: room.room });
    // Bob's next push is a later message in a public room: the private one never reached him.
    const general = await a.joined("general", "ana2");
    const marker = await send(general, "general", "@bob marker", "ana2");
    expect(service.decrypt(await service.nth(bobSub, 1), bobSub)).toMatchObject({ id: marker.id, room: "general" });
    expect(service.pushesFor(bobSub)).toHaveLength(1);
  });

  it("gives the sender's own session nothing for its own message", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const { session, sub } = await subscribedBob(a, "general", { general: "all" });
    const bobAgain = await a.joined("general", "bob", { session });
    await send(bobAgain, "general", "my own words", "bob");
    await a.disconnect(bobAgain);
    const ana = await a.joined("general", "ana");
    const marker = await send(ana, "general", "marker");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ id: marker.id });
    expect(service.pushesFor(sub)).toHaveLength(1);
  });
});

describe("the push service's answers", () => {
  it("deletes the subscription on 410 Gone", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const { session, sub } = await subscribedBob(a);
    service.respond(sub, 410);
    const ana = await a.joined("general", "ana");
    await send(ana, "general", "@bob are you there?");
    await service.nth(sub, 1);
    const store = a.sqlite as ChatStore;
    await until(async () => (await store.push.subscriptionsOf(keyOfSession(a, session))).length === 0);
    expect(a.logs.some((l) => l.event === "push_subscription_gone")).toBe(true);
  });

  it("retries a 500 with backoff up to PUSH_MAX_RETRIES, then gives up and notes the failures", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0", PUSH_MAX_RETRIES: "2", PUSH_RETRY_BASE_MS: "20" });
    const { session, sub } = await subscribedBob(a);
    service.respond(sub, 500, 500, 500);
    const ana = await a.joined("general", "ana");
    await send(ana, "general", "@bob ping");
    await service.nth(sub, 3);
    await until(() => a.logs.some((l) => l.event === "push_given_up"));
    const tries = service.pushesFor(sub);
    expect(tries).toHaveLength(3);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(10); // at least half of 20 ms, the jitter's floor
    const metrics = await a.app.metrics.registry.getSingleMetricAsString("mr_pushes_total");
    expect(metrics).toContain('mr_pushes_total{outcome="retried"} 2');
    expect(metrics).toContain('mr_pushes_total{outcome="failed"} 1');
    const db = new Database(a.databasePath, { readonly: true });
    onTestFinished(() => void db.close());
    expect(db.prepare("SELECT failures FROM push_subscription WHERE session_key = ?").get(keyOfSession(a, session))).toEqual({ failures: 3 });
  });
});

describe("what else decides a push", () => {
  it("a subscription past the expirationTime the browser gave gets no push and is deleted", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const session = a.newSession();
    const sub = service.subscription();
    const tab = await a.joined("general", "bob", { session });
    const expiresAt = a.clock.now().getTime() + 60_000;
    await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", session).send({ subscription: { ...sub.json, expirationTime: expiresAt } }).expect(201);
    await a.disconnect(tab);
    const ana = await a.joined("general", "ana");
    const before = await send(ana, "general", "@bob still on");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ id: before.id });

    a.clock.advance(61_000);
    await send(ana, "general", "@bob after it ended");
    const store = a.sqlite as ChatStore;
    await until(async () => (await store.push.subscriptionsOf(keyOfSession(a, session))).length === 0);
    expect(a.logs.some((l) => l.event === "push_subscription_expired")).toBe(true);
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("a direct conversation pushes every message (its default level is all), titled with the other person's name", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const bobSession = a.newSession();
    const sub = service.subscription();
    const ana = await a.joined("lobby", "Ana", { session: a.newSession() });
    const bob = await a.joined("lobby", "Bob", { session: bobSession });
    await subscribe(a, bobSession, sub).expect(201);
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const direct = opened.room.room;
    const joined = await bob.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Bob" });
    expect(joined.ok).toBe(true);
    const anaIn = await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Ana" });
    expect(anaIn.ok).toBe(true);
    await a.disconnect(bob);

    const sent = await send(ana, direct, "no mention here, just us", "Ana");
    const push = await service.nth(sub, 1);
    expect(service.decrypt(push, sub)).toMatchObject({ room: direct, id: sent.id, title: "Ana", sender: "Ana", body: "Ana: no mention here, just us", url: `/r/${direct}?m=${sent.id}` });
    expect(push.headers.urgency).toBe("high"); // every message of a direct conversation is for the reader
  });

  it("a direct conversation pushes to a subscribed peer who never joined it: its page heard room_added, then closed", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const { bob, sub, ana } = await bobAndAnaInLobby(a);
    const told = waitFor(bob, "room_added");
    const direct = await openDirect(ana, "Bob");
    await told;
    await a.disconnect(bob); // without opening the conversation
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Ana" })).ok).toBe(true);

    const sent = await send(ana, direct, "are you free tonight?", "Ana");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ room: direct, id: sent.id, title: "Ana", excerpt: "are you free tonight?" });
  });

  it("the message that brings back a direct conversation the peer closed (leave_chat) is pushed to the peer", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0" });
    const { bob, sub, ana } = await bobAndAnaInLobby(a);
    const direct = await openDirect(ana, "Bob");
    expect((await bob.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Bob" })).ok).toBe(true);
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Ana" })).ok).toBe(true);
    expect(await bob.timeout(5000).emitWithAck("leave_chat", { room: direct })).toEqual({ ok: true }); // closed: its push settings go
    await a.disconnect(bob);

    const sent = await send(ana, direct, "one more thing", "Ana");
    expect(service.decrypt(await service.nth(sub, 1), sub)).toMatchObject({ room: direct, id: sent.id, excerpt: "one more thing" });
  });

  it("a peer banned from the room a direct conversation was opened in gets no push from it", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "0", MODERATOR_TOKEN });
    const { bob, sub, ana } = await bobAndAnaInLobby(a);
    const mod = await a.joined("lobby", "Mod", { session: await moderatorSession(a), heardBy: [ana, bob] });
    const direct = await openDirect(ana, "Bob"); // Bob's push settings know the conversation from here on
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await a.disconnect(bob);
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "Ana" })).ok).toBe(true);

    await send(ana, direct, "while you are banned", "Ana");
    // The only push decision of the test (the log names a private address only by its start).
    await until(() => a.logs.some((l) => l.event === "push_not_needed" && l.reason === "no_access"));
    expect(service.pushesFor(sub)).toEqual([]);
  });
});
