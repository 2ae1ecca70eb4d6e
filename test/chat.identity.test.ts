// Identity bound at join: the name a socket joined a room with is its only sender name there.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

describe("name_mismatch", () => {
  it("refuses a send under another name, stores nothing and broadcasts nothing", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));

    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "I am bob" });
    expect(res).toEqual({ ok: false, error: { code: "name_mismatch", message: 'You joined this room as "alice".' } });

    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["marker"]);
  });

  it("accepts the joined name after the same trimming and NFC, and sends it normalised", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const jose = await app.joined("general", "Jos\u00e9"); // NFC
    const res = await jose.timeout(3000).emitWithAck("send_message", { username: "  Jose\u0301\t", room: " general ", content: "hola" }); // NFD, padded
    expect(res).toMatchObject({ ok: true, message: { sender: "José", room: "general" } });
  });

  it("treats a difference of case as another name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "Alice", room: "general", content: "hi" });
    expect(res).toMatchObject({ ok: false, error: { code: "name_mismatch" } });
  });

  it("binds a name per room for a socket in several rooms", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("a", "alice");
    await alice.timeout(3000).emitWithAck("join_chat", { username: "ally", room: "b" });
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "b", content: "x" })).toMatchObject({
      ok: false,
      error: { code: "name_mismatch", message: 'You joined this room as "ally".' },
    });
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "ally", room: "b", content: "x" })).toMatchObject({ ok: true });
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "a", content: "y" })).toMatchObject({ ok: true });
  });

  it("rebinds the name when the same socket joins the room again under another name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice", { heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isNoticeWith("alicia has joined the chat."));
    expect(await alice.timeout(3000).emitWithAck("join_chat", { username: "alicia", room: "general" })).toMatchObject({ ok: true, username: "alicia" });
    expect((await bobSees).map((m) => m.content)).toEqual(["alice has left the chat.", "alicia has joined the chat."]);
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "x" })).toMatchObject({
      ok: false,
      error: { code: "name_mismatch" },
    });
    expect(await alice.timeout(3000).emitWithAck("send_message", { username: "alicia", room: "general", content: "x" })).toMatchObject({ ok: true });
  });
});

describe("not_in_room", () => {
  it("refuses a send to a room the socket has not joined, even when it is in another", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "bob");
    const alice = await app.joined("other", "alice");
    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "sneaky" });
    expect(res).toEqual({ ok: false, error: { code: "not_in_room", message: "Join the room before sending to it." } });
    expect((await app.repo.page("general", { limit: 10 })).messages).toEqual([]);
  });
});

describe("name_taken", () => {
  it("refuses a name already present in the room for another client, ignoring case and normalisation form", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "Jos\u00e9");
    for (const username of ["Jos\u00e9", "jos\u00e9", "JOSE\u0301"]) {
      const other = await app.connect();
      const res = await other.timeout(3000).emitWithAck("join_chat", { username, room: "general" });
      expect(res).toMatchObject({ ok: false, error: { code: "name_taken" } });
      expect(res.ok ? "" : res.error.message).toContain("already in this room");
    }
  });

  it("tells cookieless clients apart, and browser sessions apart, but lets one session's tabs share the name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    await app.joined("general", "ana", { session });
    expect(await app.joined("general", "ana", { session })).toMatchObject({ joinResult: { ok: true } });
    const otherBrowser = await app.connect({ session: app.newSession() });
    expect(await otherBrowser.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({
      ok: false,
      error: { code: "name_taken" },
    });
    const cookieless = await app.connect();
    expect(await cookieless.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({
      ok: false,
      error: { code: "name_taken" },
    });
  });

  it("ignores a session cookie with a bad signature (its client is its own identity)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    await app.joined("general", "ana", { session });
    const forged = `${session.slice(0, -3)}abc`;
    const other = await app.connect({ session: forged });
    expect(await other.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({
      ok: false,
      error: { code: "name_taken" },
    });
  });

  it("frees the name once its holder has left, and only in that room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const first = await app.joined("general", "ana");
    const elsewhere = await app.joined("other", "ana");
    expect(elsewhere.joinResult.ok).toBe(true);
    const bobHears = await app.joined("general", "bob");
    const left = waitFor(bobHears, "message", isNoticeWith("ana has left the chat."));
    await app.disconnect(first);
    await left;
    expect(await app.joined("general", "ana")).toMatchObject({ joinResult: { ok: true, username: "ana" } });
  });
});
