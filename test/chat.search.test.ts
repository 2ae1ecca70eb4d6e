// search_messages and fetch_history {around} over real sockets, on a temporary SQLite file.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import type { HistoryResult, SearchResult } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { FLASK_INSERT, withFlaskConnection } from "./helpers/flask-db.js";
import { waitFor } from "./helpers/wait.js";

async function search(socket: ClientSocket, payload: Record<string, unknown>): Promise<SearchResult> {
  const res = await call<SearchResult>(socket, "search_messages", { room: "general", ...payload });
  if (!res.ok) throw new Error(`search_messages failed: ${res.error.code} ${res.error.message}`);
  return res;
}

async function send(socket: ClientSocket, content: string, username = "alice"): Promise<number> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room: "general", username, content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message.id;
}

async function appWithAlice(env: Record<string, string> = {}): Promise<{ app: TestApp; alice: ClientSocket }> {
  const app = await startTestApp({ env: { RATE_SEND_PER_SEC: "0", ...env } });
  onTestFinished(app.close);
  return { app, alice: await app.joined("general", "alice") };
}

describe("search_messages refusals", () => {
  it("refuses a room the socket has not joined, even one it could join", async () => {
    const { app, alice } = await appWithAlice();
    await send(alice, "secret plans");
    const bob = await app.connect();
    expect(await call(bob, "search_messages", { room: "general", q: "secret" })).toEqual({
      ok: false,
      error: { code: "not_in_room", message: "Join the room before searching it." },
    });
  });

  it.each([
    [{ q: "" }, "invalid_payload", /q must not be empty/],
    [{ q: "   " }, "invalid_payload", /q must not be empty/],
    [{ q: 42 }, "invalid_payload", /q must be a string/],
    [{}, "invalid_payload", /q must be a string/],
    [{ q: "x".repeat(201) }, "invalid_payload", /at most 200 characters/],
    [{ q: "hi", limit: 51 }, "invalid_payload", /limit must be a whole number from 1 to 50/],
    [{ q: "hi", before: -1 }, "invalid_cursor", /before must be a message id/],
    [{ q: "hi", room: "" }, "invalid_room", /room must be/],
  ])("answers %j with %s", async (payload, code, message) => {
    const { alice } = await appWithAlice();
    const res = await call(alice, "search_messages", { room: "general", ...payload });
    expect(res).toMatchObject({ ok: false, error: { code } });
    if (!res.ok) expect(res.error.message).toMatch(message);
  });

  it("tells an ack-less client with chat_error", async () => {
    const { alice } = await appWithAlice();
    const error = waitFor(alice, "chat_error");
    legacyEmit(alice, "search_messages", { room: "general", q: "" });
    expect(await error).toMatchObject({ code: "invalid_payload", event: "search_messages" });
  });

  it("is rate-limited with the history budget", async () => {
    const { alice } = await appWithAlice({ RATE_HISTORY_BURST: "2", RATE_HISTORY_PER_SEC: "1" });
    await search(alice, { q: "a" });
    await search(alice, { q: "b" });
    expect(await call(alice, "search_messages", { room: "general", q: "c" })).toMatchObject({ ok: false, error: { code: "rate_limited", retryAfterMs: 1000 } });
    expect(await call(alice, "fetch_history", { room: "general" })).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });
});

describe("search_messages answers", () => {
  // Until the polish review (2026-12-07) these were refused invalid_payload ("q has nothing to search for"), and the
  // page showed "Search failed: q …" for "😀" while "from:" alone said "No messages match".
  it.each(["😀", "😀🎉 👍🏽", "!!! -- *", '"', "<>"])("answers %j, which holds nothing either index keeps as a word, with no hits", async (q) => {
    const { alice } = await appWithAlice();
    await send(alice, `look 😀 here ${q}`);
    expect(await call(alice, "search_messages", { room: "general", q })).toEqual({ ok: true, hits: [], hasMore: false });
  });

  it("finds what was sent, with highlights as code-point offsets after an emoji", async () => {
    const { alice } = await appWithAlice();
    const id = await send(alice, "😀🎉 On se voit au Café demain?");
    await send(alice, "nothing here");
    const res = await search(alice, { q: "cafe" });
    expect(res.hasMore).toBe(false);
    expect(res.hits).toHaveLength(1);
    const hit = res.hits[0];
    expect(hit?.message).toMatchObject({ id, sender: "alice", content: "😀🎉 On se voit au Café demain?" });
    expect(hit?.highlights).toEqual([[17, 21]]);
    expect([...(hit?.message.content ?? "")].slice(17, 21).join("")).toBe("Café");
  });

  it("matches the last word as a prefix, phrases exactly, and from: by name key", async () => {
    const { app, alice } = await appWithAlice();
    const bob = await app.joined("general", "Bob");
    await send(alice, "the quick brown fox");
    await send(bob, "a brown quick fox", "Bob");
    expect((await search(alice, { q: "quick bro" })).hits.map((h) => h.message.content).sort()).toEqual(["a brown quick fox", "the quick brown fox"]);
    const phrase = await search(alice, { q: '"quick brown"' });
    expect(phrase.hits.map((h) => [h.message.content, h.highlights])).toEqual([["the quick brown fox", [[4, 15]]]]);
    expect((await search(alice, { q: "from:BOB fox" })).hits.map((h) => h.message.sender)).toEqual(["Bob"]);
    expect((await search(alice, { q: "from:bob" })).hits.map((h) => h.highlights)).toEqual([[]]);
  });

  it("searches FTS syntax as plain words instead of failing", async () => {
    const { alice } = await appWithAlice();
    await send(alice, "near the (big) door");
    for (const q of ['NEAR( door', 'door*', '-door', '"door', "big) OR", "from: door", "^door", "door:x"]) {
      const res = await call<SearchResult>(alice, "search_messages", { room: "general", q });
      expect(res.ok, q).toBe(true);
    }
    expect((await search(alice, { q: "NEAR( door" })).hits).toHaveLength(1);
  });

  it("pages with before: each page the newest matches below it, hasMore until the oldest", async () => {
    const { alice } = await appWithAlice();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(alice, `report number ${i}`));
    const first = await search(alice, { q: "report", limit: 2 });
    expect(first.hits.map((h) => h.message.id).sort()).toEqual([ids[3], ids[4]].sort());
    expect(first.hasMore).toBe(true);
    const before = Math.min(...first.hits.map((h) => h.message.id));
    const second = await search(alice, { q: "report", limit: 2, before });
    expect(second.hits.map((h) => h.message.id).sort()).toEqual([ids[1], ids[2]].sort());
    const third = await search(alice, { q: "report", limit: 2, before: Math.min(...second.hits.map((h) => h.message.id)) });
    expect(third.hits.map((h) => h.message.id)).toEqual([ids[0]]);
    expect(third.hasMore).toBe(false);
  });

  it("orders a page best match first, whatever the store's order", async () => {
    const { alice } = await appWithAlice();
    await send(alice, "tea tea tea");
    await send(alice, "some tea with a long line of other words after it");
    await send(alice, "tea please");
    expect((await search(alice, { q: "tea" })).hits.map((h) => h.message.content)).toEqual([
      "tea tea tea",
      "tea please",
      "some tea with a long line of other words after it",
    ]);
  });

  it("does not find a deleted message's old text (content erased by an UPDATE)", async () => {
    const { app, alice } = await appWithAlice();
    const id = await send(alice, "my bank pin is 1234");
    expect((await search(alice, { q: "bank pin" })).hits).toHaveLength(1);
    withFlaskConnection(app.databasePath, (db) => db.prepare("UPDATE chat_message SET content = '' WHERE id = ?").run(id));
    expect((await search(alice, { q: "bank" })).hits).toEqual([]);
    expect((await search(alice, { q: "1234" })).hits).toEqual([]);
  });

  it("finds a row the Flask app inserted into the same file", async () => {
    const { app, alice } = await appWithAlice();
    withFlaskConnection(app.databasePath, (db: Database.Database) => db.prepare(FLASK_INSERT).run("general", "flask", "written by the original app", "2024-05-06 07:08:09.123456"));
    const res = await search(alice, { q: "original" });
    expect(res.hits.map((h) => [h.message.sender, h.message.content])).toEqual([["flask", "written by the original app"]]);
  });
});

describe("fetch_history {around}", () => {
  it("answers the message with its neighbours, oldest first, and what lies beyond", async () => {
    const { alice } = await appWithAlice();
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(await send(alice, `m${i}`));
    const res = await call<HistoryResult>(alice, "fetch_history", { room: "general", around: ids[4], limit: 5 });
    expect(res).toEqual({ ok: true, messages: expect.any(Array), hasMore: true, hasMoreAfter: true });
    if (res.ok) expect(res.messages.map((m) => m.id)).toEqual(ids.slice(2, 7));
  });

  it("refuses around with before or after, and a bad around", async () => {
    const { alice } = await appWithAlice();
    expect(await call(alice, "fetch_history", { room: "general", around: 3, before: 5 })).toMatchObject({
      ok: false,
      error: { code: "invalid_cursor", message: "give around alone, without before or after" },
    });
    expect(await call(alice, "fetch_history", { room: "general", around: 1.5 })).toMatchObject({ ok: false, error: { code: "invalid_cursor" } });
  });
});
