// clientId: a given (room, clientId) is stored once; a repeat answers the stored message with duplicate: true.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, tempDatabase } from "./helpers/app.js";
import { legacyEmit, newClientId } from "./helpers/emit.js";
import { isChatWith } from "./helpers/messages.js";
import { pdf, upload } from "./helpers/sample-files.js";
import { collectUntil } from "./helpers/wait.js";

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM chat_message").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("send_message {clientId}", () => {
  it("stores a repeat once, answers duplicate: true with the stored message, and broadcasts nothing", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const clientId = newClientId();

    const first = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "once", clientId });
    expect(first).toEqual({
      ok: true,
      message: { id: 1, room: "general", sender: "alice", content: "once", timestamp: "2026-01-02 03:04:05", sentAt: "2026-01-02T03:04:05.678Z", clientId, mine: true },
    });
    app.clock.advance(5000);
    const repeat = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "once", clientId });
    expect(repeat).toEqual({ ok: true, message: first.ok ? first.message : null, duplicate: true });

    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["once", "marker"]);
    expect(countRows(app.databasePath)).toBe(2);
  });

  it("answers the stored message even when the repeat's content differs", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const clientId = newClientId();
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "original", clientId });
    const repeat = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "edited", clientId });
    expect(repeat).toMatchObject({ ok: true, duplicate: true, message: { content: "original" } });
  });

  it("matches a clientId whatever its letter case", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const clientId = newClientId();
    const first = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "x", clientId: clientId.toUpperCase() });
    expect(first).toMatchObject({ ok: true, message: { clientId } });
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "x", clientId })).toMatchObject({ duplicate: true });
  });

  it("stores two sends with the same clientId arriving together once", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const clientId = newClientId();
    const payload = { username: "alice", room: "general", content: "racing", clientId };
    const [a, b] = await Promise.all([alice.timeout(3000).emitWithAck("send_message", payload), alice.timeout(3000).emitWithAck("send_message", payload)]);
    expect([a.ok && a.duplicate === true, b.ok && b.duplicate === true].sort()).toEqual([false, true]);
    expect(a.ok && b.ok && a.message.id === b.message.id).toBe(true);
    expect(countRows(app.databasePath)).toBe(1);
  });

  it("scopes a clientId to its room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("a", "alice");
    await alice.timeout(3000).emitWithAck("join_chat", { username: "alice", room: "b" });
    const clientId = newClientId();
    const inA = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "a", content: "x", clientId });
    const inB = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "b", content: "x", clientId });
    expect(inA).toMatchObject({ ok: true, message: { id: 1 } });
    expect(inB).toMatchObject({ ok: true, message: { id: 2 } });
    expect(inB).not.toHaveProperty("duplicate");
  });

  it("stores every send without clientId, as the original did", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const first = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "same" });
    expect(first.ok && "clientId" in first.message).toBe(false);
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "same" });
    expect(countRows(app.databasePath)).toBe(2);
  });

  it("broadcasts nothing for a repeat from a client without ack either", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const clientId = newClientId();
    legacyEmit(alice, "send_message", { username: "alice", room: "general", content: "once", clientId });
    legacyEmit(alice, "send_message", { username: "alice", room: "general", content: "once", clientId });
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["once", "marker"]);
  });
});

describe("a retry (same clientId, its ack lost) after its message's surroundings changed", () => {
  it("answers a retried reply with the stored message (duplicate) after the original was deleted, not reply_not_found", async () => {
    const app = await startTestApp({ env: { RATE_SEND_BURST: "100" } });
    onTestFinished(app.close);
    const ana = await app.joined("general", "ana", { session: app.newSession() });
    const bob = await app.joined("general", "bob", { session: app.newSession(), heardBy: [ana] });
    const original = await ana.timeout(3000).emitWithAck("send_message", { username: "ana", room: "general", content: "lunch?" });
    if (!original.ok) throw new Error(original.error.code);
    const reply = { username: "bob", room: "general", content: "yes!", clientId: newClientId(), replyTo: original.message.id };
    const first = await bob.timeout(3000).emitWithAck("send_message", reply);
    expect((await ana.timeout(3000).emitWithAck("delete_message", { room: "general", id: original.message.id })).ok).toBe(true);
    const again = await bob.timeout(3000).emitWithAck("send_message", reply);
    expect(again).toMatchObject({ ok: true, duplicate: true, message: { id: first.ok ? first.message.id : -1, replyTo: { excerpt: null, deleted: true } } });
    expect(countRows(app.databasePath)).toBe(2);
  });

  it("answers a retried send with files with the stored message (duplicate) after an edit removed them, not invalid_attachment", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const ana = await app.joined("general", "ana", { session });
    const file = await upload(app, session, pdf(), "draft.pdf");
    const send = { username: "ana", room: "general", content: "see attached", clientId: newClientId(), attachments: [file.id] };
    const first = await ana.timeout(3000).emitWithAck("send_message", send);
    if (!first.ok) throw new Error(first.error.code);
    expect((await ana.timeout(3000).emitWithAck("edit_message", { room: "general", id: first.message.id, content: "never mind", attachments: [] })).ok).toBe(true);
    const again = await ana.timeout(3000).emitWithAck("send_message", send);
    expect(again).toMatchObject({ ok: true, duplicate: true, message: { id: first.message.id, content: "never mind" } });
    expect(again.ok && again.message.attachments).toBeUndefined();
    expect(countRows(app.databasePath)).toBe(1);
  });
});

describe("clientId across a restart", () => {
  it("recognises a repeat sent after the app restarted on the same database file", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const path = db.path;
    const first = await startTestApp({ databasePath: path });
    onTestFinished(first.close);
    const clientId = newClientId();
    const alice = await first.joined("general", "alice");
    const stored = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "before restart", clientId });
    expect(stored.ok).toBe(true);
    await first.close();

    const second = await startTestApp({ databasePath: path });
    onTestFinished(second.close);
    const bob = await second.joined("general", "bob");
    const again = await second.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const repeat = await again.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "before restart", clientId });
    // A cookie-less client owns its messages for one connection only (issue 12): after the restart it is not `mine`.
    expect(repeat).toEqual({ ok: true, message: { ...(stored.ok ? stored.message : null), mine: undefined }, duplicate: true });
    await again.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect(countRows(path)).toBe(2);
  });
});
