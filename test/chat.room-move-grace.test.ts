// A name held in its grace (its owner's tab closed) when a moderator moves the room (Make private, Make public):
// the old address is another room from then on, so the hold ends there at the move, silently. Before, it stayed:
// strangers in the fresh public room saw the private room's member listed, could not take the name, and heard
// "<name> has left the chat." when the grace ended.
import { describe, expect, it, onTestFinished } from "vitest";
import { joinRoom, startTestApp, type TestApp } from "./helpers/app.js";
import { makeRoomPrivate, moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collect, waitFor } from "./helpers/wait.js";

async function appWith(graceMs: number): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, NAME_GRACE_MS: String(graceMs) } });
  onTestFinished(app.close);
  return app;
}

/** A moderator and Ana in `general`; Ana's tab closes, so her name is held there for the grace. */
async function anaHeldInGeneral(app: TestApp) {
  const mod = await app.joined("general", "Mod", { session: await moderatorSession(app) });
  const ana = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [mod] });
  await app.disconnect(ana);
  return mod;
}

describe("a name held in its grace when the room moves", () => {
  it("Make private: the fresh public room at the old address neither lists nor holds the name", async () => {
    const app = await appWith(600_000);
    const mod = await anaHeldInGeneral(app);
    await makeRoomPrivate(mod, "general");

    const stranger = await app.joined("general", "Zed", { session: app.newSession() });
    expect(stranger.joinResult.users).toEqual(["Zed"]);
    const other = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [stranger] });
    expect(other.joinResult.users).toEqual(["Ana", "Zed"]);
  });

  it("Make private: the grace's end tells the strangers at the old address nothing", async () => {
    const app = await appWith(1000);
    const mod = await anaHeldInGeneral(app);
    // A witness whose grace starts after Ana's: its "has left" elsewhere marks that Ana's grace is over too.
    const cy = await app.joined("lobby", "Cy", { session: app.newSession() });
    const watcher = await app.joined("lobby", "Wes", { heardBy: [cy] });
    await makeRoomPrivate(mod, "general");
    const stranger = await app.joined("general", "Zed", { session: app.newSession() });
    const messages = collect(stranger, "message");
    const presence = collect(stranger, "presence");

    const cyGone = waitFor(watcher, "message", isNoticeWith("Cy has left the chat."));
    await app.disconnect(cy);
    await cyGone;
    const marker = waitFor(stranger, "message", isChatWith("marker"));
    await stranger.timeout(3000).emitWithAck("send_message", { room: "general", username: "Zed", content: "marker" });
    await marker;

    expect(messages.map((m) => m.content)).toEqual(["marker"]);
    expect(presence).toEqual([]);
  });

  it("Make public: the name held at the private address ends there, and the room at its title has it free", async () => {
    const app = await appWith(600_000);
    const mod = await app.joined("general", "Mod", { session: await moderatorSession(app) });
    const anaSession = app.newSession();
    const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [mod] });
    const address = await makeRoomPrivate(mod, "general");
    expect((await joinRoom(mod, address, "Mod", { isFollowingMove: true })).ok).toBe(true);
    expect((await joinRoom(ana, address, "Ana", { isFollowingMove: true, heardBy: [mod] })).ok).toBe(true);
    await app.disconnect(ana);
    expect(await app.app.presence.users(address)).toEqual(["Ana", "Mod"]);

    const made = await mod.timeout(5000).emitWithAck("update_room", { room: address, isPrivate: false });
    expect(made).toMatchObject({ ok: true, room: { room: "general", kind: "public" } });
    expect(await app.app.presence.users(address)).toEqual([]);
    const back = await app.joined("general", "Ana", { session: anaSession });
    expect(back.joinResult.users).toEqual(["Ana"]);
  });
});
