// Reconnect without gaps or duplicates: join_chat {since} answers what came after the client's last id,
// hasMoreAfter says more remain, fetch_history {after} pages forward; `changed` carries the edits and deletes of
// the messages the client already had.
import { describe, expect, it, onTestFinished } from "vitest";
import type { HistoryResult, WireMessage } from "../src/protocol.js";
import { joinRoom, startTestApp, tempDatabase, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChat, isChatWith, isNoticeWith, seedMessages } from "./helpers/messages.js";
import { MODERATOR_TOKEN, moderatorSession } from "./helpers/private-rooms.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";

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

  it("answers every since as reading the store would, whether the newest page reaches back to it or not", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3", RATE_JOIN_BURST: "100" } });
    onTestFinished(app.close);
    const ids = [...(await seedMessages(app.repo, "general", 4)), ...(await seedMessages(app.repo, "other", 2)), ...(await seedMessages(app.repo, "general", 5))]
      .filter((m) => m.room === "general")
      .map((m) => m.id); // 1-4 and 7-11: the newest page (9-11) reaches back to since 8
    const alice = await app.connect();
    for (let since = 0; since <= 12; since++) {
      const after = ids.filter((id) => id > since);
      const history = after.slice(0, 3);
      const firstId = history[0] ?? since + 1;
      const expected = { history, hasMore: ids.some((id) => id < firstId), hasMoreAfter: after.length > 3 };
      const res = await joinRoom(alice, "general", "alice", { since });
      expect(res.ok && { history: res.history.map((m) => m.id), hasMore: res.hasMore, hasMoreAfter: res.hasMoreAfter }, `since ${since}`).toEqual(expected);
    }
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

async function say(socket: ClientSocket, username: string, content: string): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room: "general", username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function change(socket: ClientSocket, event: "edit_message" | "delete_message", id: number, content = ""): Promise<void> {
  const res = await call(socket, event, { room: "general", id, ...(event === "edit_message" ? { content } : {}) });
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code}`);
}

/**
 * Ana and Bob (each a browser session) wrote four messages, one of them edited while Bob looked on; then Bob's
 * connection dropped. `since` is the last id he saw.
 */
async function bobWentAway(app: TestApp) {
  const bobSession = app.newSession();
  const ana = await app.joined("general", "ana", { session: app.newSession() });
  const bob = await app.joined("general", "bob", { session: bobSession, heardBy: [ana] });
  const seenEdit = await say(ana, "ana", "edited while Bob was here");
  const typo = await say(bob, "bob", "helo wrold");
  const abusive = await say(ana, "ana", "something abusive");
  const untouched = await say(ana, "ana", "left as it was");
  const heard = waitFor(bob, "message_updated");
  await change(ana, "edit_message", seenEdit.id, "edited, and Bob saw it");
  await heard;
  await app.disconnect(bob);
  return { ana, bobSession, since: untouched.id, seenEdit, typo, abusive, untouched };
}

describe("join_chat {since}: changed", () => {
  it("carries the edits and deletes of messages up to since made while away: the edited text, the deleted one without its text", async () => {
    const app = await startTestApp({ env: { MODERATOR_TOKEN } });
    onTestFinished(app.close);
    const { ana, bobSession, since, seenEdit, typo, abusive } = await bobWentAway(app);
    // Meanwhile Bob's other tab fixes his typo, a moderator deletes Ana's message, and Ana writes and edits a new one.
    const otherTab = await app.joined("general", "bob", { session: bobSession });
    await change(otherTab, "edit_message", typo.id, "hello world");
    const mod = await app.joined("general", "mod", { session: await moderatorSession(app) });
    await change(mod, "delete_message", abusive.id);
    const fresh = await say(ana, "ana", "while you were away");
    await change(ana, "edit_message", fresh.id, "while you were away (edited)");

    const back = await app.connect({ session: bobSession });
    const res = await joinRoom(back, "general", "bob", { since });
    if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
    // The new message comes once, in history, edited; changed holds only messages up to since.
    expect(res.history.map((m) => [m.id, m.content, typeof m.editedAt])).toEqual([[fresh.id, "while you were away (edited)", "string"]]);
    expect(res.changed).toEqual([
      // The server cannot know which changes a client saw before it left: the page finds this one unchanged.
      { ...seenEdit, mine: undefined, content: "edited, and Bob saw it", editedAt: expect.any(String) },
      { ...typo, content: "hello world", editedAt: expect.any(String), mine: true },
      { id: abusive.id, room: "general", sender: "ana", content: "", timestamp: abusive.timestamp, sentAt: abusive.sentAt, deletedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(res)).not.toContain("something abusive");
  });

  it("reaches back HISTORY_LIMIT messages only: an edit of an older one is not in it", async () => {
    const app = await startTestApp({ env: { HISTORY_LIMIT: "3" } });
    onTestFinished(app.close);
    const { ana, bobSession, since, seenEdit, typo, untouched } = await bobWentAway(app);
    const otherTab = await app.joined("general", "bob", { session: bobSession });
    await change(otherTab, "edit_message", typo.id, "hello world"); // the newest three: typo, abusive, untouched
    await change(ana, "edit_message", untouched.id, "changed after all");
    const back = await app.connect({ session: bobSession });
    const res = await joinRoom(back, "general", "bob", { since });
    expect(res.ok && res.changed?.map((m) => [m.id, m.content])).toEqual([
      [typo.id, "hello world"],
      [untouched.id, "changed after all"],
    ]);
    expect(seenEdit.id).toBeLessThan(typo.id);
  });

  it("is absent from a join without since, and from a rejoin when nothing up to since was changed", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { since, seenEdit } = await bobWentAway(app);
    const plain = await app.joined("general", "carol", { session: app.newSession() });
    expect(plain.joinResult.history.find((m) => m.id === seenEdit.id)).toMatchObject({ content: "edited, and Bob saw it" });
    expect(plain.joinResult).not.toHaveProperty("changed");
    const upToDate = await app.connect({ session: app.newSession() });
    const res = await joinRoom(upToDate, "general", "dave", { since: seenEdit.id - 1 });
    expect(res.ok && res.history.map((m) => m.id)).toEqual([seenEdit.id, seenEdit.id + 1, seenEdit.id + 2, since]);
    expect(res).not.toHaveProperty("changed");
  });

  it("leaves a client without ack as it was: the messages after since as message events, nothing of the changes", async () => {
    const app = await startTestApp({ env: { MODERATOR_TOKEN } });
    onTestFinished(app.close);
    const { ana, since, abusive } = await bobWentAway(app);
    const mod = await app.joined("general", "mod", { session: await moderatorSession(app) });
    await change(mod, "delete_message", abusive.id);
    await say(ana, "ana", "while you were away");
    const legacy = await app.connect();
    const updates = collect(legacy, "message_updated");
    const seen = collectUntil(legacy, "message", isNoticeWith("carol has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "carol", room: "general", since });
    expect(await seen).toEqual([expect.objectContaining({ content: "while you were away" }), expect.objectContaining({ kind: "joined" })]);
    // A fence: a later message reaches it, and no message_updated came before it.
    const fence = waitFor(legacy, "message", isChatWith("fence"));
    await say(ana, "ana", "fence");
    await fence;
    expect(updates).toEqual([]);
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
