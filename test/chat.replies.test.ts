// Issue 22, replies: send_message { replyTo }, the quote resolved at every read, the mention it makes, and what
// the original's clients (no session cookie) see instead.
import { describe, expect, it, onTestFinished } from "vitest";
import type { SearchResult, WireMessage } from "../src/protocol.js";
import { excerptOf, quoteOf } from "../src/chat/quote.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChat } from "./helpers/messages.js";
import { gatedRepo, type GatedRepo } from "./helpers/faulty-repo.js";
import { createPrivateRoom } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { RATE_SEND_BURST: "100", ...env } });
  onTestFinished(app.close);
  return app;
}

async function send(socket: ClientSocket, username: string, content: string, extra: { replyTo?: number } = {}, room = "general"): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room, username, content, ...extra });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "ok" : (res.error?.code ?? "?"));

/** Ana and Bob, each a browser session, in "general"; Ana said "hello there". */
async function twoPeople(env: Record<string, string> = {}) {
  const app = await appFor(env);
  const anaSession = app.newSession();
  const bob = await app.joined("general", "Bob", { session: app.newSession() });
  const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [bob] });
  const original = await send(ana, "Ana", "hello there");
  return { app, ana, anaSession, bob, original };
}

describe("excerptOf and quoteOf", () => {
  it("keeps a short text, puts white space runs on one line, and cuts a long one at 99 graphemes plus …", () => {
    expect(excerptOf("  a\n\n b\tc ")).toBe("a b c");
    const family = "👨‍👩‍👧‍👦";
    expect(excerptOf(`${"a".repeat(98)}${family}${"b".repeat(10)}`)).toBe(`${"a".repeat(98)}${family}…`);
    // A letter with a combining accent that has no precomposed form stays whole at the cut.
    expect(excerptOf("x\u0301".repeat(120))).toBe(`${"x\u0301".repeat(99)}…`);
    expect(excerptOf("y".repeat(100))).toBe("y".repeat(100));
    expect([...new Intl.Segmenter().segment(excerptOf("z".repeat(500)))]).toHaveLength(100);
  });

  it("quotes a message with files and no caption by its files' names, and a deleted one as deleted", () => {
    expect(quoteOf({ id: 1, sender: "Ana", content: "", attachments: [{ name: "a.png" }, { name: "b.pdf" }] })).toEqual({ id: 1, sender: "Ana", excerpt: "a.png, b.pdf" });
    expect(quoteOf({ id: 1, sender: "Ana", content: "look", attachments: [{ name: "a.png" }] })).toEqual({ id: 1, sender: "Ana", excerpt: "look" });
    expect(quoteOf({ id: 1, sender: "Ana", content: "", deletedAt: new Date() })).toEqual({ id: 1, sender: "Ana", excerpt: null, deleted: true });
  });
});

describe("send_message with replyTo", () => {
  it("answers and broadcasts the reply with its quote, the quote line in content and the text alone in caption", async () => {
    const { bob, ana, original } = await twoPeople();
    const anaHears = waitFor(ana, "message", (m) => isChat(m) && m.replyTo !== undefined);
    const reply = await send(bob, "Bob", "hi Ana", { replyTo: original.id });
    const quote = { id: original.id, sender: "Ana", excerpt: "hello there" };
    expect(reply).toMatchObject({ content: "> Ana: hello there\nhi Ana", caption: "hi Ana", replyTo: quote, mine: true });
    expect(await anaHears).toMatchObject({ id: reply.id, content: "> Ana: hello there\nhi Ana", caption: "hi Ana", replyTo: quote });
    expect(original).not.toHaveProperty("replyTo");
  });

  it("carries the quote in join history, fetch_history (before, after, around) and search hits", async () => {
    const { app, bob, original } = await twoPeople({ RATE_HISTORY_PER_SEC: "0" });
    const reply = await send(bob, "Bob", "general kenobi", { replyTo: original.id });
    const quote = { id: original.id, sender: "Ana", excerpt: "hello there" };
    const carol = await app.joined("general", "Carol", { session: app.newSession() });
    expect(carol.joinResult.history.find((m) => m.id === reply.id)?.replyTo).toEqual(quote);
    for (const query of [{}, { after: 0 }, { around: reply.id }, { before: reply.id + 1 }]) {
      const page = await call<{ messages: WireMessage[] }>(carol, "fetch_history", { room: "general", ...query });
      expect(page.ok && page.messages.find((m) => m.id === reply.id)?.replyTo).toEqual(quote);
    }
    const found = await call<SearchResult>(carol, "search_messages", { room: "general", q: "kenobi" });
    expect(found.ok && found.hits[0]?.message).toMatchObject({ id: reply.id, replyTo: quote, caption: "general kenobi" });
    // Highlights point into the text alone (caption), not into the quote line.
    expect(found.ok && found.hits[0]?.highlights).toEqual([[8, 14]]);
  });

  it("refuses a missing id, a deleted message and another room's message with reply_not_found, and stores nothing", async () => {
    const { app, ana, bob, original } = await twoPeople();
    const elsewhere = await app.joined("other", "Ana", { session: app.newSession() });
    const otherRoomMessage = await send(elsewhere, "Ana", "in another room", {}, "other");
    const doomed = await send(ana, "Ana", "soon gone");
    await call(ana, "delete_message", { room: "general", id: doomed.id });
    for (const replyTo of [original.id + 1000, doomed.id, otherRoomMessage.id]) {
      const res = await call(bob, "send_message", { room: "general", username: "Bob", content: "answer", replyTo });
      expect(codeOf(res)).toBe("reply_not_found");
    }
    expect(codeOf(await call(bob, "send_message", { room: "general", username: "Bob", content: "answer", replyTo: 0 }))).toBe("invalid_payload");
    expect(codeOf(await call(bob, "send_message", { room: "general", username: "Bob", content: "answer", replyTo: "1" }))).toBe("invalid_payload");
    const page = await app.repo.page("general", { limit: 50 });
    expect(page.messages.map((m) => m.content)).toEqual(["hello there", ""]);
  });

  it("quotes an original deleted while the reply was being stored as deleted, live as in history, never with its erased text", async () => {
    let gated: GatedRepo | undefined;
    const app = await startTestApp({ env: { RATE_SEND_BURST: "100" }, wrapRepo: (sqlite) => (gated = gatedRepo(sqlite, (m) => m.replyTo !== undefined)).repo });
    onTestFinished(app.close);
    const ana = await app.joined("general", "Ana", { session: app.newSession() });
    const bob = await app.joined("general", "Bob", { session: app.newSession(), heardBy: [ana] });
    const cy = await app.joined("general", "Cy", { session: app.newSession(), heardBy: [ana, bob] });
    const secret = await send(ana, "Ana", "my password is hunter2");
    // Bob's reply has found the original live and waits at the store while Ana deletes it: the room hears the delete first.
    const replying = send(bob, "Bob", "what do you mean?", { replyTo: secret.id });
    await gated?.appendStarted;
    const deleted = waitFor(cy, "message_updated", (e) => e.id === secret.id && e.deletedAt !== undefined);
    expect(codeOf(await call(ana, "delete_message", { room: "general", id: secret.id }))).toBe("ok");
    await deleted;
    const heard = waitFor(cy, "message", (m) => isChat(m) && m.caption === "what do you mean?");
    gated?.release();
    const reply = await replying;
    const live = (await heard) as WireMessage;
    const history = await call<{ messages: WireMessage[] }>(cy, "fetch_history", { room: "general", around: reply.id, limit: 1 });
    const gone = { id: secret.id, sender: "Ana", excerpt: null, deleted: true };
    expect(history.ok && history.messages[0]?.replyTo).toEqual(gone);
    expect([live.replyTo, reply.replyTo]).toEqual([gone, gone]);
    expect([live.content, reply.content]).toEqual(["> Ana: (deleted message)\nwhat do you mean?", "> Ana: (deleted message)\nwhat do you mean?"]);
  });

  it("answers a private room's message id exactly as a missing one", async () => {
    const { app, bob } = await twoPeople();
    const owner = await app.connect({ session: app.newSession() });
    const secret = await createPrivateRoom(owner, "Secret");
    const joined = await call(owner, "join_chat", { room: secret.room, username: "Eve" });
    expect(joined.ok).toBe(true);
    const hidden = await send(owner, "Eve", "private words", {}, secret.room);
    const toPrivate = await call(bob, "send_message", { room: "general", username: "Bob", content: "x", replyTo: hidden.id });
    const toMissing = await call(bob, "send_message", { room: "general", username: "Bob", content: "x", replyTo: hidden.id + 999 });
    expect(toPrivate).toEqual(toMissing);
    expect(codeOf(toPrivate)).toBe("reply_not_found");
  });

  it("follows the original: an edit changes the excerpt, a delete turns it into deleted (excerpt null)", async () => {
    const { app, ana, bob, original } = await twoPeople();
    const reply = await send(bob, "Bob", "agreed", { replyTo: original.id });
    await call(ana, "edit_message", { room: "general", id: original.id, content: "hello everyone" });
    const readReply = async (): Promise<WireMessage | undefined> => {
      const page = await call<{ messages: WireMessage[] }>(bob, "fetch_history", { room: "general" });
      return page.ok ? page.messages.find((m) => m.id === reply.id) : undefined;
    };
    expect((await readReply())?.replyTo).toEqual({ id: original.id, sender: "Ana", excerpt: "hello everyone" });
    await call(ana, "delete_message", { room: "general", id: original.id });
    expect(await readReply()).toMatchObject({ content: "> Ana: (deleted message)\nagreed", caption: "agreed", replyTo: { id: original.id, sender: "Ana", excerpt: null, deleted: true } });
    void app;
  });

  it("sends the edit of a reply with its quote again in message_updated", async () => {
    const { ana, bob, original } = await twoPeople();
    const reply = await send(bob, "Bob", "agreed", { replyTo: original.id });
    const anaHears = waitFor(ana, "message_updated");
    await call(bob, "edit_message", { room: "general", id: reply.id, content: "fully agreed" });
    expect(await anaHears).toMatchObject({ id: reply.id, content: "> Ana: hello there\nfully agreed", caption: "fully agreed", replyTo: { id: original.id, excerpt: "hello there" }, mentions: ["Ana"] });
  });

  it("counts as a mention of the original's sender, kept through an edit, but not a reply to oneself", async () => {
    const { ana, anaSession, app, bob, original } = await twoPeople();
    const reply = await send(bob, "Bob", "yes", { replyTo: original.id });
    expect(reply.mentions).toEqual(["Ana"]);
    const both = await send(bob, "Bob", "@Ana and @Bob", { replyTo: original.id });
    expect(both.mentions).toEqual(["Ana", "Bob"]); // Ana once
    const self = await send(ana, "Ana", "and also", { replyTo: original.id });
    expect(self).not.toHaveProperty("mentions");
    // Another tab of Ana's browser session is Ana too.
    const anaTab = await app.joined("general", "Ana", { session: anaSession });
    const selfTab = await send(anaTab, "Ana", "me again", { replyTo: original.id });
    expect(selfTab).not.toHaveProperty("mentions");
    const edited = await call<{ message: WireMessage }>(bob, "edit_message", { room: "general", id: reply.id, content: "yes indeed" });
    expect(edited.ok && edited.message.mentions).toEqual(["Ana"]);
  });
});

describe("the original's clients (no session cookie)", () => {
  it("read a reply as text with the quote line before it, and never get replyTo, live or in history", async () => {
    const { app, ana, bob, original } = await twoPeople();
    const legacy = await app.connect(); // no cookie, no ack: the Flask page
    const history: WireMessage[] = [];
    legacy.on("message", (m) => void (isChat(m) && history.push(m)));
    legacyEmit(legacy, "join_chat", { room: "general", username: "Old" });
    await waitFor(legacy, "message", (m) => !isChat(m) && m.content === "Old has joined the chat.");
    const live = waitFor(legacy, "message", (m) => isChat(m) && m.content.endsWith("sure"));
    const reply = await send(bob, "Bob", "sure", { replyTo: original.id });
    const heard = (await live) as WireMessage;
    expect(heard.content).toBe("> Ana: hello there\nsure");
    expect(heard).not.toHaveProperty("replyTo");
    expect(history.map((m) => m.id)).toEqual([original.id, reply.id]);
    // Joined again: the history replayed as events carries the quote in content only.
    const again = await app.connect();
    const replayed: WireMessage[] = [];
    again.on("message", (m) => void (isChat(m) && replayed.push(m)));
    legacyEmit(again, "join_chat", { room: "general", username: "Older" });
    await waitFor(again, "message", (m) => !isChat(m) && m.content === "Older has joined the chat.");
    expect(replayed.find((m) => m.id === reply.id)).toMatchObject({ content: "> Ana: hello there\nsure" });
    expect(replayed.find((m) => m.id === reply.id)).not.toHaveProperty("replyTo");
    void ana;
  });

  it("read a look-alike host in the quote line as punycode; the original, the reply's text and replyTo stay as typed", async () => {
    const app = await appFor();
    const legacy = await app.connect(); // no cookie, no ack: the Flask page
    legacyEmit(legacy, "join_chat", { room: "general", username: "Old" });
    await waitFor(legacy, "message", (m) => !isChat(m) && m.content === "Old has joined the chat.");
    const ana = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [legacy] });
    const original = await send(ana, "Ana", "log in at https://аpple.com/login");
    const live = waitFor(legacy, "message", (m) => isChat(m) && m.content.endsWith("see https://аpple.com"));
    const reply = await send(ana, "Ana", "see https://аpple.com", { replyTo: original.id });
    expect(((await live) as WireMessage).content).toBe("> Ana: log in at https://xn--pple-43d.com/login\nsee https://аpple.com");
    expect(reply).toMatchObject({ caption: "see https://аpple.com", replyTo: { excerpt: "log in at https://аpple.com/login" } });
    expect(original.content).toBe("log in at https://аpple.com/login");
  });
});
