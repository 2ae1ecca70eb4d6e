// Validation at the socket edge: bad input is refused with a clear error, never stored, never broadcast,
// and hostile payloads (huge strings, odd types, __proto__ keys) neither crash nor stall the server.
import { describe, expect, it, onTestFinished } from "vitest";
import type { ClientEventName } from "../src/protocol.js";
import { startTestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChatWith } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

const EMOJI = "\u{1F600}";

describe("refused content is never stored or broadcast", () => {
  it.each([
    ["empty", ""],
    ["blank", " \r\n\t "],
    ["501 characters", "a".repeat(501)],
    ["501 emoji", EMOJI.repeat(501)],
    ["a NUL", "a\u0000b"],
    ["an escape sequence", "\u001b[2J"],
    ["a line separator", "a\u2028b"],
    ["10,000 characters", "x".repeat(10_000)],
    ["a number", 42],
    ["an object", { toString: "hi" }],
  ])("content %s", async (_what, content) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));

    const res = await call(alice, "send_message", { username: "alice", room: "general", content });
    expect(res).toMatchObject({ ok: false, error: { code: "invalid_content", message: expect.stringMatching(/^content must/) } });

    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["marker"]);
  });
});

describe("accepted edge values arrive intact", () => {
  it("stores and broadcasts 500 emoji (code points, not UTF-16 units) and \\r\\n as \\n", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const name = EMOJI.repeat(50);
    const alice = await app.joined("general", name, { heardBy: [bob] });

    const long = waitFor(bob, "message", isChatWith(EMOJI.repeat(500)));
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: name, room: "general", content: EMOJI.repeat(500) })).toMatchObject({ ok: true });
    expect(await long).toMatchObject({ sender: name });

    const folded = waitFor(bob, "message", isChatWith("line 1\nline 2\n\tindented"));
    await alice.timeout(3000).emitWithAck("send_message", { username: name, room: "general", content: "line 1\r\nline 2\r\n\tindented\r\n" });
    await folded;
    const stored = (await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content);
    expect(stored).toEqual([EMOJI.repeat(500), "line 1\nline 2\n\tindented"]);
  });

  it("accepts a 50-character room and refuses a 51-character one", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const socket = await app.connect();
    expect(await call(socket, "join_chat", { username: "a", room: "é".repeat(50) })).toMatchObject({ ok: true, room: "é".repeat(50) });
    expect(await call(socket, "join_chat", { username: "a", room: "é".repeat(51) })).toMatchObject({ ok: false, error: { code: "invalid_room" } });
  });

  it("refuses names and rooms with control characters", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const socket = await app.connect();
    expect(await call(socket, "join_chat", { username: "a\u0000b", room: "r" })).toMatchObject({ ok: false, error: { code: "invalid_name" } });
    expect(await call(socket, "join_chat", { username: "ab", room: "r\nr" })).toMatchObject({ ok: false, error: { code: "invalid_room" } });
  });
});

describe("payloads that are not plain objects", () => {
  const events: ClientEventName[] = ["join_chat", "send_message", "leave_chat", "fetch_history", "typing"];
  const payloads: [string, unknown][] = [
    ["null", null],
    ["a number", 42],
    ["a string", "general"],
    ["a boolean", false],
    ["an array", [{ username: "a", room: "r" }]],
    ["binary", Buffer.from('{"username":"a","room":"r"}')],
  ];

  it("answers invalid_payload for each event and payload, and the connection keeps working", async () => {
    const app = await startTestApp({ env: { RATE_JOIN_PER_SEC: "0", RATE_HISTORY_PER_SEC: "0", RATE_TYPING_PER_SEC: "0", RATE_SEND_PER_SEC: "0" } });
    onTestFinished(app.close);
    const socket = await app.joined("general", "alice");
    for (const event of events) {
      for (const [what, payload] of payloads) {
        const res = await call(socket, event, payload);
        expect(res, `${event} with ${what}`).toEqual({ ok: false, error: { code: "invalid_payload", message: "payload must be an object" } });
      }
    }
    expect(await call(socket, "send_message", { username: "alice", room: "general", content: "still fine" })).toMatchObject({ ok: true });
  });

  it("never reads fields through a __proto__ key and is not polluted by one", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const socket = await app.connect();
    const hidden: unknown = JSON.parse('{"__proto__": {"username": "alice", "room": "general"}}');
    expect(await call(socket, "join_chat", hidden)).toMatchObject({ ok: false, error: { code: "invalid_name" } });

    const polluting: unknown = JSON.parse('{"username": "alice", "room": "general", "__proto__": {"polluted": "yes", "rooms": 1}}');
    expect(await call(socket, "join_chat", polluting)).toMatchObject({ ok: true, username: "alice", room: "general" });
    // The server runs in this process: a polluted Object.prototype would show here.
    expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
    expect(await call(socket, "send_message", { username: "alice", room: "general", content: "ok" })).toMatchObject({ ok: true });
  });
});

describe("a 1 MB string", () => {
  it.each([["websocket"], ["polling"]])("is refused at transport level (%s): the sender is cut off, the server keeps serving", async (transport) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const mallory = await app.connect({ options: { transports: [transport] } });
    const cutOff = new Promise<string>((resolve) => mallory.once("disconnect", resolve));

    legacyEmit(mallory, "send_message", { username: "mallory", room: "general", content: "x".repeat(1024 * 1024) });
    expect(await cutOff).toMatch(/^transport (close|error)$/);

    // Others are served as before, and newcomers can connect and chat.
    const carol = await app.joined("general", "carol", { heardBy: [bob] });
    const bobGets = waitFor(bob, "message", isChatWith("after the flood"));
    expect(await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "general", content: "after the flood" })).toMatchObject({ ok: true });
    await bobGets;
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["after the flood"]);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("refuses a 15,000-character name (under the transport cap) with invalid_name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const socket = await app.connect();
    expect(await call(socket, "join_chat", { username: "n".repeat(15_000), room: "general" })).toMatchObject({ ok: false, error: { code: "invalid_name" } });
  });
});
