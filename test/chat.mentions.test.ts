// Mentions over real sockets: the server resolves `@name` against who is present when it stores a message,
// and the names travel with the message everywhere it goes (ack, broadcast, join history, fetch_history).
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import type { HistoryResult, MessageUpdatedEvent, SearchResult, WireMessage } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { FLASK_INSERT } from "./helpers/flask-db.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

/** The manual clock's time, in the original's format and as ISO. */
const TIMESTAMP = "2026-01-02 03:04:05";
const SENT_AT = "2026-01-02T03:04:05.678Z";

async function say(socket: ClientSocket, username: string, content: string, room = "general"): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

/** A room with Ana, "Ana Lopez" and bob present; bob is the one talking. */
async function roomWithAna(app: TestApp): Promise<{ ana: ClientSocket; bob: ClientSocket }> {
  const ana = await app.joined("general", "Ana");
  await app.joined("general", "Ana Lopez");
  const bob = await app.joined("general", "bob");
  return { ana, bob };
}

function storedMentions(path: string): (string | null)[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT mentions FROM chat_message ORDER BY id").all() as { mentions: string | null }[]).map((r) => r.mentions);
  } finally {
    db.close();
  }
}

describe("mentions resolved by the server", () => {
  it.each([
    ["a present name", "@Ana are you there?", ["Ana"]],
    ["a name in another case", "@ana are you there?", ["Ana"]],
    ["a name with a space", "@Ana Lopez are you there?", ["Ana Lopez"]],
    ["both, each once, in order", "@Ana Lopez and @ANA and @ana lopez", ["Ana Lopez", "Ana"]],
    // The key that decides who owns "Ana" also decides who "@Аna" (Cyrillic А) means: someone who could
    // not take the name cannot be addressed under it by someone else either.
    ["a look-alike (Cyrillic А)", "@\u0410na are you there?", ["Ana"]],
  ])("resolves %s, in the ack and the broadcast alike", async (_what, content, expected) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { ana, bob } = await roomWithAna(app);
    const anaGets = waitFor(ana, "message", isChatWith(content));

    const message = await say(bob, "bob", content);

    expect(message.mentions).toEqual(expected);
    expect(await anaGets).toEqual({ ...message, mine: undefined }); // `mine` is in the ack only
  });

  it("leaves out the field when nobody present is mentioned: an absent name, an email, @@", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { bob } = await roomWithAna(app);
    for (const content of ["@carl hello", "mail ana@example.com", "@@Ana", "no mention at all"]) {
      const message = await say(bob, "bob", content);
      expect(message).not.toHaveProperty("mentions");
    }
    expect(storedMentions(app.databasePath)).toEqual([null, null, null, null]);
  });

  it("resolves a name held in its name grace, and no longer once it has left", async () => {
    const app = await startTestApp({ env: { NAME_GRACE_MS: "600000" } });
    onTestFinished(app.close);
    const ana = await app.joined("general", "Ana", { session: app.newSession() });
    const bob = await app.joined("general", "bob");
    await app.disconnect(ana); // a dropped tab: the name is held, the room has not heard "Ana has left"
    expect((await say(bob, "bob", "@Ana back soon?")).mentions).toEqual(["Ana"]);

    const carl = await app.joined("general", "carl");
    const left = waitFor(bob, "message", isNoticeWith("carl has left the chat."));
    await carl.timeout(3000).emitWithAck("leave_chat", { room: "general" });
    await left;
    expect(await say(bob, "bob", "@carl gone?")).not.toHaveProperty("mentions");
  });

  it("keeps the original's fields exactly as before, and stores the names as a JSON array", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { bob } = await roomWithAna(app);
    const message = await say(bob, "bob", "@Ana Lopez hi");
    expect(message).toEqual({
      id: 1,
      room: "general",
      sender: "bob",
      content: "@Ana Lopez hi",
      timestamp: TIMESTAMP,
      sentAt: SENT_AT,
      mentions: ["Ana Lopez"],
      mine: true, // issue 12: the sender's own ack says so
    });
    expect(storedMentions(app.databasePath)).toEqual(['["Ana Lopez"]']);
  });
});

describe("mentions in history", () => {
  it("come back with the join history and fetch_history, resolved as they were when sent", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { bob } = await roomWithAna(app);
    const sent = [await say(bob, "bob", "@Ana first"), await say(bob, "bob", "plain"), await say(bob, "bob", "@bob @Ana Lopez")];
    expect(sent.map((m) => m.mentions)).toEqual([["Ana"], undefined, ["bob", "Ana Lopez"]]);

    // Whoever is present later does not change what a stored message mentions.
    const dan = await app.joined("general", "dan");
    const forDan = sent.map((m) => ({ ...m, mine: undefined })); // another session: not its messages
    expect(dan.joinResult.history).toEqual(forDan);
    const page = await call<HistoryResult>(dan, "fetch_history", { room: "general", before: 3, limit: 10 });
    expect(page).toEqual({ ok: true, messages: forDan.slice(0, 2), hasMore: false });
  });

  it("a legacy client (no ack) gets the history with its original fields unchanged, mentions only added", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { bob } = await roomWithAna(app);
    await say(bob, "bob", "@Ana hi");
    const legacy = await app.connect();
    const seen = collectUntil(legacy, "message", isNoticeWith("old has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "old", room: "general" });
    const [replayed] = await seen;
    expect(replayed).toEqual({ id: 1, room: "general", sender: "bob", content: "@Ana hi", timestamp: TIMESTAMP, sentAt: SENT_AT, mentions: ["Ana"] });

    const live = waitFor(legacy, "message", isChatWith("@old live"));
    await say(bob, "bob", "@old live");
    expect(await live).toMatchObject({ sender: "bob", content: "@old live", timestamp: TIMESTAMP, mentions: ["old"] });
  });

  it("a row the Flask app inserted (no mentions column in its INSERT) reads as a message without mentions", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const flask = new Database(app.databasePath);
    flask.prepare(FLASK_INSERT).run("general", "flask", "@Ana from the old app", "2026-01-02 03:04:05.000000");
    flask.close();
    const ana = await app.joined("general", "Ana");
    expect(ana.joinResult.history).toEqual([
      { id: 1, room: "general", sender: "flask", content: "@Ana from the old app", timestamp: TIMESTAMP, sentAt: "2026-01-02T03:04:05.000Z" },
    ]);
  });

  it("an edit resolves them again against who is present then; a delete leaves none", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const { ana, bob } = await roomWithAna(app);
    const sent = await say(bob, "bob", "@Ana hi");
    expect(sent.mentions).toEqual(["Ana"]);

    const anaHears = waitFor(ana, "message_updated");
    const edited = await call<{ message: WireMessage }>(bob, "edit_message", { room: "general", id: sent.id, content: "@Ana Lopez hi" });
    expect(edited).toMatchObject({ ok: true, message: { content: "@Ana Lopez hi", mentions: ["Ana Lopez"] } });
    expect(await anaHears).toMatchObject<Partial<MessageUpdatedEvent>>({ id: sent.id, content: "@Ana Lopez hi", mentions: ["Ana Lopez"] });

    const hits = await call<SearchResult>(bob, "search_messages", { room: "general", q: "hi" });
    expect(hits.ok && hits.hits.map((h) => h.message.mentions)).toEqual([["Ana Lopez"]]);

    const cleared = waitFor(ana, "message_updated");
    const plain = await call<{ message: WireMessage }>(bob, "edit_message", { room: "general", id: sent.id, content: "hi all" });
    expect(plain.ok && "mentions" in plain.message).toBe(false);
    expect((await cleared).mentions).toEqual([]);

    await call(bob, "edit_message", { room: "general", id: sent.id, content: "@Ana again" });
    const erased = await call<{ message: WireMessage }>(bob, "delete_message", { room: "general", id: sent.id });
    expect(erased.ok && "mentions" in erased.message).toBe(false);
    expect(storedMentions(app.databasePath)).toEqual([null]);
  });
});
