// A ban of a name nobody holds in the room right now (its tab closed, the name released after its grace) still ends
// the direct conversations the person opened from that room: its tabs there hear `removed` and it cannot come back,
// under that name or another. Only those: the other side, and someone of the same name in a conversation opened
// from another room, stay in.
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, ErrorBody, RoomInfo } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { collect, waitFor } from "./helpers/wait.js";

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

async function appFor(): Promise<TestApp> {
  // A short grace: a closed tab's name is released for real, as it is 15 s after a page is closed.
  const app = await startTestApp({ env: { MODERATOR_TOKEN, NAME_GRACE_MS: "50" } });
  onTestFinished(app.close);
  return app;
}

async function openDirect(socket: ClientSocket, room: string, username: string): Promise<RoomInfo> {
  const res = await socket.timeout(5000).emitWithAck("open_direct", { room, username });
  if (!res.ok) throw new Error(`open_direct failed: ${res.error.code}`);
  return res.room;
}

const sendCode = async (socket: ClientSocket, room: string, username: string, content: string): Promise<string> => {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  return res.ok ? "ok" : res.error.code;
};

/**
 * Ana and Bob meet in `room`; Bob opens a conversation with Ana and both have it open in tabs of their own; then
 * Bob closes the room's tab and its name is released (the room hears Bob leave).
 */
async function metThenLeft(app: TestApp, room: string, names: { ana: string; bob: string }) {
  const bobSession = app.newSession();
  const anaSession = app.newSession();
  const ana = await app.joined(room, names.ana, { session: anaSession });
  const bobRoomTab = await app.joined(room, names.bob, { session: bobSession, heardBy: [ana] });
  const dm = await openDirect(bobRoomTab, room, names.ana);
  const bobDmTab = await app.connect({ session: bobSession });
  expect((await joinRoom(bobDmTab, dm.room, names.bob)).ok).toBe(true);
  const anaDmTab = await app.connect({ session: anaSession });
  expect((await joinRoom(anaDmTab, dm.room, names.ana, { heardBy: [bobDmTab] })).ok).toBe(true);
  const released = waitFor(ana, "presence", (p) => p.room === room && p.left !== undefined);
  await app.disconnect(bobRoomTab);
  expect(await released).toEqual({ room, left: [names.bob] });
  return { ana, anaDmTab, bobDmTab, bobSession, dm };
}

describe("a ban of a released name and the direct conversations opened from the room", () => {
  it("takes the banned person's open conversation tab out and keeps it out, under that name or another; the other side stays", async () => {
    const app = await appFor();
    const { ana, anaDmTab, bobDmTab, bobSession, dm } = await metThenLeft(app, "lobby", { ana: "Ana", bob: "Bob" });
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana] });
    expect(errorOf(await mod.timeout(5000).emitWithAck("kick_user", { room: "lobby", username: "Bob" }))?.code).toBe("not_found"); // nobody holds it
    const anaRemoved = collect(anaDmTab, "removed");
    const out = waitFor(bobDmTab, "removed", (e) => e.room === dm.room);

    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });

    expect(await out).toEqual({ room: dm.room, reason: "banned", until: expect.any(String) });
    expect(await sendCode(bobDmTab, dm.room, "Bob", "still talking")).toBe("not_in_room");
    expect(errorOf(await bobDmTab.timeout(5000).emitWithAck("join_chat", { room: dm.room, username: "Bob" }))?.code).toBe("banned");
    // The conversation knows Bob by the name he had in the lobby: another name at the door changes nothing.
    expect(errorOf(await bobDmTab.timeout(5000).emitWithAck("join_chat", { room: dm.room, username: "Robert" }))?.code).toBe("banned");
    const laterTab = await app.connect({ session: bobSession });
    expect(errorOf(await laterTab.timeout(5000).emitWithAck("join_chat", { room: dm.room, username: "Robert" }))?.code).toBe("banned");
    // Ana is not banned: she is still in, and heard no removal.
    expect(await sendCode(anaDmTab, dm.room, "Ana", "still mine")).toBe("ok");
    expect(anaRemoved).toEqual([]);
  });

  it("leaves alone someone of the same name whose conversation was opened from another room", async () => {
    const app = await appFor();
    const lobby = await metThenLeft(app, "lobby", { ana: "Ana", bob: "Bob" });
    const other = await metThenLeft(app, "garden", { ana: "Cleo", bob: "bob" });
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [lobby.ana] });
    const otherRemoved = collect(other.bobDmTab, "removed");
    const out = waitFor(lobby.bobDmTab, "removed", (e) => e.room === lobby.dm.room);

    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });

    await out;
    expect(await sendCode(other.bobDmTab, other.dm.room, "bob", "not banned here")).toBe("ok");
    expect(otherRemoved).toEqual([]);
  });
});
