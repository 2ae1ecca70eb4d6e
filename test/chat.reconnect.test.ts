// Reconnect without gaps or duplicates: join_chat {since} answers what came after the client's last id,
// hasMoreAfter says more remain, fetch_history {after} pages forward.
import { describe, expect, it, onTestFinished } from "vitest";
import type { HistoryResult, WireMessage } from "../src/protocol.js";
import { joinRoom, startTestApp, tempDatabase, type ClientSocket } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChat, isChatWith, isNoticeWith, seedMessages } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

const contents = (list: { content: string }[]): string[] => list.map((m) => m.content);
const range = (from: number, to: number, prefix = "m"): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

async function pageForward(socket: ClientSocket, room: string, after: number, limit?: number): Promise<HistoryResult> {
  const res = await call<HistoryResult>(socket, "fetch_history", { room, after, ...(limit !== undefined ? { limit } : {}) });
  if (!res.ok) throw new Error(`fetch_history failed: ${res.error.code}`);
  return res;
}

/** What a reconnecting client does: join with since, then page forward while hasMoreAfter. */
async function catchUp(socket: ClientSocket, room: string, username: string, since: number, limit?: number): Promise<{ missed: WireMessage[]; pages: number }> {
  const res = await joinRoom(socket, room, username, { since });
  if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
  const missed = [...res.history];
  let hasMoreAfter = res.hasMoreAfter;
  let pages = 0;
  while (hasMoreAfter) {
    const page = await pageForward(socket, room, missed.at(-1)?.id ?? since, limit);
    missed.push(...page.messages);
    hasMoreAfter = page.hasMore;
    pages++;
  }
  return { missed, pages };
}

describe("join_chat {since}", () => {
  it("answers the oldest messages after since, up to HISTORY_LIMIT, with hasMoreAfter and hasMore", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 10);
    const alice = await app.connect();
    const res = await joinRoom(alice, "general", "alice", { since: 2 });
    expect(res).toMatchObject({ ok: true, hasMore: true, hasMoreAfter: true });
    expect(res.ok && contents(res.history)).toEqual(range(3, 5));
  });

  it("says hasMoreAfter: false when the answer reaches the newest message", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 5);
    const alice = await app.connect();
    const res = await joinRoom(alice, "general", "alice", { since: 2 });
    expect(res.ok && contents(res.history)).toEqual(range(3, 5));
    expect(res).toMatchObject({ hasMoreAfter: false, hasMore: true });
  });

  it("answers nothing new when since is the newest id, and everything from the start with since 0", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const seeded = await seedMessages(app.repo, "general", 4);
    const upToDate = await app.connect();
    expect(await joinRoom(upToDate, "general", "alice", { since: seeded.at(-1)?.id ?? 0 })).toMatchObject({
      ok: true,
      history: [],
      hasMore: true,
      hasMoreAfter: false,
    });
    const fromStart = await app.connect();
    const res = await joinRoom(fromStart, "general", "bob", { since: 0 });
    expect(res).toMatchObject({ ok: true, hasMore: false, hasMoreAfter: false });
    expect(res.ok && contents(res.history)).toEqual(range(1, 4));
  });

  it("counts since in message ids shared by all rooms, answering only this room's", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 2, { prefix: "g" }); // ids 1, 2
    await seedMessages(app.repo, "other", 2, { prefix: "o" }); // ids 3, 4
    await seedMessages(app.repo, "general", 2, { prefix: "h" }); // ids 5, 6
    const alice = await app.connect();
    const res = await joinRoom(alice, "general", "alice", { since: 2 });
    expect(res.ok && res.history.map((m) => [m.id, m.content])).toEqual([
      [5, "h1"],
      [6, "h2"],
    ]);
  });

  it("replays the messages after since as message events to a client without ack", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 4);
    const legacy = await app.connect();
    const seen = collectUntil(legacy, "message", isNoticeWith("alice has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "alice", room: "general", since: 2 });
    expect(contents(await seen)).toEqual([...range(3, 4), "alice has joined the chat."]);
  });

  it("refuses a since that is not a message id with invalid_cursor", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.connect();
    for (const since of [-1, 1.5, "3"]) {
      expect(await call(alice, "join_chat", { username: "alice", room: "general", since })).toMatchObject({ ok: false, error: { code: "invalid_cursor" } });
    }
  });
});

describe("fetch_history {after}", () => {
  it("pages forward, oldest first, until hasMore is false", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3" } });
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 10);
    const alice = await app.connect();
    const { missed, pages } = await catchUp(alice, "general", "alice", 2, 3);
    expect(contents(missed)).toEqual(range(3, 10));
    expect(pages).toBe(2); // m6-m8, then m9-m10
  });

  it("defaults to 50 per page", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "general", 60);
    const alice = await app.joined("general", "alice");
    const page = await pageForward(alice, "general", 0);
    expect(contents(page.messages)).toEqual(range(1, 50));
    expect(page.hasMore).toBe(true);
  });

  it("answers an empty page after the newest message", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const seeded = await seedMessages(app.repo, "general", 2);
    const alice = await app.joined("general", "alice");
    expect(await pageForward(alice, "general", seeded.at(-1)?.id ?? 0)).toEqual({ ok: true, messages: [], hasMore: false });
  });
});

describe("reconnecting after a server restart", () => {
  it("shows what was missed exactly once, in order, then live messages", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const before = await startTestApp({ databasePath: db.path, env: { HISTORY_LIMIT: "2" } });
    onTestFinished(before.close);
    const alice = await before.joined("general", "alice");
    const seenLive = waitFor(alice, "message", isChatWith("seen live"));
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "seen live" });
    const lastId = ((await seenLive) as WireMessage).id;
    const dropped = new Promise((resolve) => alice.once("disconnect", resolve));
    await before.close();
    await dropped;

    const after = await startTestApp({ databasePath: db.path, env: { HISTORY_LIMIT: "2" } });
    onTestFinished(after.close);
    const bob = await after.joined("general", "bob");
    for (const content of ["while away 1", "while away 2", "while away 3", "while away 4", "while away 5"]) {
      await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content });
    }

    const back = await after.connect();
    const live = collectUntil(back, "message", isChatWith("live again"));
    const { missed } = await catchUp(back, "general", "alice", lastId);
    expect(contents(missed)).toEqual(["while away 1", "while away 2", "while away 3", "while away 4", "while away 5"]);
    expect(new Set(missed.map((m) => m.id)).size).toBe(5);

    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "live again" });
    expect(contents((await live).filter(isChat))).toEqual(["live again"]);
  });
});
