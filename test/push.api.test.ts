// The Web Push HTTP API (issue 23): the key, subscribing, levels, unsubscribing; and every bad request answered
// with its code while nothing is stored. Also where the keys come from (environment or database) and
// PUSH_ENABLED=false.
import Database from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import webPush from "web-push";
import { loadConfig } from "../src/config.js";
import type { ChatStore } from "../src/storage/repository.js";
import { startTestApp, tempDatabase, type TestApp } from "./helpers/app.js";
import { startPushService, type PushServiceDouble } from "./helpers/push-service.js";
import { keyOfSession, setLevel, subscribe, unsubscribe } from "./helpers/push.js";

let service: PushServiceDouble;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(() => service?.close());

async function app(env: Record<string, string> = {}, databasePath?: string): Promise<TestApp> {
  const a = await startTestApp({ env: { ...service.env, ...env }, ...(databasePath ? { databasePath } : {}) });
  onTestFinished(a.close);
  return a;
}

const storedFor = async (a: TestApp, session: string) => (a.sqlite as ChatStore).push.subscriptionsOf(keyOfSession(a, session));
const errorOf = (res: request.Response) => (res.body as { ok: boolean; error: { code: string } }).error.code;

describe("GET /api/push/key", () => {
  it("answers the VAPID public key (65-byte point, base64url), not cached, and the chat page carries the same key", async () => {
    const a = await app();
    const session = a.newSession();
    const res = await request(a.url).get("/api/push/key").set("Cookie", session).expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const { publicKey } = res.body as { publicKey: string };
    expect(Buffer.from(publicKey, "base64url")).toHaveLength(65);
    const page = await request(a.url).get("/").set("Cookie", session).expect(200);
    expect(page.text).toContain(`data-vapid-public-key="${publicKey}"`);
  });

  it("refuses a request without the session cookie with 401 no_session", async () => {
    const a = await app();
    const res = await request(a.url).get("/api/push/key").expect(401);
    expect(res.body).toEqual({ ok: false, error: { code: "no_session", message: expect.any(String) } });
  });

  it("keeps the generated keys in the database: a restart on the same file answers the same key", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await app({}, db.path);
    const session = first.newSession();
    const key1 = ((await request(first.url).get("/api/push/key").set("Cookie", session)).body as { publicKey: string }).publicKey;
    await first.close();
    const second = await app({}, db.path);
    const key2 = ((await request(second.url).get("/api/push/key").set("Cookie", session)).body as { publicKey: string }).publicKey;
    expect(key2).toBe(key1);
  });

  it("uses VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY when given", async () => {
    const keys = webPush.generateVAPIDKeys();
    const a = await app({ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey });
    const res = await request(a.url).get("/api/push/key").set("Cookie", a.newSession()).expect(200);
    expect(res.body).toEqual({ publicKey: keys.publicKey });
  });

  it("with PUSH_ENABLED=false answers 404 push_disabled everywhere and the page carries no key", async () => {
    const a = await app({ PUSH_ENABLED: "false" });
    const session = a.newSession();
    expect(errorOf(await request(a.url).get("/api/push/key").set("Cookie", session).expect(404))).toBe("push_disabled");
    expect(errorOf(await subscribe(a, session, service.subscription()).expect(404))).toBe("push_disabled");
    expect((await request(a.url).get("/").set("Cookie", session)).text).toContain('data-vapid-public-key=""');
  });
});

describe("POST /api/push/subscription", () => {
  it("stores the subscription under the request's session (201), and moves an endpoint another session had", async () => {
    const a = await app();
    const [ana, bob] = [a.newSession(), a.newSession()];
    const sub = service.subscription();
    const res = await subscribe(a, ana, sub, { general: "all" }).expect(201);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers["cache-control"]).toBe("no-store");
    expect((await storedFor(a, ana)).map((s) => s.endpoint)).toEqual([sub.endpoint]);
    await subscribe(a, bob, sub).expect(201);
    expect(await storedFor(a, ana)).toEqual([]);
    expect((await storedFor(a, bob)).map((s) => s.endpoint)).toEqual([sub.endpoint]);
  });

  it("keeps at most PUSH_MAX_SUBSCRIPTIONS_PER_SESSION per session, dropping the oldest", async () => {
    const a = await app({ PUSH_MAX_SUBSCRIPTIONS_PER_SESSION: "2" });
    const session = a.newSession();
    const subs = [service.subscription(), service.subscription(), service.subscription()];
    for (const sub of subs) {
      await subscribe(a, session, sub).expect(201);
      a.clock.advance(1000);
    }
    expect((await storedFor(a, session)).map((s) => s.endpoint)).toEqual(subs.slice(1).map((s) => s.endpoint));
  });

  const sub = () => service.subscription().json;
  const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url");
  const cases: [string, (s: ReturnType<typeof sub>) => unknown][] = [
    ["p256dh of the wrong length", (s) => ({ subscription: { ...s, keys: { ...s.keys, p256dh: s.keys.p256dh.slice(0, 40) } } })],
    ["p256dh off the curve", (s) => ({ subscription: { ...s, keys: { ...s.keys, p256dh: offCurve } } })],
    ["auth of 15 bytes", (s) => ({ subscription: { ...s, keys: { ...s.keys, auth: Buffer.alloc(15, 1).toString("base64url") } } })],
    ["auth not base64url", (s) => ({ subscription: { ...s, keys: { ...s.keys, auth: "not base64!!" } } })],
    ["no keys", (s) => ({ subscription: { endpoint: s.endpoint } })],
    ["an endpoint that is not a URL", (s) => ({ subscription: { ...s, endpoint: "push me" } })],
    ["an endpoint over 1 KB", (s) => ({ subscription: { ...s, endpoint: `${s.endpoint}/${"a".repeat(1100)}` } })],
    ["a level that does not exist", (s) => ({ subscription: s, levels: { general: "loud" } })],
    ["no subscription at all", () => ({ levels: {} })],
    ["an array", () => []],
  ];
  it.each(cases)("refuses %s with 400 invalid_payload and stores nothing", async (_name, body) => {
    const a = await app();
    const session = a.newSession();
    const res = await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", session).send(body(sub()) as object).expect(400);
    expect(res.body).toEqual({ ok: false, error: { code: "invalid_payload", message: expect.any(String) } });
    expect(await storedFor(a, session)).toEqual([]);
  });

  it("refuses an endpoint the push policy refuses with 400 push_endpoint_refused", async () => {
    const a = await app();
    const session = a.newSession();
    const s = service.subscription().json;
    const res = await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", session).send({ subscription: { ...s, endpoint: "https://push.example.net/x" } }).expect(400);
    expect(errorOf(res)).toBe("push_endpoint_refused");
    expect(await storedFor(a, session)).toEqual([]);
  });

  it("refuses a body over 8 KB with 413 payload_too_large, malformed JSON with 400, and stores nothing", async () => {
    const a = await app();
    const session = a.newSession();
    const s = service.subscription().json;
    const huge = await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", session).send({ subscription: s, padding: "x".repeat(9000) }).expect(413);
    expect(errorOf(huge)).toBe("payload_too_large");
    const broken = await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", session).set("Content-Type", "application/json").send('{"subscription": ').expect(400);
    expect(errorOf(broken)).toBe("invalid_payload");
    expect(await storedFor(a, session)).toEqual([]);
  });

  it("refuses another site's request (and one with no Origin) with 403 not_allowed, and one without the cookie with 401 no_session", async () => {
    const a = await app();
    const session = a.newSession();
    const body = { subscription: service.subscription().json };
    expect(errorOf(await request(a.url).post("/api/push/subscription").set("Origin", "https://evil.example").set("Cookie", session).send(body).expect(403))).toBe("not_allowed");
    expect(errorOf(await request(a.url).post("/api/push/subscription").set("Cookie", session).send(body).expect(403))).toBe("not_allowed");
    expect(errorOf(await request(a.url).post("/api/push/subscription").set("Origin", a.url).send(body).expect(401))).toBe("no_session");
    expect(errorOf(await request(a.url).post("/api/push/subscription").set("Origin", a.url).set("Cookie", "mr_session=forged.value").send(body).expect(401))).toBe("no_session");
    expect(await storedFor(a, session)).toEqual([]);
  });
});

describe("PUT /api/push/levels and DELETE /api/push/subscription", () => {
  it("takes a room's level (200) and refuses a bad room or level with 400", async () => {
    const a = await app();
    const session = a.newSession();
    await subscribe(a, session, service.subscription()).expect(201);
    const put = (body: object) => request(a.url).put("/api/push/levels").set("Origin", a.url).set("Cookie", session).send(body);
    expect((await put({ room: "general", level: "none" }).expect(200)).body).toEqual({ ok: true });
    expect(errorOf(await put({ room: "general", level: "loud" }).expect(400))).toBe("invalid_payload");
    expect(errorOf(await put({ room: "a\u0000b", level: "all" }).expect(400))).toBe("invalid_payload");
    expect(errorOf(await request(a.url).put("/api/push/levels").set("Origin", "https://evil.example").set("Cookie", session).send({ room: "general", level: "all" }).expect(403))).toBe("not_allowed");
  });

  it("cannot grow the table without end: a session setting levels for ever more rooms keeps PUSH_MAX_ROOMS_PER_SESSION of them", async () => {
    const a = await app({ PUSH_MAX_ROOMS_PER_SESSION: "5" });
    const session = a.newSession();
    await subscribe(a, session, service.subscription()).expect(201);
    for (let n = 0; n < 12; n++) {
      await request(a.url).put("/api/push/levels").set("Origin", a.url).set("Cookie", session).send({ room: `flood-${n}`, level: "all" }).expect(200);
      a.clock.advance(1); // each change later than the one before
    }
    const db = new Database(a.databasePath, { readonly: true });
    onTestFinished(() => void db.close());
    const rooms = db.prepare("SELECT room FROM push_room WHERE session_key = ? ORDER BY room").all(keyOfSession(a, session)) as { room: string }[];
    expect(rooms.map((r) => r.room)).toEqual(["flood-10", "flood-11", "flood-7", "flood-8", "flood-9"]);
  });

  it("deletes the session's own subscription, and answers someone else's endpoint exactly as an unknown one, deleting nothing", async () => {
    const a = await app();
    const [ana, bob] = [a.newSession(), a.newSession()];
    const anaSub = service.subscription();
    await subscribe(a, ana, anaSub).expect(201);

    const foreign = await unsubscribe(a, bob, anaSub.endpoint).expect(200);
    const unknown = await unsubscribe(a, bob, service.subscription().endpoint).expect(200);
    expect(foreign.body).toEqual(unknown.body);
    expect(await storedFor(a, ana)).toHaveLength(1);

    expect((await unsubscribe(a, ana, anaSub.endpoint).expect(200)).body).toEqual({ ok: true });
    expect(await storedFor(a, ana)).toEqual([]);
  });
});

describe("a script looping on the push API", () => {
  it("is refused past PUSH_CHANGES_PER_MINUTE per session with 429 rate_limited and when to retry; the refused change stores nothing, other sessions go on", async () => {
    const a = await app({ PUSH_CHANGES_PER_MINUTE: "3" });
    const [ana, bob] = [a.newSession(), a.newSession()];
    await subscribe(a, ana, service.subscription()).expect(201);
    await setLevel(a, ana, "one", "all").expect(200);
    await setLevel(a, ana, "two", "all").expect(200);
    const refused = await setLevel(a, ana, "three", "all").expect(429);
    const wait = (refused.body as { error: { retryAfterMs: number } }).error.retryAfterMs;
    expect(refused.body).toEqual({ ok: false, error: { code: "rate_limited", message: expect.stringContaining("try again") as string, retryAfterMs: wait } });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(Number(refused.headers["retry-after"])).toBe(Math.ceil(wait / 1000));
    // Unsubscribing spends the same budget: the subscription stays.
    expect(errorOf(await unsubscribe(a, ana, "https://nowhere.example/x").expect(429))).toBe("rate_limited");
    const db = new Database(a.databasePath, { readonly: true });
    onTestFinished(() => void db.close());
    const rooms = db.prepare("SELECT room FROM push_room WHERE session_key = ? ORDER BY room").all(keyOfSession(a, ana)) as { room: string }[];
    expect(rooms.map((r) => r.room)).toEqual(["one", "two"]);
    expect(await storedFor(a, ana)).toHaveLength(1);
    // Another session has its own budget, and reading the key is never counted.
    await subscribe(a, bob, service.subscription()).expect(201);
    await request(a.url).get("/api/push/key").set("Cookie", ana).expect(200);
  });

  it("cannot get round it with new sessions: PUSH_CHANGES_PER_MINUTE_PER_IP counts every session of one address", async () => {
    const a = await app({ PUSH_CHANGES_PER_MINUTE_PER_IP: "4" });
    for (let n = 0; n < 4; n++) await setLevel(a, a.newSession(), `room-${n}`, "all").expect(200);
    expect(errorOf(await setLevel(a, a.newSession(), "room-4", "all").expect(429))).toBe("rate_limited");
  });
});

describe("push configuration", () => {
  const base = { PORT: "0", SECRET_KEY: "test-secret-key-0123456789" };
  it("refuses one VAPID key without the other", () => {
    expect(() => loadConfig({ ...base, VAPID_PUBLIC_KEY: webPush.generateVAPIDKeys().publicKey })).toThrow(/VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together/);
  });

  it("honours the test-only push service only with NODE_ENV=test", () => {
    expect(() => loadConfig({ ...base, PUSH_TEST_ONLY_SERVICE: service.origin, PUSH_TEST_ONLY_CA_FILE: service.caFile })).toThrow(/test suite only/);
    expect(loadConfig({ ...base, ...service.env }).push.testService).toEqual({ origin: service.origin, ca: service.ca });
    expect(() => loadConfig({ ...base, NODE_ENV: "test", PUSH_TEST_ONLY_SERVICE: "https://10.0.0.1:443", PUSH_TEST_ONLY_CA_FILE: service.caFile })).toThrow(/127\.0\.0\.1/);
  });

  it("defaults to the browsers' push services and a mailto: or https: subject", () => {
    const config = loadConfig(base);
    expect(config.push.allowedHosts).toEqual(["fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"]);
    expect(config.push.subject).toMatch(/^mailto:/);
    expect(loadConfig({ ...base, PUBLIC_URL: "https://chat.example.com" }).push.subject).toBe("https://chat.example.com");
    expect(() => loadConfig({ ...base, VAPID_SUBJECT: "ops" })).toThrow(/VAPID_SUBJECT/);
  });

  it("can be given the test service programmatically, through the Config a test builds", async () => {
    const loaded = loadConfig({ ...base, NOTIFY_INTERVAL_MS: "0" });
    const a = await startTestApp({ config: { push: { ...loaded.push, testService: { origin: service.origin, ca: service.ca } } } });
    onTestFinished(a.close);
    expect(a.logs.some((l) => l.event === "push_test_service" && l.level === "warn")).toBe(true);
    const session = a.newSession();
    await subscribe(a, session, service.subscription()).expect(201);
  });
});
