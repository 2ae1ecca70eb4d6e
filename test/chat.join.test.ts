// join_chat: the original's replay for clients without ack, the ack answer for new clients, and room scoping.
import { describe, expect, it, onTestFinished } from "vitest";
import type { MessageEvent } from "../src/protocol.js";
import { joinRoom, startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChat, isChatWith, isNoticeWith, seedMessages } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

async function appWithHistory() {
  const app = await startTestApp();
  onTestFinished(app.close);
  const seeded = await seedMessages(app.repo, "general", 3, { sender: "zoe" });
  return { app, seeded };
}

describe("join_chat without an ack (the Flask original's client)", () => {
  it("replays the room's history as message events, oldest first, then announces the joiner to the room, joiner included", async () => {
    const { app } = await appWithHistory();
    const bob = await app.joined("general", "bob");
    const legacy = await app.connect();

    const seen = collectUntil(legacy, "message", isNoticeWith("alice has joined the chat."));
    const bobHears = waitFor(bob, "message", isNoticeWith("alice has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "alice", room: "general" });

    expect(await seen).toEqual([
      { id: 1, room: "general", sender: "zoe", content: "m1", timestamp: "2025-06-01 12:00:00", sentAt: "2025-06-01T12:00:00.000Z" },
      { id: 2, room: "general", sender: "zoe", content: "m2", timestamp: "2025-06-01 12:00:01", sentAt: "2025-06-01T12:00:01.000Z" },
      { id: 3, room: "general", sender: "zoe", content: "m3", timestamp: "2025-06-01 12:00:02", sentAt: "2025-06-01T12:00:02.000Z" },
      { content: "alice has joined the chat.", kind: "joined", username: "alice", room: "general" },
    ]);
    expect(await bobHears).toEqual({ content: "alice has joined the chat.", kind: "joined", username: "alice", room: "general" });
  });

  it("announces the trimmed, NFC-normalised name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const legacy = await app.connect();
    const notice = waitFor(legacy, "message", isNoticeWith("José has joined the chat."));
    legacyEmit(legacy, "join_chat", { username: "  Jose\u0301 ", room: " general " });
    expect(await notice).toMatchObject({ username: "José", room: "general" });
  });
});

describe("join_chat with an ack", () => {
  it("answers with the history and flags, and does not also replay it as message events", async () => {
    const { app, seeded } = await appWithHistory();
    const alice = await app.connect();
    const seen = collectUntil(alice, "message", isNoticeWith("alice has joined the chat."));

    const res = await alice.timeout(3000).emitWithAck("join_chat", { username: "alice", room: "general" });

    expect(res).toEqual({
      ok: true,
      room: "general",
      username: "alice",
      history: seeded.map((m) => ({
        id: m.id,
        room: "general",
        sender: "zoe",
        content: m.content,
        timestamp: m.sentAt.toISOString().slice(0, 19).replace("T", " "),
        sentAt: m.sentAt.toISOString(),
      })),
      hasMore: false,
      hasMoreAfter: false,
      users: ["alice"],
    });
    // The only message event is the joiner's own notice, which follows the ack.
    expect(await seen).toEqual([{ content: "alice has joined the chat.", kind: "joined", username: "alice", room: "general" }]);
  });

  it("answers an empty history for a new room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("brand-new", "alice");
    expect(alice.joinResult).toEqual({ ok: true, room: "brand-new", username: "alice", history: [], hasMore: false, hasMoreAfter: false, users: ["alice"] });
  });

  it("returns the normalised room and name it bound", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(" Cafe\u0301 ", "\tAna ");
    expect(alice.joinResult).toMatchObject({ ok: true, room: "Café", username: "Ana" });
  });
});

describe("rooms are separate", () => {
  it("does not tell a client in another room about the join", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const carol = await app.joined("other", "carol");
    const bob = await app.joined("general", "bob");
    const carolSees = collectUntil(carol, "message", isChatWith("marker"));

    const bobHears = waitFor(bob, "message", isNoticeWith("alice has joined the chat."));
    await app.joined("general", "alice");
    await bobHears;
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "other", content: "marker" });

    // Had the notice reached carol, it would have arrived before her own later message.
    expect((await carolSees).map((m) => m.content)).toEqual(["marker"]);
  });

  it("does not include another room's messages in the history", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await seedMessages(app.repo, "other", 2, { prefix: "other-" });
    await seedMessages(app.repo, "general", 1, { prefix: "general-" });
    const alice = await app.joined("general", "alice");
    expect(alice.joinResult.history.map((m) => m.content)).toEqual(["general-1"]);
  });
});

describe("one socket in several rooms", () => {
  it("receives each room's messages tagged with their room and sends to each with its own name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("a", "bob");
    const carol = await app.joined("b", "carol");
    const alice = await app.connect();
    const inA = await joinRoom(alice, "a", "alice");
    const inB = await joinRoom(alice, "b", "ally");
    expect(inA).toMatchObject({ ok: true, room: "a", username: "alice" });
    expect(inB).toMatchObject({ ok: true, room: "b", username: "ally" });

    const aliceSees = collectUntil(alice, "message", isChatWith("from carol"));
    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "a", content: "from bob" });
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "b", content: "from carol" });
    const chats = (await aliceSees).filter(isChat);
    expect(chats.map((m) => [m.room, m.sender, m.content])).toEqual([
      ["a", "bob", "from bob"],
      ["b", "carol", "from carol"],
    ]);

    const bobGets = waitFor(bob, "message", isChatWith("to a"));
    const carolGets = waitFor(carol, "message", isChatWith("to b"));
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "a", content: "to a" });
    await alice.timeout(3000).emitWithAck("send_message", { username: "ally", room: "b", content: "to b" });
    expect(await bobGets).toMatchObject({ sender: "alice", room: "a" });
    expect(await carolGets).toMatchObject({ sender: "ally", room: "b" });
  });

  it("keeps receiving from the rooms it stays in after leaving one", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("a", "bob");
    const carol = await app.joined("b", "carol");
    const alice = await app.joined("a", "alice");
    await joinRoom(alice, "b", "alice");
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { username: "alice", room: "a" })).toEqual({ ok: true });

    const aliceSees = collectUntil(alice, "message", isChatWith("still here"));
    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "a", content: "gone from a" });
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "b", content: "still here" });
    expect((await aliceSees).map((m: MessageEvent) => m.content)).toEqual(["still here"]);
  });
});
