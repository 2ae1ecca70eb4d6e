// Send/join/history budgets shared by a browser session's connections (and by a cookie-less client's address),
// so a reconnect buys no fresh burst.
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { createMemorySharedLimits } from "../src/chat/shared-limits.js";
import { loadConfig } from "../src/config.js";
import type { Ack } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";

const ROOM = "general";

function send(socket: ClientSocket, content: string, username = "alice"): Promise<Ack<object>> {
  return socket.timeout(3000).emitWithAck("send_message", { room: ROOM, username, content });
}

const codes = (answers: Ack<object>[]): string[] => answers.map((a) => (a.ok ? "ok" : a.error.code));

async function sendBurst(socket: ClientSocket, count: number, username = "alice"): Promise<string[]> {
  return codes(await Promise.all(Array.from({ length: count }, (_, i) => send(socket, `m${i}`, username))));
}

/** Connects a cookie-less client that the server sees at `ip` (TRUST_PROXY is on in these apps). */
function fromAddress(app: TestApp, ip: string): Promise<ClientSocket> {
  return app.connect({ options: { extraHeaders: { "x-forwarded-for": ip } } });
}

// Slow refills (a 20-second window for the shared budget), so a slow machine cannot see a window end mid-test.
const SLOW = { RATE_SEND_PER_SEC: "0.5", RATE_JOIN_PER_SEC: "0.5" };

describe("limits per browser session", () => {
  it("a reconnect with the same session cookie gets no fresh send burst; another session is not slowed", async () => {
    const app = await startTestApp({ env: SLOW });
    onTestFinished(app.close);
    const session = app.newSession();
    const first = await app.joined(ROOM, "alice", { session });
    expect(await sendBurst(first, 10)).toEqual(Array(10).fill("ok"));
    await app.disconnect(first);

    const again = await app.joined(ROOM, "alice", { session });
    const refused = await send(again, "one more");
    expect(refused).toEqual({ ok: false, error: { code: "rate_limited", message: expect.any(String), retryAfterMs: expect.any(Number) } });
    expect(refused.ok ? 0 : refused.error.retryAfterMs).toBeGreaterThan(0);

    const bob = await app.joined(ROOM, "bob", { session: app.newSession() });
    expect(await send(bob, "bob is fine", "bob")).toMatchObject({ ok: true });
  });

  it("two tabs of one session share the budget", async () => {
    const app = await startTestApp({ env: SLOW });
    onTestFinished(app.close);
    const session = app.newSession();
    const tab1 = await app.joined(ROOM, "alice", { session });
    const tab2 = await app.joined(ROOM, "alice", { session });
    expect(await sendBurst(tab1, 6)).toEqual(Array(6).fill("ok"));
    expect(await sendBurst(tab2, 5)).toEqual([...Array(4).fill("ok"), "rate_limited"]);
  });

  it("reconnecting does not reset the join budget either", async () => {
    const app = await startTestApp({ env: { ...SLOW, RATE_JOIN_BURST: "3" } });
    onTestFinished(app.close);
    const session = app.newSession();
    const first = await app.connect({ session });
    for (const room of ["a", "b", "c"]) expect(await first.timeout(3000).emitWithAck("join_chat", { room, username: "alice" })).toMatchObject({ ok: true });
    await app.disconnect(first);
    const again = await app.connect({ session });
    expect(await again.timeout(3000).emitWithAck("join_chat", { room: "d", username: "alice" })).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });
});

describe("limits per address for clients without a session cookie", () => {
  const env = { ...SLOW, TRUST_PROXY: "true", RATE_COOKIELESS_IP_FACTOR: "1" };

  it("a cookie-less client that reconnects from the same address gets no fresh burst", async () => {
    const app = await startTestApp({ env });
    onTestFinished(app.close);
    const first = await fromAddress(app, "203.0.113.7");
    expect(await first.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "bot" })).toMatchObject({ ok: true });
    expect(await sendBurst(first, 10, "bot")).toEqual(Array(10).fill("ok"));
    await app.disconnect(first);
    const again = await fromAddress(app, "203.0.113.7");
    expect(await again.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "bot" })).toMatchObject({ ok: true });
    expect(await send(again, "again", "bot")).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });

  it("counts IPv6 clients per /64: another address in the /64 shares the budget, another /64 does not", async () => {
    const app = await startTestApp({ env });
    onTestFinished(app.close);
    const first = await fromAddress(app, "2001:db8:1:1::1");
    const sameNet = await fromAddress(app, "2001:db8:1:1:ffff::2");
    const otherNet = await fromAddress(app, "2001:db8:1:2::1");
    for (const [s, name] of [[first, "a"], [sameNet, "b"], [otherNet, "c"]] as const) {
      expect(await s.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: name })).toMatchObject({ ok: true });
    }
    expect(await sendBurst(first, 10, "a")).toEqual(Array(10).fill("ok"));
    expect(await send(sameNet, "same /64", "b")).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    expect(await send(otherNet, "other /64", "c")).toMatchObject({ ok: true });
  });

  it("scales the address's budget by RATE_COOKIELESS_IP_FACTOR (default 10)", async () => {
    const app = await startTestApp({ env: { ...SLOW, TRUST_PROXY: "true" } });
    onTestFinished(app.close);
    const clients = await Promise.all(Array.from({ length: 11 }, () => fromAddress(app, "198.51.100.9")));
    const answers: string[] = [];
    for (const [i, c] of clients.entries()) {
      expect(await c.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: `bot${i}` })).toMatchObject({ ok: true });
      answers.push(...(await sendBurst(c, 10, `bot${i}`)));
    }
    expect(answers.filter((a) => a === "ok")).toHaveLength(100);
    expect(answers.slice(100)).toEqual(Array(10).fill("rate_limited"));
  });
});

describe("shared limits in memory", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("forgets a session once its window has passed, so idle sessions take no memory", async () => {
    vi.useFakeTimers();
    const limits = createMemorySharedLimits(loadConfig({}).rateLimits);
    for (let i = 0; i < 1000; i++) expect(await limits.take(`s:session-${i}`, "send")).toBe(0);
    // rate-limiter-flexible keeps each key in a private Map and deletes it with a timer when its window ends.
    type WithStorage = { _memoryStorage: { _storage: Map<string, unknown> } };
    const keys = (): number => limits.limiters.reduce((n, l) => n + (l as unknown as WithStorage)._memoryStorage._storage.size, 0);
    expect(keys()).toBe(1000);
    vi.advanceTimersByTime(2000); // burst 10 at 5/s: a 2-second window
    expect(keys()).toBe(0);
  });

  it("refuses the burst's next event with the time until the window ends", async () => {
    vi.useFakeTimers();
    const limits = createMemorySharedLimits(loadConfig({}).rateLimits);
    for (let i = 0; i < 10; i++) expect(await limits.take("s:a", "send")).toBe(0);
    vi.advanceTimersByTime(500);
    expect(await limits.take("s:a", "send")).toBe(1500);
    expect(await limits.take("s:a", "typing")).toBe(0); // typing is limited per connection only
    vi.advanceTimersByTime(1500);
    expect(await limits.take("s:a", "send")).toBe(0);
  });
});
