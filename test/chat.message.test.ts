// send_message: stored first, then acknowledged and broadcast to the whole room, sender included.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChat, isChatWith } from "./helpers/messages.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";
import { gatedRepo, type GatedRepo } from "./helpers/faulty-repo.js";

function readRows(path: string): { id: number; chat_room: string; sender: string; content: string; timestamp: string }[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id, chat_room, sender, content, timestamp FROM chat_message ORDER BY id").all() as never;
  } finally {
    db.close();
  }
}

describe("send_message with an ack", () => {
  it("stores the message, answers with it, and broadcasts it to everyone in the room, sender included", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const aliceGets = waitFor(alice, "message", isChatWith("hello"));
    const bobGets = waitFor(bob, "message", isChatWith("hello"));

    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "hello" });

    const expected = {
      id: 1,
      room: "general",
      sender: "alice",
      content: "hello",
      timestamp: "2026-01-02 03:04:05", // the manual clock's time, UTC, the original's format
      sentAt: "2026-01-02T03:04:05.678Z",
    };
    expect(res).toEqual({ ok: true, message: { ...expected, mine: true } }); // `mine` in the sender's ack only (issue 12)
    expect(await aliceGets).toEqual(expected);
    expect(await bobGets).toEqual(expected);
    expect(readRows(app.databasePath)).toEqual([
      { id: 1, chat_room: "general", sender: "alice", content: "hello", timestamp: "2026-01-02 03:04:05.678000" },
    ]);
  });

  it("delivers both ways between two clients, in order, with the clock's timestamps", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const aliceSees = collectUntil(alice, "message", isChatWith("third"));
    const bobSees = collectUntil(bob, "message", isChatWith("third"));

    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "first" });
    app.clock.advance(61_000);
    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "second" });
    app.clock.advance(1_000);
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "third" });

    const summary = (list: Awaited<typeof aliceSees>) => list.filter(isChat).map((m) => [m.sender, m.content, m.timestamp]);
    const expected = [
      ["alice", "first", "2026-01-02 03:04:05"],
      ["bob", "second", "2026-01-02 03:05:06"],
      ["alice", "third", "2026-01-02 03:05:07"],
    ];
    expect(summary(await aliceSees)).toEqual(expected);
    expect(summary(await bobSees)).toEqual(expected);
  });

  it("stores and sends the normalised content, and HTML as plain text", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const res = await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "  <b>hi</b>\r\nthere  " });
    expect(res).toMatchObject({ ok: true, message: { content: "<b>hi</b>\nthere" } });
    expect(readRows(app.databasePath)[0]?.content).toBe("<b>hi</b>\nthere");
  });

  it("answers only after the row is committed, and broadcasts nothing before that", async () => {
    let gated!: GatedRepo;
    const app = await startTestApp({ wrapRepo: (sqlite) => (gated = gatedRepo(sqlite)).repo });
    const { appendStarted, release } = gated;
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const bobSees = collect(bob, "message");

    let isAcked = false;
    const ack = alice
      .timeout(5000)
      .emitWithAck("send_message", { username: "alice", room: "general", content: "held" })
      .then((res) => {
        // Committed means readable by another connection to the file at the moment the ack arrives.
        isAcked = true;
        return { res, rows: readRows(app.databasePath) };
      });
    await appendStarted;
    // A later event from alice overtakes the held message: nothing of it has gone out while the write is pending.
    const typingSeen = waitFor(bob, "typing");
    expect(await alice.timeout(3000).emitWithAck("typing", { room: "general" })).toEqual({ ok: true });
    await typingSeen;
    expect(isAcked).toBe(false);
    expect(bobSees.filter(isChat)).toEqual([]);
    expect(readRows(app.databasePath)).toEqual([]);

    const bobGets = waitFor(bob, "message", isChatWith("held"));
    release();
    const { res, rows } = await ack;
    expect(res).toMatchObject({ ok: true, message: { content: "held" } });
    expect(rows.map((r) => r.content)).toEqual(["held"]);
    await bobGets;
  });
});

describe("send_message without an ack (the Flask original's client)", () => {
  it("stores the message and broadcasts it to the room, sender included", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const alice = await app.connect();
    const joinedNotice = waitFor(alice, "message", (m) => m.content === "alice has joined the chat.");
    legacyEmit(alice, "join_chat", { username: "alice", room: "general" });
    await joinedNotice;

    const aliceGets = waitFor(alice, "message", isChatWith("old school"));
    const bobGets = waitFor(bob, "message", isChatWith("old school"));
    legacyEmit(alice, "send_message", { username: "alice", room: "general", content: "old school" });
    expect(await aliceGets).toMatchObject({ sender: "alice", content: "old school", timestamp: "2026-01-02 03:04:05" });
    expect(await bobGets).toMatchObject({ sender: "alice", content: "old school" });
    expect(readRows(app.databasePath).map((r) => r.content)).toEqual(["old school"]);
  });
});

describe("room scoping", () => {
  it("does not deliver a message to a client in another room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const carol = await app.joined("other", "carol");
    const carolSees = collectUntil(carol, "message", isChatWith("marker"));

    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "for general only" });
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "other", content: "marker" });

    expect((await carolSees).map((m) => m.content)).toEqual(["marker"]);
  });
});
