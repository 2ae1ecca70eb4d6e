// leave_chat: the room hears "<name> has left the chat.", the leaver does not, and leaving twice is an error.
import { describe, expect, it, onTestFinished } from "vitest";
import { joinRoom, startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

describe("leave_chat", () => {
  it("answers ok and tells the others, but not the leaver", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const carol = await app.joined("side", "carol");
    const alice = await app.joined("general", "alice");
    await joinRoom(alice, "side", "alice");
    const aliceSees = collectUntil(alice, "message", isChatWith("marker"));
    const bobHears = waitFor(bob, "message", isNoticeWith("alice has left the chat."));

    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" })).toEqual({ ok: true });

    expect(await bobHears).toEqual({ content: "alice has left the chat.", kind: "left", username: "alice", room: "general" });
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "side", content: "marker" });
    // Had alice been sent her own "has left", it would have come before carol's later message.
    expect((await aliceSees).map((m) => m.content)).toEqual(["marker"]);
  });

  it("stops delivery of the room's messages and refuses sends to it with not_in_room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice");
    await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" });

    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "still?" });
    expect(res).toMatchObject({ ok: false, error: { code: "not_in_room" } });
    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "bye alice" });
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["bye alice"]);
  });

  it("works for a client without ack: the room hears the notice", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.connect();
    const joined = waitFor(alice, "message", isNoticeWith("alice has joined the chat."));
    legacyEmit(alice, "join_chat", { username: "alice", room: "general" });
    await joined;

    const bobHears = waitFor(bob, "message", isNoticeWith("alice has left the chat."));
    legacyEmit(alice, "leave_chat", { username: "alice", room: "general" });
    await bobHears;
  });

  it("announces the name the socket joined with, whatever name the leave payload gives", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice");
    const bobHears = waitFor(bob, "message", (m) => m.content.endsWith("has left the chat."));
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "mallory", room: "general" })).toEqual({ ok: true });
    expect(await bobHears).toMatchObject({ content: "alice has left the chat.", username: "alice" });
  });

  it("answers not_in_room for a room never joined, and for a second leave", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.connect();
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" })).toEqual({
      ok: false,
      error: { code: "not_in_room", message: "You are not in this room." },
    });
    await alice.timeout(3000).emitWithAck("join_chat", { username: "alice", room: "general" });
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" })).toEqual({ ok: true });
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" })).toMatchObject({
      ok: false,
      error: { code: "not_in_room" },
    });
  });

  it("can join the room again after leaving, and is announced again", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.joined("general", "alice");
    await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "general" });
    const bobHears = waitFor(bob, "message", isNoticeWith("alice has joined the chat."));
    expect(await alice.timeout(3000).emitWithAck("join_chat", { username: "alice", room: "general" })).toMatchObject({ ok: true });
    await bobHears;
  });
});
