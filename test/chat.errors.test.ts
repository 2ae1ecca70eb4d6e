// Every error code, as an ack {ok: false, error} for new clients and as a chat_error event for the original's clients.
import { describe, expect, it, onTestFinished } from "vitest";
import type { ChatErrorEvent, ClientEventName, ErrorBody, ErrorCode } from "../src/protocol.js";
import { StorageUnavailableError, type MessageRepository } from "../src/storage/repository.js";
import type { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { startTestApp, type ClientSocket, type TestApp, type TestAppOptions } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChatWith } from "./helpers/messages.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";
import { gatedRepo, type GatedRepo } from "./helpers/faulty-repo.js";

function faultyRepo(sqlite: SqliteMessageRepository, faults: { append?: () => Error; page?: () => Error }): MessageRepository {
  return {
    append: (msg) => (faults.append ? Promise.reject(faults.append()) : sqlite.append(msg)),
    page: (room, query) => (faults.page ? Promise.reject(faults.page()) : sqlite.page(room, query)),
    search: (room, query, opts) => sqlite.search(room, query, opts),
    isHealthy: () => sqlite.isHealthy(),
    close: () => sqlite.close(),
  };
}

interface Case {
  code: ErrorCode;
  why: string;
  app?: TestAppOptions;
  /** Prepares the world; returns the socket that sends the failing event. */
  setup: (app: TestApp) => Promise<ClientSocket>;
  event: ClientEventName;
  payload: unknown;
  message?: string | RegExp;
}

const joinedAlice = (app: TestApp) => app.joined("general", "alice");
const fresh = (app: TestApp) => app.connect();

const cases: Case[] = [
  { code: "invalid_payload", why: "join_chat with null", setup: fresh, event: "join_chat", payload: null, message: "payload must be an object" },
  { code: "invalid_payload", why: "send_message with an array", setup: joinedAlice, event: "send_message", payload: ["general", "alice", "hi"] },
  { code: "invalid_payload", why: "fetch_history with a limit out of range", setup: joinedAlice, event: "fetch_history", payload: { room: "general", limit: 501 } },
  { code: "invalid_name", why: "join_chat with a blank name", setup: fresh, event: "join_chat", payload: { username: "  ", room: "general" }, message: "username must be 1-50 characters" },
  { code: "invalid_room", why: "join_chat with a 51-character room", setup: fresh, event: "join_chat", payload: { username: "alice", room: "r".repeat(51) }, message: "room must be 1-50 characters" },
  { code: "invalid_content", why: "send_message with 501 characters", setup: joinedAlice, event: "send_message", payload: { username: "alice", room: "general", content: "x".repeat(501) }, message: "content must be 1-500 characters" },
  { code: "invalid_client_id", why: "send_message with a clientId that is not a UUID", setup: joinedAlice, event: "send_message", payload: { username: "alice", room: "general", content: "hi", clientId: "1234" }, message: "clientId must be a UUID" },
  { code: "invalid_cursor", why: "fetch_history with a negative before", setup: joinedAlice, event: "fetch_history", payload: { room: "general", before: -1 } },
  { code: "not_in_room", why: "send_message to a room not joined", setup: fresh, event: "send_message", payload: { username: "alice", room: "general", content: "hi" } },
  { code: "not_in_room", why: "leave_chat of a room not joined", setup: fresh, event: "leave_chat", payload: { username: "alice", room: "general" } },
  { code: "not_in_room", why: "fetch_history of a room not joined", setup: fresh, event: "fetch_history", payload: { room: "general" } },
  { code: "not_in_room", why: "typing in a room not joined", setup: fresh, event: "typing", payload: { room: "general" } },
  { code: "name_mismatch", why: "send_message under another name", setup: joinedAlice, event: "send_message", payload: { username: "bob", room: "general", content: "hi" }, message: 'You joined this room as "alice".' },
  {
    code: "name_taken",
    why: "join_chat with a name another client holds",
    setup: async (app) => (await app.joined("general", "alice"), app.connect()),
    event: "join_chat",
    payload: { username: "Alice", room: "general" },
  },
  {
    code: "rate_limited",
    why: "typing beyond its burst",
    app: { env: { RATE_TYPING_BURST: "1", RATE_TYPING_PER_SEC: "1" } },
    setup: async (app) => {
      const alice = await app.joined("general", "alice");
      expect(await alice.timeout(3000).emitWithAck("typing", { room: "general" })).toEqual({ ok: true });
      return alice;
    },
    event: "typing",
    payload: { room: "general" },
    message: "Too many requests; slow down.",
  },
  {
    code: "storage_unavailable",
    why: "send_message when the store cannot write",
    app: { wrapRepo: (sqlite) => faultyRepo(sqlite, { append: () => new StorageUnavailableError("disk full") }) },
    setup: joinedAlice,
    event: "send_message",
    payload: { username: "alice", room: "general", content: "hi" },
    message: "Messages cannot be saved right now; try again shortly.",
  },
  {
    code: "storage_unavailable",
    why: "join_chat when the store cannot read",
    app: { wrapRepo: (sqlite) => faultyRepo(sqlite, { page: () => new StorageUnavailableError("gone") }) },
    setup: fresh,
    event: "join_chat",
    payload: { username: "alice", room: "general" },
  },
  {
    code: "internal",
    why: "an unexpected failure, whose detail stays in the log",
    app: { wrapRepo: (sqlite) => faultyRepo(sqlite, { append: () => new Error("secret detail at /var/db") }) },
    setup: joinedAlice,
    event: "send_message",
    payload: { username: "alice", room: "general", content: "hi" },
    message: "Something went wrong; try again.",
  },
];

describe.each(cases)("$code: $why", (c) => {
  const expectBody = (error: ErrorBody) => {
    expect(error.code).toBe(c.code);
    if (c.message instanceof RegExp) expect(error.message).toMatch(c.message);
    else if (c.message !== undefined) expect(error.message).toBe(c.message);
    else expect(error.message).toMatch(/\S/);
    expect(error.message).not.toContain("secret detail");
  };

  it("answers {ok: false, error: {code, message}} to a client with an ack", async () => {
    const app = await startTestApp(c.app);
    onTestFinished(app.close);
    const socket = await c.setup(app);
    const res = await call(socket, c.event, c.payload);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expectBody(res.error);
    if (c.code === "rate_limited") expect(res.error.retryAfterMs).toBe(1000);
    else expect(res.error).toEqual({ code: c.code, message: expect.any(String) });
  });

  it("emits chat_error {code, message, event} to a client without an ack", async () => {
    const app = await startTestApp(c.app);
    onTestFinished(app.close);
    const socket = await c.setup(app);
    const error = waitFor(socket, "chat_error");
    legacyEmit(socket, c.event, c.payload);
    const ev: ChatErrorEvent = await error;
    expectBody(ev);
    expect(ev.event).toBe(c.event);
  });
});

describe("failures store and broadcast nothing", () => {
  it("broadcasts nothing when the store cannot write, and the next good write goes through", async () => {
    let isBroken = true;
    const app = await startTestApp({
      wrapRepo: (sqlite) => ({
        append: (msg) => (isBroken ? Promise.reject(new StorageUnavailableError("disk full")) : sqlite.append(msg)),
        page: (room, query) => sqlite.page(room, query),
        search: (room, query, opts) => sqlite.search(room, query, opts),
        isHealthy: () => sqlite.isHealthy(),
        close: () => sqlite.close(),
      }),
    });
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("after recovery"));

    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "lost" })).toMatchObject({
      ok: false,
      error: { code: "storage_unavailable" },
    });
    isBroken = false;
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "after recovery" })).toMatchObject({ ok: true });
    expect((await bobSees).map((m) => m.content)).toEqual(["after recovery"]);
    expect((await app.sqlite.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["after recovery"]);
  });

  it("does not leave a socket in the room when its join could not read the history", async () => {
    let isBroken = true;
    const app = await startTestApp({
      wrapRepo: (sqlite) => ({
        append: (msg) => sqlite.append(msg),
        page: (room, query) => (isBroken ? Promise.reject(new StorageUnavailableError("gone")) : sqlite.page(room, query)),
        search: (room, query, opts) => sqlite.search(room, query, opts),
        isHealthy: () => sqlite.isHealthy(),
        close: () => sqlite.close(),
      }),
    });
    onTestFinished(app.close);
    const alice = await app.connect();
    expect(await call(alice, "join_chat", { username: "alice", room: "general" })).toMatchObject({ ok: false, error: { code: "storage_unavailable" } });
    expect(await call(alice, "send_message", { username: "alice", room: "general", content: "hi" })).toMatchObject({ ok: false, error: { code: "not_in_room" } });
    isBroken = false;
    // The name was released: another client can take it.
    expect((await app.joined("general", "alice")).joinResult.username).toBe("alice");
  });

  it("logs the detail of an internal failure for the operator", async () => {
    const app = await startTestApp({ wrapRepo: (sqlite) => faultyRepo(sqlite, { append: () => new Error("secret detail at /var/db") }) });
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    await call(alice, "send_message", { username: "alice", room: "general", content: "hi" });
    const line = app.logs.find((l) => l.event === "handler_failed");
    expect(line).toMatchObject({ level: "error", event: "handler_failed" });
    expect(String((line?.err as Error | undefined)?.message)).toContain("secret detail");
  });
});

describe("shutting_down", () => {
  it("refuses new events while the server drains, in both forms, and still answers the event in flight", async () => {
    let gated!: GatedRepo;
    const app = await startTestApp({ wrapRepo: (sqlite) => (gated = gatedRepo(sqlite)).repo });
    const { appendStarted, release } = gated;
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const inFlight = alice.timeout(5000).emitWithAck("send_message", { username: "alice", room: "general", content: "in flight" });
    await appendStarted;

    const told = waitFor(bob, "server_shutdown");
    const closed = app.app.close();
    expect(await told).toEqual({ reconnectAfterMs: expect.any(Number) });
    expect(await call(bob, "send_message", { username: "bob", room: "general", content: "too late" })).toEqual({
      ok: false,
      error: { code: "shutting_down", message: "The server is restarting; try again in a moment." },
    });
    const legacyError = waitFor(bob, "chat_error");
    legacyEmit(bob, "typing", { room: "general" });
    expect(await legacyError).toMatchObject({ code: "shutting_down", event: "typing" });

    release();
    expect(await inFlight).toMatchObject({ ok: true, message: { content: "in flight" } });
    await closed;
  });
});

describe("malformed calls", () => {
  it("answers invalid_payload to an ack-only emit without payload", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const socket = await app.connect();
    expect(await call(socket, "join_chat")).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });

  it("keeps the connection usable after any number of errors", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const errors = collect(alice, "chat_error");
    for (const payload of [null, 1, "x", [], { room: 5 }]) legacyEmit(alice, "send_message", payload);
    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "fine" });
    expect(res).toMatchObject({ ok: true });
    expect(errors.map((e) => e.code)).toEqual(["invalid_payload", "invalid_payload", "invalid_payload", "invalid_payload", "invalid_room"]);
    expect(alice.connected).toBe(true);
  });
});
