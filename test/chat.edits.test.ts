// Issue 12: edit_message and delete_message by the sending browser session, within EDIT_WINDOW_MS.
import { describe, expect, it, onTestFinished } from "vitest";
import { BLOB_GRACE_MS } from "../src/files/library.js";
import type { JoinResult, MessageUpdatedEvent, WireMessage } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { flaskHistory, FLASK_INSERT, withFlaskConnection } from "./helpers/flask-db.js";
import { isChat } from "./helpers/messages.js";
import { pdf, upload } from "./helpers/sample-files.js";
import { collect, waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env });
  onTestFinished(app.close);
  return app;
}

async function send(socket: ClientSocket, username: string, content: string, room = "general"): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

/** Alice (with a browser session) sent "helo wrold"; Bob (another session) is in the room. */
async function twoPeople(env: Record<string, string> = {}) {
  const app = await appFor(env);
  const aliceSession = app.newSession();
  const bob = await app.joined("general", "bob", { session: app.newSession() });
  const alice = await app.joined("general", "alice", { session: aliceSession, heardBy: [bob] });
  const message = await send(alice, "alice", "helo wrold");
  return { app, alice, aliceSession, bob, message };
}

const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "ok" : (res.error?.code ?? "?"));

describe("edit_message", () => {
  it("replaces the text: the ack carries it with editedAt and mine, the room hears message_updated", async () => {
    const { app, alice, bob, message } = await twoPeople();
    const bobHears = waitFor(bob, "message_updated");
    app.clock.advance(1000);
    const res = await alice.timeout(3000).emitWithAck("edit_message", { room: "general", id: message.id, content: "  hello world \r\n" });
    const editedAt = new Date(Date.parse(message.sentAt) + 1000).toISOString();
    expect(res).toEqual({ ok: true, message: { ...message, content: "hello world", editedAt, mine: true } });
    expect(await bobHears).toEqual({ room: "general", id: message.id, content: "hello world", editedAt });
  });

  it("shows the current text in history: editedAt for all, mine only for the sender's session", async () => {
    const { app, alice, aliceSession, message } = await twoPeople();
    await call(alice, "edit_message", { room: "general", id: message.id, content: "hello world" });
    const again = await app.joined("general", "alice", { session: aliceSession }); // another tab of the same browser
    const carol = await app.joined("general", "carol", { session: app.newSession() });
    const [mineInHistory] = again.joinResult.history;
    expect(mineInHistory).toMatchObject({ id: message.id, content: "hello world", editedAt: expect.any(String), mine: true });
    expect(carol.joinResult.history[0]).toMatchObject({ id: message.id, content: "hello world", editedAt: expect.any(String) });
    expect(carol.joinResult.history[0]).not.toHaveProperty("mine");
    const page = await call<{ messages: WireMessage[] }>(carol, "fetch_history", { room: "general" });
    expect(page.ok && page.messages[0]).toMatchObject({ content: "hello world" });
    expect(page.ok && page.messages[0]).not.toHaveProperty("mine");
  });

  it("lets another tab of the same browser session edit, and refuses another session with not_owner", async () => {
    const { app, aliceSession, bob, message } = await twoPeople();
    const otherTab = await app.joined("general", "alice", { session: aliceSession });
    expect(codeOf(await call(bob, "edit_message", { room: "general", id: message.id, content: "pwned" }))).toBe("not_owner");
    expect(codeOf(await call(otherTab, "edit_message", { room: "general", id: message.id, content: "from tab 2" }))).toBe("ok");
  });

  it("refuses what send_message refuses, and changes nothing", async () => {
    const { alice, bob, message } = await twoPeople();
    const bobHears = collect(bob, "message_updated");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "   " }))).toBe("invalid_content");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "x".repeat(501) }))).toBe("invalid_content");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "a\u0000b" }))).toBe("invalid_content");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: "1", content: "ok" }))).toBe("invalid_payload");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: 0, content: "ok" }))).toBe("invalid_payload");
    expect(codeOf(await call(alice, "edit_message", { room: "", id: message.id, content: "ok" }))).toBe("invalid_room");
    await send(alice, "alice", "fence");
    expect(bobHears).toEqual([]);
    const page = await call<{ messages: WireMessage[] }>(bob, "fetch_history", { room: "general" });
    expect(page.ok && page.messages[0]?.content).toBe("helo wrold");
  });

  it("answers not_in_room outside the room and not_found for an id that is not in this room", async () => {
    const { app, alice, aliceSession, message } = await twoPeople();
    const outsider = await app.connect({ session: aliceSession });
    expect(codeOf(await call(outsider, "edit_message", { room: "general", id: message.id, content: "x" }))).toBe("not_in_room");
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id + 1000, content: "x" }))).toBe("not_found");
    await call(alice, "join_chat", { room: "other", username: "alice" });
    expect(codeOf(await call(alice, "edit_message", { room: "other", id: message.id, content: "x" }))).toBe("not_found");
  });

  it("refuses with edit_window_closed once EDIT_WINDOW_MS has passed since sending", async () => {
    const { app, alice, message } = await twoPeople({ EDIT_WINDOW_MS: "1000" });
    app.clock.advance(1000);
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "just in time" }))).toBe("ok");
    app.clock.advance(1);
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "too late" }))).toBe("edit_window_closed");
    expect(codeOf(await call(alice, "delete_message", { room: "general", id: message.id }))).toBe("edit_window_closed");
  });

  it("never closes the window with EDIT_WINDOW_MS=0", async () => {
    const { app, alice, message } = await twoPeople({ EDIT_WINDOW_MS: "0" });
    app.clock.advance(365 * 24 * 3600 * 1000);
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "a year later" }))).toBe("ok");
  });

  it("gives a row the Flask app wrote to nobody: not_owner", async () => {
    const { app, alice } = await twoPeople();
    const id = withFlaskConnection(app.databasePath, (db) => Number(db.prepare(FLASK_INSERT).run("general", "alice", "from flask", "2026-01-02 03:04:05.000000").lastInsertRowid));
    expect(codeOf(await call(alice, "edit_message", { room: "general", id, content: "mine now?" }))).toBe("not_owner");
  });

  it("lets a cookie-less client change its messages on its connection only", async () => {
    const app = await appFor();
    const script = await app.joined("general", "bot");
    const sent = await send(script, "bot", "beep");
    expect(sent.mine).toBe(true);
    expect(codeOf(await call(script, "edit_message", { room: "general", id: sent.id, content: "boop" }))).toBe("ok");
    await app.disconnect(script);
    const again = await app.joined("general", "bot");
    expect(again.joinResult.history[0]).not.toHaveProperty("mine");
    expect(codeOf(await call(again, "edit_message", { room: "general", id: sent.id, content: "beep" }))).toBe("not_owner");
  });

  it("answers an ack-less (legacy) client's refusal with chat_error", async () => {
    const { alice, bob, message } = await twoPeople();
    const error = waitFor(bob, "chat_error");
    legacyEmit(bob, "edit_message", { room: "general", id: message.id, content: "x" });
    expect(await error).toMatchObject({ code: "not_owner", event: "edit_message" });
    expect(alice.connected).toBe(true);
  });
});

describe("delete_message", () => {
  it("leaves a tombstone: the ack and message_updated carry content '' and deletedAt; the id stays", async () => {
    const { app, alice, bob, message } = await twoPeople();
    const bobHears = waitFor(bob, "message_updated");
    const res = await alice.timeout(3000).emitWithAck("delete_message", { room: "general", id: message.id });
    const deletedAt = app.clock.now().toISOString();
    expect(res).toEqual({ ok: true, message: { ...message, content: "", deletedAt, mine: true } });
    const update: MessageUpdatedEvent = await bobHears;
    expect(update).toEqual({ room: "general", id: message.id, content: "", deletedAt });
    const page = await call<{ messages: WireMessage[] }>(bob, "fetch_history", { room: "general" });
    expect(page.ok && page.messages).toEqual([{ ...message, content: "", deletedAt, mine: undefined }]); // Bob's view: not his
  });

  it("erases the text from the table: the Flask app reading the file sees an empty message, never the old text", async () => {
    const { app, alice, message } = await twoPeople();
    await call(alice, "delete_message", { room: "general", id: message.id });
    const rows = flaskHistory(app.databasePath, "general");
    expect(rows.map((r) => [r.chat_message_id, r.chat_message_sender, r.chat_message_content])).toEqual([[message.id, "alice", ""]]);
    const raw = withFlaskConnection(app.databasePath, (db) => db.prepare("SELECT count(*) AS n FROM chat_message WHERE content LIKE '%wrold%'").get()) as { n: number };
    expect(raw.n).toBe(0);
  });

  it("answers not_found for a deleted message: it cannot be edited or deleted again", async () => {
    const { alice, message } = await twoPeople();
    await call(alice, "delete_message", { room: "general", id: message.id });
    expect(codeOf(await call(alice, "edit_message", { room: "general", id: message.id, content: "undo" }))).toBe("not_found");
    expect(codeOf(await call(alice, "delete_message", { room: "general", id: message.id }))).toBe("not_found");
  });

  it("refuses someone else's message with not_owner when the caller is no moderator", async () => {
    const { bob, message } = await twoPeople();
    expect(codeOf(await call(bob, "delete_message", { room: "general", id: message.id }))).toBe("not_owner");
  });

  it("gives a legacy (ack-less) joiner the current text: edited as edited, deleted as empty", async () => {
    const { app, alice } = await twoPeople();
    const second = await send(alice, "alice", "regret this");
    const page = await call<{ messages: WireMessage[] }>(alice, "fetch_history", { room: "general" });
    await call(alice, "edit_message", { room: "general", id: page.ok ? page.messages[0]?.id : 0, content: "hello world" });
    await call(alice, "delete_message", { room: "general", id: second.id });
    const legacy = await app.connect();
    const got: string[] = [];
    const done = waitFor(legacy, "presence");
    legacy.on("message", (m) => {
      if (isChat(m)) got.push(m.content);
    });
    legacyEmit(legacy, "join_chat", { room: "general", username: "old-page" });
    await done;
    expect(got).toEqual(["hello world", ""]);
  });

  it("tells the page whether its session moderates: isModerator false for everyone without MODERATOR_TOKEN", async () => {
    const { alice } = await twoPeople();
    const res = (await call<JoinResult>(alice, "join_chat", { room: "x", username: "alice" })) as JoinResult & { ok: true };
    expect(res.isModerator).toBeUndefined();
  });
});

describe("changes of one message reach the room in the order they were stored", () => {
  it("an edit whose file's bytes are slow to go is not overtaken by the next edit's broadcast (review, 2026-12-07)", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.connect({ session });
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: "lobby", username: "Ana" })).ok).toBe(true);
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [ana] });
    const file = await upload(app, session, pdf(), "draft.pdf");
    const sent = await ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "v1", attachments: [file.id] });
    if (!sent.ok) throw new Error(sent.error.code);
    // Past the blobs' grace, removing the file deletes its bytes from disk: a disk made slow here.
    app.clock.advance(BLOB_GRACE_MS + 1000);
    const fileStore = (app.app.files as unknown as { deps: { store: { delete(sha: string): Promise<void> } } }).deps.store;
    const realDelete = fileStore.delete.bind(fileStore);
    let unblock!: () => void;
    const slowDisk = new Promise<void>((resolve) => (unblock = resolve));
    let deleting!: () => void;
    const deleteStarted = new Promise<void>((resolve) => (deleting = resolve));
    fileStore.delete = async (sha) => {
      deleting();
      await slowDisk;
      return realDelete(sha);
    };
    const updates = collect(bob, "message_updated");
    const first = ana.timeout(5000).emitWithAck("edit_message", { room: "lobby", id: sent.message.id, content: "v2", attachments: [] });
    await deleteStarted; // edit 1 is stored, its file's bytes on their way out
    const second = ana.timeout(5000).emitWithAck("edit_message", { room: "lobby", id: sent.message.id, content: "v3" });
    unblock();
    expect([(await first).ok, (await second).ok]).toEqual([true, true]);
    if (updates.length < 2) await waitFor(bob, "message_updated", () => updates.length >= 2);
    expect(updates.map((u: MessageUpdatedEvent) => u.content)).toEqual(["v2", "v3"]);
    const stored = await call<{ messages: WireMessage[] }>(bob, "fetch_history", { room: "lobby", around: sent.message.id, limit: 1 });
    expect(stored.ok && stored.messages.map((m) => m.content)).toEqual(["v3"]);
  });
});
