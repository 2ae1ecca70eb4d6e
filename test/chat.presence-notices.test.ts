// Which arrivals and departures are told with "has joined" / "has left" (presence-notices.ts): none in a direct
// conversation, none for the members a room's move carries to its new address; the `presence` deltas go all the same.
import { describe, expect, it, onTestFinished } from "vitest";
import type { MessageEvent } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChatWith } from "./helpers/messages.js";
import { createPrivateRoom, makeInvite, makeRoomPrivate, moderatorSession, MODERATOR_TOKEN, useInvite } from "./helpers/private-rooms.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, ...env } });
  onTestFinished(app.close);
  return app;
}

async function send(socket: ClientSocket, room: string, username: string, content: string): Promise<void> {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
}

const contents = (seen: MessageEvent[]): string[] => seen.map((m) => m.content);

/** Ana and Bob (browser sessions) in "lobby", and their direct conversation, both of them in it. */
async function conversation(app: TestApp) {
  const bobSession = app.newSession();
  const ana = await app.joined("lobby", "Ana", { session: app.newSession() });
  const bob = await app.joined("lobby", "Bob", { session: bobSession, heardBy: [ana] });
  const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
  if (!opened.ok) throw new Error(`open_direct failed: ${opened.error.code}`);
  const dm = opened.room.room;
  expect((await joinRoom(ana, dm, "Ana")).ok).toBe(true);
  expect((await joinRoom(bob, dm, "Bob", { heardBy: [ana] })).ok).toBe(true);
  return { ana, bob, bobSession, dm };
}

describe("a direct conversation", () => {
  it("closing it and reopening it on a new message tells the other person nothing: no notice under that message", async () => {
    const app = await appFor();
    const { ana, bob, dm } = await conversation(app);
    const anaSees = collectUntil(ana, "message", isChatWith("marker"));
    const anaPresence = collect(ana, "presence");

    // Bob closes it; Ana writes; Bob's page is told (room_added) and joins it again, from before that message.
    expect(await bob.timeout(5000).emitWithAck("leave_chat", { room: dm })).toEqual({ ok: true });
    const told = waitFor(bob, "room_added", (ev) => ev.message !== undefined);
    await send(ana, dm, "Ana", "are you there?");
    const message = (await told).message;
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const back = await joinRoom(bob, dm, "Bob", { since: (message?.id ?? 1) - 1, heardBy: [ana] });
    expect(back.ok && back.history.map((m) => m.content)).toEqual(["are you there?"]);
    await send(ana, dm, "Ana", "marker");

    expect(contents(await anaSees)).toEqual(["are you there?", "marker"]);
    expect(contents(await bobSees)).toEqual(["marker"]); // nor does Bob hear his own arrival
    expect(anaPresence).toEqual([
      { room: dm, left: ["Bob"] },
      { room: dm, joined: ["Bob"] },
    ]);
  });

  it("a closed tab whose name grace ends leaves the list without a notice", async () => {
    const app = await appFor({ NAME_GRACE_MS: "50" });
    const { ana, bob, dm } = await conversation(app);
    const anaSees = collect(ana, "message");
    const gone = waitFor(ana, "presence", (p) => p.room === dm && p.left !== undefined);
    const goneFromLobby = waitFor(ana, "presence", (p) => p.room === "lobby" && p.left !== undefined);
    await app.disconnect(bob);
    expect(await gone).toEqual({ room: dm, left: ["Bob"] });
    await goneFromLobby; // its notice goes out with the delta, so it is in before the marker
    await send(ana, dm, "Ana", "marker");
    // The lobby hears Bob leave as always; the conversation does not.
    expect(anaSees.filter((m) => m.room === dm).map((m) => m.content)).toEqual(["marker"]);
    expect(anaSees.map((m) => m.content)).toContain("Bob has left the chat.");
  });
});

describe("a room's move", () => {
  it("Make private: the members who follow it are not announced as joining; a newcomer by invite still is", async () => {
    const app = await appFor();
    const mod = await app.joined("general", "Mod", { session: await moderatorSession(app) });
    const ana = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [mod] });
    const bob = await app.joined("general", "Bob", { session: app.newSession(), heardBy: [mod, ana] });
    const moves = [mod, ana, bob].map((s) => waitFor(s, "room_moved"));
    const to = await makeRoomPrivate(mod, "general");
    await Promise.all(moves);

    // As the pages do on room_moved: each joins the new address under its name.
    const modSees = collectUntil(mod, "message", isChatWith("marker"));
    const modPresence = collect(mod, "presence");
    expect((await joinRoom(mod, to, "Mod", { isFollowingMove: true })).ok).toBe(true);
    const anaSees = collectUntil(ana, "message", isChatWith("marker"));
    expect((await joinRoom(ana, to, "Ana", { isFollowingMove: true, heardBy: [mod] })).ok).toBe(true);
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    expect((await joinRoom(bob, to, "Bob", { isFollowingMove: true, heardBy: [mod, ana] })).ok).toBe(true);
    await send(mod, to, "Mod", "marker");

    for (const seen of [modSees, anaSees, bobSees]) expect(contents(await seen)).toEqual(["marker"]);
    expect(modPresence).toEqual([
      { room: to, joined: ["Ana"] },
      { room: to, joined: ["Bob"] },
    ]);

    // Someone let in later does arrive, and the room hears it as before.
    const { path } = await makeInvite(mod, to);
    const eveSession = app.newSession();
    await useInvite(app, eveSession, path, "Eve").expect(200);
    const eve = await app.connect({ session: eveSession });
    const heard = waitFor(ana, "message", (m) => m.content === "Eve has joined the chat.");
    expect((await joinRoom(eve, to, "Eve", { heardBy: [mod, ana, bob] })).ok).toBe(true);
    expect(await heard).toEqual({ content: "Eve has joined the chat.", kind: "joined", username: "Eve", room: to });
  });

  it("Make public: the followers hear no arrivals; a client of the original already in the public room still does", async () => {
    const app = await appFor();
    const modSession = await moderatorSession(app);
    const mod = await app.connect({ session: modSession });
    const info = await createPrivateRoom(mod, "Plans");
    expect((await joinRoom(mod, info.room, "Mod")).ok).toBe(true);
    const moved = waitFor(mod, "room_moved");
    const res = await mod.timeout(5000).emitWithAck("update_room", { room: info.room, isPrivate: false });
    expect(res.ok).toBe(true);
    await moved;
    // A client of the original (no cookie) comes to the public room before the moderator's page follows.
    const legacy = await app.connect();
    const legacyIn = waitFor(legacy, "message", (m) => m.content === "Old has joined the chat.");
    legacyEmit(legacy, "join_chat", { room: "Plans", username: "Old" }); // no ack, as the original's page sent it
    await legacyIn;

    const legacySees = collectUntil(legacy, "message", isChatWith("marker"));
    const modSees = collectUntil(mod, "message", isChatWith("marker"));
    expect((await joinRoom(mod, "Plans", "Mod", { isFollowingMove: true, heardBy: [legacy] })).ok).toBe(true);
    await send(mod, "Plans", "Mod", "marker");
    expect(contents(await legacySees)).toEqual(["Mod has joined the chat.", "marker"]);
    expect(contents(await modSees)).toEqual(["marker"]);
  });
});
