// Issue 17: direct conversations. Opened from a room both people are in, one per pair of browser sessions, told to
// the other person at once and again whenever a message arrives while it has no tab in it; closed per person; a
// ban from the room it was opened in covers it, new messages included.
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, ErrorBody, MyRoom, RoomInfo } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { appWithLanding } from "./helpers/append-landing.js";
import { call } from "./helpers/emit.js";
import { moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { until } from "./helpers/push.js";
import { collect, waitFor } from "./helpers/wait.js";
import { nameKey } from "../src/shared/names.js";

async function appFor(): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN } });
  onTestFinished(app.close);
  return app;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

/** Ana and Bob (browser sessions) in "lobby". */
async function lobby(app: TestApp) {
  const anaSession = app.newSession();
  const bobSession = app.newSession();
  const ana = await app.joined("lobby", "Ana", { session: anaSession });
  const bob = await app.joined("lobby", "Bob", { session: bobSession, heardBy: [ana] });
  return { ana, bob, anaSession, bobSession };
}

async function open(socket: ClientSocket, username: string): Promise<{ room: RoomInfo; name: string }> {
  const res = await socket.timeout(5000).emitWithAck("open_direct", { room: "lobby", username });
  if (!res.ok) throw new Error(`open_direct failed: ${res.error.code}`);
  return res;
}

/** The sent message as everyone else gets it: the ack's copy carries `mine`, the broadcast's never. */
async function send(socket: ClientSocket, room: string, username: string, content: string) {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  const { mine: _mine, ...asBroadcast } = res.message;
  return asBroadcast;
}

describe("opening a direct conversation", () => {
  it("makes a private room of the two sessions, shown to each under the other's name; the other hears of it at once", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const told = waitFor(bob, "room_added");
    const opened = await open(ana, "bob"); // names are matched as the room matches them
    expect(opened.room).toEqual({ room: expect.stringMatching(/^~[A-Za-z0-9_-]{22}$/), title: "Bob", kind: "direct" });
    expect(opened.name).toBe("Ana");
    expect(await told).toEqual({ room: { room: opened.room.room, title: "Ana", kind: "direct" }, name: "Bob" });
    const anaIn = await joinRoom(ana, opened.room.room, "Ana");
    const bobIn = await joinRoom(bob, opened.room.room, "Bob", { heardBy: [ana] });
    expect(anaIn.ok && anaIn.roomInfo).toEqual(opened.room);
    expect(bobIn.ok && bobIn.roomInfo).toEqual({ room: opened.room.room, title: "Ana", kind: "direct" });
    const heard = waitFor(bob, "message", (m) => m.content === "just us");
    await send(ana, opened.room.room, "Ana", "just us");
    expect((await heard).room).toBe(opened.room.room);
  });

  it("the opener's other tabs hear of it too; the tab that asked does not (it has the answer)", async () => {
    const app = await appFor();
    const { ana, anaSession } = await lobby(app);
    const otherTab = await app.connect({ session: anaSession });
    const told = waitFor(otherTab, "room_added");
    const asked = collect(ana, "room_added");
    const opened = await open(ana, "Bob");
    expect(await told).toEqual({ room: opened.room, name: "Ana" });
    await ana.timeout(5000).emitWithAck("my_rooms", {}); // a round trip: anything sent to the asking tab has arrived
    expect(asked).toEqual([]);
  });

  it("is the same conversation every time, whichever of the two opens it", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const first = await open(ana, "Bob");
    expect((await open(bob, "Ana")).room.room).toBe(first.room.room);
    expect((await open(ana, "Bob")).room.room).toBe(first.room.room);
  });

  it("nobody else gets in: a third session, even one named like a member, gets not_found", async () => {
    const app = await appFor();
    const { ana } = await lobby(app);
    const { room } = await open(ana, "Bob");
    const cleo = await app.joined("lobby", "Cleo", { session: app.newSession() });
    expect(errorOf(await cleo.timeout(5000).emitWithAck("join_chat", { room: room.room, username: "Cleo" }))?.code).toBe("not_found");
    const fakeBob = await app.connect({ session: app.newSession() });
    expect(errorOf(await fakeBob.timeout(5000).emitWithAck("join_chat", { room: room.room, username: "Bob" }))?.code).toBe("not_found");
  });

  it("refuses: a room this socket is not in, a name nobody holds, oneself, a cookie-less client either way", async () => {
    const app = await appFor();
    const { ana } = await lobby(app);
    expect(errorOf(await call(ana, "open_direct", { room: "elsewhere", username: "Bob" }))?.code).toBe("not_in_room");
    expect(errorOf(await call(ana, "open_direct", { room: "lobby", username: "Nobody" }))?.code).toBe("not_found");
    expect(errorOf(await call(ana, "open_direct", { room: "lobby", username: "Ana" }))?.code).toBe("invalid_payload");
    const legacy = await app.joined("lobby", "Old", { heardBy: [ana] }); // no cookie
    expect(errorOf(await call(ana, "open_direct", { room: "lobby", username: "Old" }))?.code).toBe("not_allowed");
    expect(errorOf(await call(legacy, "open_direct", { room: "lobby", username: "Ana" }))?.code).toBe("session_required");
  });
});

describe("the other person's tabs", () => {
  it("while it has a tab in the conversation, a message arrives as a message only; with none, it also brings the conversation back", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const { room } = await open(ana, "Bob");
    await joinRoom(ana, room.room, "Ana");
    // Bob has not joined it: the message comes with the conversation.
    const told = waitFor(bob, "room_added", (e) => e.message !== undefined);
    const first = await send(ana, room.room, "Ana", "are you there?");
    expect(await told).toEqual({ room: { room: room.room, title: "Ana", kind: "direct" }, name: "Bob", message: first });
    // Bob joins: from now on only the message itself.
    await joinRoom(bob, room.room, "Bob", { heardBy: [ana] });
    const added = collect(bob, "room_added");
    const heard = waitFor(bob, "message", (m) => m.content === "good");
    await send(ana, room.room, "Ana", "good");
    await heard;
    expect(added).toEqual([]);
  });

  it("closing (leave_chat) takes every tab of that browser out, keeps the other person in, and the next message brings it back", async () => {
    const app = await appFor();
    const { ana, bob, bobSession } = await lobby(app);
    const { room } = await open(ana, "Bob");
    await joinRoom(ana, room.room, "Ana");
    await joinRoom(bob, room.room, "Bob", { heardBy: [ana] });
    const bobTab = await app.connect({ session: bobSession });
    await joinRoom(bobTab, room.room, "Bob");
    await send(ana, room.room, "Ana", "old news");
    const tabOut = waitFor(bobTab, "removed");
    expect(await bob.timeout(5000).emitWithAck("leave_chat", { room: room.room })).toEqual({ ok: true });
    expect(await tabOut).toEqual({ room: room.room, reason: "left" });
    const closed = await bob.timeout(5000).emitWithAck("my_rooms", {});
    const entry = closed.ok ? closed.rooms.find((r: MyRoom) => r.room === room.room) : undefined;
    expect(entry).toMatchObject({ kind: "direct", title: "Ana", name: "Bob" });
    expect(entry?.closedUpto).toBe(entry?.newestId); // nothing new since it was closed

    const back = waitFor(bob, "room_added");
    const fresh = await send(ana, room.room, "Ana", "new news");
    expect((await back).message).toEqual(fresh);
    const reopened = await bob.timeout(5000).emitWithAck("my_rooms", {});
    const again = reopened.ok ? reopened.rooms.find((r: MyRoom) => r.room === room.room) : undefined;
    expect(again?.newestId).toBe(fresh.id);
    expect(again?.closedUpto).toBeLessThan(fresh.id);
    // Closing is not leaving: Bob can still join.
    expect((await joinRoom(bob, room.room, "Bob")).ok).toBe(true);
  });
});

describe("moderation", () => {
  it("my_rooms leaves out a conversation a ban closes to the banned browser (its newest id would show the other still writes), until the ban ends", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana, bob] });
    const { room } = await open(ana, "Bob");
    await joinRoom(ana, room.room, "Ana");
    const rooms = async (): Promise<string[]> => {
      const res = await bob.timeout(5000).emitWithAck("my_rooms", {});
      if (!res.ok) throw new Error(res.error.code);
      return res.rooms.map((r: MyRoom) => r.room);
    };
    expect(await rooms()).toEqual([room.room]);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await send(ana, room.room, "Ana", "still here");
    expect(await rooms()).toEqual([]);
    app.clock.advance(60_001);
    expect(await rooms()).toEqual([room.room]);
  });

  it("a ban from the room the conversation was opened in takes the banned person out of it and keeps them out", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana, bob] });
    const { room } = await open(bob, "Ana");
    await joinRoom(bob, room.room, "Bob");
    const out = waitFor(bob, "removed", (e) => e.room === room.room);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await out).toMatchObject({ room: room.room, reason: "banned" });
    expect(errorOf(await bob.timeout(5000).emitWithAck("join_chat", { room: room.room, username: "Bob" }))?.code).toBe("banned");
    // Ana is not banned: the conversation stays hers.
    expect((await joinRoom(ana, room.room, "Ana")).ok).toBe(true);
    app.clock.advance(60_001);
    expect((await joinRoom(bob, room.room, "Bob")).ok).toBe(true);
  });

  // Left open by the 2026-12-07 review: such a send was stored and broadcast into the conversation.
  it("a send already past its checks when the ban commits is answered banned and reaches nobody: stored nowhere, not broadcast", async () => {
    let banBob: { at: string } | null = null;
    // The ban lands between the send's checks (the socket is in the conversation) and its insert.
    const app = await appWithLanding(
      (repo, m) => (m.sender === "Bob" && banBob !== null ? repo.addBan({ room: "lobby", nameKey: nameKey("Bob"), name: "Bob", sessionKey: null, until: new Date(Date.parse(banBob.at) + 60_000), by: "mod", at: new Date(banBob.at) }) : Promise.resolve()),
      () => banBob !== null,
    );
    const { ana, bob } = await lobby(app);
    const { room } = await open(bob, "Ana");
    await joinRoom(bob, room.room, "Bob");
    await joinRoom(ana, room.room, "Ana", { heardBy: [bob] });
    const heardByAna = collect(ana, "message");
    banBob = { at: app.clock.now().toISOString() };
    const res = await bob.timeout(5000).emitWithAck("send_message", { room: room.room, username: "Bob", content: "sent as the ban landed" });
    expect(errorOf(res)).toMatchObject({ code: "banned", message: expect.stringContaining("this message was not sent") });
    // Ana's own message reaches her after anything sent before it.
    const mine = await send(ana, room.room, "Ana", "still here");
    expect(heardByAna).toEqual([mine]);
    expect((await app.repo.page(room.room, { limit: 10 })).messages.map((m) => m.content)).toEqual(["still here"]);
  });

  it("while the ban lasts, a new message does not bring the conversation back to the banned person's tabs; after it, the next one does", async () => {
    const app = await appFor();
    const { ana, bob } = await lobby(app);
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana, bob] });
    const { room } = await open(bob, "Ana");
    await joinRoom(bob, room.room, "Bob");
    await joinRoom(ana, room.room, "Ana", { heardBy: [bob] });
    const out = waitFor(bob, "removed", (e) => e.room === room.room);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await out;
    const added = collect(bob, "room_added");

    await send(ana, room.room, "Ana", "secret while you are banned");
    await until(() => app.logs.some((l) => l.event === "direct_not_announced" && l.reason === "banned"));
    app.clock.advance(60_001);
    const back = waitFor(bob, "room_added");
    const after = await send(ana, room.room, "Ana", "the ban is over");
    expect((await back).message).toEqual(after);
    expect(added.map((e) => e.message?.content)).toEqual(["the ban is over"]);
  });
});
