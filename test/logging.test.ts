import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { createManualClock } from "../src/clock.js";
import { hashInviteToken, newInviteToken } from "../src/access/invite-token.js";
import { createCapturingLogger, guardLog, type LogLine } from "../src/log.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { connectTo, startChildServer } from "./helpers/child-server.js";
import { legacyEmit } from "./helpers/emit.js";
import { waitFor } from "./helpers/wait.js";

const ROOM = "general";
const SECRET_TEXT = "the-launch-code-is-0000";

function send(socket: ClientSocket, content: string, username = "alice") {
  return socket.timeout(3000).emitWithAck("send_message", { room: ROOM, username, content });
}

/** Keys that appear twice in one JSON object of `text` (JSON.parse silently keeps the last). */
function duplicateKeys(text: string): string[] {
  const dupes: string[] = [];
  const stack: { keys: Set<string>; isObject: boolean }[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const str = text.slice(i, j + 1);
      const top = stack[stack.length - 1];
      if (expectKey && top?.isObject) {
        const key = JSON.parse(str) as string;
        if (top.keys.has(key)) dupes.push(key);
        top.keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === "{") {
      stack.push({ keys: new Set(), isObject: true });
      expectKey = true;
    } else if (ch === "[") {
      stack.push({ keys: new Set(), isObject: false });
    } else if (ch === "}" || ch === "]") {
      stack.pop();
    } else if (ch === ",") {
      expectKey = stack[stack.length - 1]?.isObject ?? false;
    }
  }
  return dupes;
}

const atInfoOrAbove = (lines: LogLine[]): LogLine[] => lines.filter((l) => l.level !== "debug");

describe("structured logs (capturing logger)", () => {
  it("writes one event_handled line per client event with socket id, socket event, room, outcome and duration", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    await send(alice, "hello");
    await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "" });
    await alice.timeout(3000).emitWithAck("fetch_history", { room: ROOM });

    const handled = app.logs.filter((l) => l.event === "event_handled");
    const line = { level: "info", event: "event_handled", socket: alice.id, room: ROOM, ms: expect.any(Number) };
    expect(handled).toEqual([
      { ...line, socketEvent: "join_chat", outcome: "ok" },
      { ...line, socketEvent: "send_message", outcome: "ok" },
      { ...line, socketEvent: "send_message", outcome: "invalid_content" },
      { ...line, socketEvent: "fetch_history", outcome: "ok" },
    ]);
  });

  it("leaves out a room that is not valid rather than logging what the client sent", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.connect();
    const hugeRoom = "r".repeat(5000);
    await alice.timeout(3000).emitWithAck("join_chat", { room: hugeRoom, username: "alice" });
    const line = app.logs.find((l) => l.event === "event_handled");
    expect(line).toMatchObject({ socketEvent: "join_chat", outcome: "invalid_room" });
    expect(line).not.toHaveProperty("room");
  });

  it("never writes message content at info or above: sent, refused, rate-limited, failed to store", async () => {
    let isFailing = false;
    const app = await startTestApp({
      wrapRepo: (repo) => ({
        append: (m) => (isFailing ? Promise.reject(new Error("disk on fire")) : repo.append(m)),
        page: (room, q) => repo.page(room, q),
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");

    await send(alice, `ok ${SECRET_TEXT}`);
    await send(alice, `too long ${SECRET_TEXT} ${"x".repeat(600)}`);
    await send(alice, `wrong name ${SECRET_TEXT}`, "mallory");
    isFailing = true;
    await send(alice, `failing store ${SECRET_TEXT}`);
    isFailing = false;
    for (let i = 0; i < 12; i++) await send(bob, `flood ${i} ${SECRET_TEXT}`, "bob");
    const legacyError = waitFor(alice, "chat_error");
    legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: `\u0000 ${SECRET_TEXT}` });
    await legacyError;

    const lines = atInfoOrAbove(app.logs);
    expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(["event_handled", "handler_failed"]));
    expect(lines.filter((l) => JSON.stringify(l).includes(SECRET_TEXT))).toEqual([]);
  });

  it("logs each HTTP request with a request id, echoed in X-Request-Id (a proxy's id is kept)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const given = await request(app.app.http).get("/").set("X-Request-Id", "proxy-req-42");
    expect(given.headers["x-request-id"]).toBe("proxy-req-42");
    const made = await request(app.app.http).get("/r/general");
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.logs.filter((l) => l.event === "http_request")).toEqual([
      { level: "info", event: "http_request", requestId: "proxy-req-42", method: "GET", path: "/", status: 200, ms: expect.any(Number) },
      { level: "info", event: "http_request", requestId: made.headers["x-request-id"], method: "GET", path: "/r/general", status: 200, ms: expect.any(Number) },
    ]);
  });
});

describe("structured logs (the real server's stdout, pino)", () => {
  it("prints one JSON object per line with level, time and event, no key twice, and no message content at info", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-logging-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startChildServer({ databasePath: join(dir, "chat.db"), env: { LOG_LEVEL: "info" } });
    onTestFinished(server.stop);
    const alice = await connectTo(server.url);
    onTestFinished(() => void alice.disconnect());
    expect(await alice.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "alice" })).toMatchObject({ ok: true });
    expect(await send(alice, `hello ${SECRET_TEXT}`)).toMatchObject({ ok: true });
    await send(alice, `${"y".repeat(501)} ${SECRET_TEXT}`);
    await server.waitForLog((l) => l.event === "event_handled" && l.outcome === "invalid_content");

    const raw = server.stdout().split("\n").filter(Boolean);
    expect(raw.length).toBe(server.logs.length); // every line parsed as JSON
    for (const text of raw) expect(duplicateKeys(text), text).toEqual([]);
    for (const line of server.logs) {
      expect(line).toMatchObject({ level: expect.stringMatching(/^(info|warn|error)$/), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), event: expect.stringMatching(/^[a-z_]+$/) });
    }
    expect(server.logs.filter((l) => l.event === "event_handled")).toEqual([
      expect.objectContaining({ socket: alice.id, socketEvent: "join_chat", room: ROOM, outcome: "ok", ms: expect.any(Number) }),
      expect.objectContaining({ socket: alice.id, socketEvent: "send_message", room: ROOM, outcome: "ok", ms: expect.any(Number) }),
      expect.objectContaining({ socket: alice.id, socketEvent: "send_message", room: ROOM, outcome: "invalid_content", ms: expect.any(Number) }),
    ]);
    expect(server.stdout()).not.toContain(SECRET_TEXT);
  });
});

describe("log flooding", () => {
  const POLLING_HANDSHAKE = "/socket.io/?EIO=4&transport=polling";
  const refusedHandshake = (app: TestApp, origin: string) => request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", origin).expect(403);
  const refusals = (app: TestApp): LogLine[] => app.logs.filter((l) => l.event === "handshake_refused");

  it("cuts a client-supplied string to 200 characters, marked with its length (a 10 KB Origin header)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const origin = `http://${"a".repeat(10_000)}.example`;
    await refusedHandshake(app, origin);
    const [line] = refusals(app);
    expect(line?.origin).toBe(`${origin.slice(0, 200)}…[truncated, ${origin.length} chars]`);
    expect(JSON.stringify(line).length).toBeLessThan(400);
  });

  it("writes one warning of a kind per LOG_WARN_INTERVAL_MS, then says how many it left out", async () => {
    const app = await startTestApp({ env: { LOG_WARN_INTERVAL_MS: "5000" } });
    onTestFinished(app.close);
    for (let i = 0; i < 5; i++) await refusedHandshake(app, `http://evil${i}.example`);
    expect(refusals(app)).toEqual([expect.objectContaining({ level: "warn", origin: "http://evil0.example" })]);
    expect(refusals(app)[0]).not.toHaveProperty("suppressed");

    app.clock.advance(4999);
    await refusedHandshake(app, "http://evil5.example");
    expect(refusals(app)).toHaveLength(1);
    app.clock.advance(1);
    await refusedHandshake(app, "http://evil6.example");
    expect(refusals(app)).toEqual([expect.anything(), expect.objectContaining({ origin: "http://evil6.example", suppressed: 5 })]);
  });

  it("limits each kind of warning on its own, and only warnings; strings are cut at every level and depth", () => {
    const inner = createCapturingLogger();
    const log = guardLog(inner, { clock: createManualClock(), warnIntervalMs: 10_000 });
    log.warn("kind_a", {});
    log.warn("kind_a", {});
    log.warn("kind_b", {});
    log.info("kind_a", { nested: { list: ["x".repeat(300)] } });
    log.info("kind_a", {});
    expect(inner.lines.map((l) => `${l.level} ${l.event}`)).toEqual(["warn kind_a", "warn kind_b", "info kind_a", "info kind_a"]);
    expect(inner.lines[2]).toMatchObject({ nested: { list: [`${"x".repeat(200)}…[truncated, 300 chars]`] } });
  });

  it("LOG_WARN_INTERVAL_MS=0 writes every warning", async () => {
    const app = await startTestApp({ env: { LOG_WARN_INTERVAL_MS: "0" } });
    onTestFinished(app.close);
    for (let i = 0; i < 3; i++) await refusedHandshake(app, `http://evil${i}.example`);
    expect(refusals(app)).toHaveLength(3);
  });
});

describe("secrets in log lines", () => {
  it("masks an invite token in its path in any letter case or slashes, and a token standing alone anywhere, and nothing else", () => {
    const inner = createCapturingLogger();
    const log = guardLog(inner, { clock: createManualClock(), warnIntervalMs: 0 });
    const token = newInviteToken();
    const paths = [`/invite/${token}`, `/Invite/${token}`, `/INVITE/${token}/`, `/invite//${token}`, `/invite%2F${token}`, `/%69nvite/${token}`, `/r/lobby?t=${token}`];
    const kept = { hash: hashInviteToken(token), requestId: "4b8f0f0e-2c59-4bb4-9a8e-0d1b5f6c7a21", short: "/invite/abc" };
    log.info("http_request", { paths, nested: { referer: `https://chat.example/invite/${token}?x=1` }, ...kept });
    const [line] = inner.lines;
    expect(JSON.stringify(line)).not.toContain(token);
    expect(line).toMatchObject({
      paths: ["/invite/[token]", "/Invite/[token]", "/INVITE/[token]/", "/invite/[token]", "/invite/[token]", "/%69nvite/[token]", "/r/lobby?t=[token]"],
      nested: { referer: "https://chat.example/invite/[token]?x=1" },
      ...kept,
    });
  });
});
