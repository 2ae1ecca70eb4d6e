// Rate limits, on the manual clock: time moves only when the test says so.
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, ChatErrorEvent, ClientEventName } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { serverSideGone } from "./helpers/server-side.js";
import { collect, waitFor } from "./helpers/wait.js";

const ROOM = "general";

function send(socket: ClientSocket, content: string, username = "alice"): Promise<Ack<object>> {
  return socket.timeout(3000).emitWithAck("send_message", { room: ROOM, username, content });
}

/** Emits without waiting, as a flooding client does; the answers come back in order. */
function burst(socket: ClientSocket, count: number, make: (i: number) => Promise<Ack<object>>): Promise<Ack<object>[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)));
}

const codes = (answers: Ack<object>[]): string[] => answers.map((a) => (a.ok ? "ok" : a.error.code));

async function storedCount(app: TestApp): Promise<number> {
  return (await app.repo.page(ROOM, { limit: 500 })).messages.length;
}

/** The next chat message `observer` gets is the one with `content`: nothing was broadcast before it. */
async function nextMessageIs(observer: ClientSocket, sender: ClientSocket, content: string, seen: unknown[]): Promise<void> {
  const arrived = waitFor(observer, "message", (m) => "id" in m && m.content === content);
  expect(await send(sender, content)).toMatchObject({ ok: true });
  await arrived;
  expect(seen.filter((m): m is { id: number; content: string } => typeof m === "object" && m !== null && "id" in m).map((m) => m.content)).toEqual([content]);
}


describe("send_message token bucket (default 5/s, burst 10)", () => {
  it("answers the 11th send of a burst with rate_limited and retryAfterMs, and stores and broadcasts nothing for it", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");

    const bobHeardBurst = waitFor(bob, "message", (m) => "id" in m && m.content === "m9");
    const answers = await burst(alice, 11, (i) => send(alice, `m${i}`));
    expect(codes(answers)).toEqual([...Array(10).fill("ok"), "rate_limited"]);
    expect(answers[10]).toEqual({ ok: false, error: { code: "rate_limited", message: expect.any(String), retryAfterMs: 200 } });
    expect(await storedCount(app)).toBe(10);

    await bobHeardBurst; // alice's acks can overtake bob's copies of the burst
    const seen = collect(bob, "message");
    expect(await send(alice, "still limited")).toMatchObject({ ok: false, error: { code: "rate_limited", retryAfterMs: 200 } });
    app.clock.advance(199);
    expect(await send(alice, "still limited")).toMatchObject({ ok: false, error: { code: "rate_limited", retryAfterMs: 1 } });
    app.clock.advance(1);
    await nextMessageIs(bob, alice, "after the wait", seen);
    expect(await storedCount(app)).toBe(11);
  });

  it("refills at 5 per second up to the burst of 10", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    expect(codes(await burst(alice, 10, (i) => send(alice, `a${i}`)))).toEqual(Array(10).fill("ok"));
    app.clock.advance(1000);
    expect(codes(await burst(alice, 6, (i) => send(alice, `b${i}`)))).toEqual([...Array(5).fill("ok"), "rate_limited"]);
    app.clock.advance(60_000);
    expect(codes(await burst(alice, 11, (i) => send(alice, `c${i}`)))).toEqual([...Array(10).fill("ok"), "rate_limited"]);
  });

  it("tells a legacy client (no ack) with chat_error {code, message, event, retryAfterMs}", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");
    // Bob's copies travel on his own connection: the acks to Alice can come back before they reach him.
    const burstHeard = waitFor(bob, "message", (m) => "id" in m && m.content === "m9");
    await burst(alice, 10, (i) => send(alice, `m${i}`));
    await burstHeard;

    const seen = collect(bob, "message");
    const error = waitFor(alice, "chat_error");
    legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: "legacy" });
    expect(await error).toEqual({ code: "rate_limited", message: expect.any(String), event: "send_message", retryAfterMs: 200 } satisfies ChatErrorEvent);
    app.clock.advance(200);
    await nextMessageIs(bob, alice, "next", seen);
  });

  it("counts a sender's limit per connection: another connection is not slowed by it", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");
    await burst(alice, 11, (i) => send(alice, `m${i}`));
    expect(await send(bob, "bob is fine", "bob")).toMatchObject({ ok: true });
  });
});

describe("the other events' buckets", () => {
  it.each([
    ["join_chat", 10, { room: ROOM, username: "alice" }],
    ["fetch_history", 20, { room: ROOM }],
    ["typing", 5, { room: ROOM, isTyping: true }],
  ] as const)("%s: the burst of %i passes, the next is rate_limited", async (event: ClientEventName, burstSize, payload) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.connect();
    if (event !== "join_chat") expect(await alice.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "alice" })).toMatchObject({ ok: true });
    const once = (): Promise<Ack<object>> => call(alice, event, payload);
    // join_chat itself took a join token above only when the event under test is join_chat's.
    expect(codes(await burst(alice, burstSize, once))).toEqual(Array(burstSize).fill("ok"));
    const refused = await once();
    expect(refused).toEqual({ ok: false, error: { code: "rate_limited", message: expect.any(String), retryAfterMs: expect.any(Number) } });
    expect(refused.ok ? 0 : refused.error.retryAfterMs).toBeGreaterThan(0);
  });

  it("a rate-limited typing event is not broadcast", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");
    const typing = collect(bob, "typing");
    const seen = collect(bob, "message");
    const answers = await burst(alice, 6, () => alice.timeout(3000).emitWithAck("typing", { room: ROOM, isTyping: true }));
    expect(codes(answers)).toEqual([...Array(5).fill("ok"), "rate_limited"]);
    await nextMessageIs(bob, alice, "fence", seen);
    expect(typing).toHaveLength(5);
  });
});

describe("disconnecting a client that ignores rate_limited", () => {
  it("disconnects after more than 100 rate_limited answers within 10 s (defaults), not at 100", async () => {
    const app = await startTestApp({ env: { RATE_SEND_PER_SEC: "0.001", RATE_SEND_BURST: "1" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    expect(await send(alice, "first")).toMatchObject({ ok: true });

    expect(codes(await burst(alice, 100, (i) => send(alice, `x${i}`)))).toEqual(Array(100).fill("rate_limited"));
    expect(alice.connected).toBe(true);

    const dropped = new Promise<string>((resolve) => alice.once("disconnect", resolve));
    legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: "the 101st" });
    expect(await dropped).toBe("io server disconnect");
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "warn", event: "rate_limit_disconnect", socket: expect.any(String) }));
    expect(await storedCount(app)).toBe(1);
  });

  it("keeps a connection whose refusals are spread over more than 10 s", async () => {
    const app = await startTestApp({ env: { RATE_SEND_PER_SEC: "0.001", RATE_SEND_BURST: "1" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    await send(alice, "first");
    expect(codes(await burst(alice, 100, (i) => send(alice, `a${i}`)))).toEqual(Array(100).fill("rate_limited"));
    app.clock.advance(10_001);
    expect(codes(await burst(alice, 100, (i) => send(alice, `b${i}`)))).toEqual(Array(100).fill("rate_limited"));
    expect(alice.connected).toBe(true);
    // Now 100 in the window: one more is the 101st.
    const dropped = new Promise<string>((resolve) => alice.once("disconnect", resolve));
    legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: "one too many" });
    expect(await dropped).toBe("io server disconnect");
  });
});

describe("per-IP connection caps", () => {
  it("refuses a connection past MAX_CONNECTIONS_PER_IP open ones, and accepts again once one closes (loopback is not exempt)", async () => {
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "3" } });
    onTestFinished(app.close);
    const open = [await app.connect(), await app.connect(), await app.connect()];
    await expect(app.connect()).rejects.toThrow();
    await expect(app.connect({ options: { transports: ["polling"] } })).rejects.toThrow();
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_connections", ip: "127.0.0.1" }));

    const gone = serverSideGone(app, open[0] as ClientSocket);
    open[0]?.disconnect();
    await gone;
    expect((await app.connect()).connected).toBe(true);
  });

  it("refuses handshakes past HANDSHAKES_PER_MINUTE_PER_IP, even when closed at once, until the minute is over", async () => {
    const app = await startTestApp({ env: { HANDSHAKES_PER_MINUTE_PER_IP: "3" } });
    onTestFinished(app.close);
    for (let i = 0; i < 3; i++) {
      const socket = await app.connect();
      const gone = serverSideGone(app, socket);
      socket.disconnect();
      await gone;
    }
    await expect(app.connect()).rejects.toThrow();
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_handshakes" }));
    app.clock.advance(59_000);
    await expect(app.connect()).rejects.toThrow();
    app.clock.advance(1_000);
    expect((await app.connect()).connected).toBe(true);
  });
});

describe("TRUST_PROXY decides which address counts", () => {
  const from = (app: TestApp, forwardedFor: string) => app.connect({ options: { extraHeaders: { "X-Forwarded-For": forwardedFor } } });

  it("without TRUST_PROXY, X-Forwarded-For is ignored: every connection counts for the TCP peer", async () => {
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "2" } });
    onTestFinished(app.close);
    await from(app, "203.0.113.1");
    await from(app, "203.0.113.2");
    await expect(from(app, "203.0.113.3")).rejects.toThrow();
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_connections", ip: "127.0.0.1" }));
  });

  it("with TRUST_PROXY=loopback, each forwarded client address has its own cap", async () => {
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "2", TRUST_PROXY: "loopback" } });
    onTestFinished(app.close);
    await from(app, "203.0.113.1");
    await from(app, "203.0.113.1");
    await expect(from(app, "203.0.113.1")).rejects.toThrow();
    expect((await from(app, "203.0.113.2")).connected).toBe(true);
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_connections", ip: "203.0.113.1" }));
  });

  it("with TRUST_PROXY=1 (one proxy hop), a client cannot dodge its cap by prepending addresses", async () => {
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "2", TRUST_PROXY: "1" } });
    onTestFinished(app.close);
    await from(app, "203.0.113.1");
    await from(app, "198.51.100.7, 203.0.113.1");
    await expect(from(app, "192.0.2.99, 203.0.113.1")).rejects.toThrow();
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_connections", ip: "203.0.113.1" }));
  });
});
