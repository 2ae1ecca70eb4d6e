// A page that saw no message of a public room before a moderator made it private has no `since` the move took
// along, so its rejoin used to land in the fresh public room of the old name. Its join's rejoinToken now tells the
// server when this browser joined: a member follows the room, and the token is worth nothing to anyone else.
import { describe, expect, it, onTestFinished } from "vitest";
import type { JoinPayload } from "../src/protocol.js";
import { joinRoom, startTestApp, type TestApp } from "./helpers/app.js";
import { moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { collect, waitFor } from "./helpers/wait.js";

/** The moderator makes `room` (where it is) private; resolves with the new address. */
async function makePrivate(mod: Awaited<ReturnType<TestApp["connect"]>>, room: string): Promise<string> {
  const made = await mod.timeout(5000).emitWithAck("update_room", { room, isPrivate: true });
  if (!made.ok) throw new Error(made.error.code);
  return made.room.room;
}

/**
 * The moderator and Ana in general, which has no message; Ana's page goes away, and the room is made private.
 * `heldFor: "gone"`: Ana's name was no longer held at the move, so her browser was not let in.
 */
async function awayFromEmptyRoom(heldFor: "grace" | "gone") {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, ...(heldFor === "gone" ? { NAME_GRACE_MS: "0" } : {}) } });
  onTestFinished(app.close);
  const mod = await app.joined("general", "Mod", { session: await moderatorSession(app) });
  const anaSession = app.newSession();
  const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [mod] });
  const token = ana.joinResult.rejoinToken;
  if (token === undefined) throw new Error("no rejoinToken");
  const left = waitFor(mod, "presence", (ev) => ev.left?.includes("Ana") === true);
  ana.disconnect();
  if (heldFor === "gone") await left;
  app.clock.advance(1000);
  const moved = await makePrivate(mod, "general");
  return { app, mod, anaSession, token, moved };
}

/** Joins with `extra` on a new socket of `session`: the answer, and every room_moved the socket heard before it. */
async function rejoinWith(app: TestApp, session: string, room: string, username: string, extra: Partial<JoinPayload>) {
  const socket = await app.connect({ session });
  const heard = collect(socket, "room_moved");
  const res = await socket.timeout(5000).emitWithAck("join_chat", { room, username, ...extra });
  return { socket, res, heard };
}

const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "joined" : (res.error?.code ?? "?"));

describe("a page that saw no message before its room was made private", () => {
  it("follows the room: its rejoin with the join's rejoinToken is refused room_moved after it is told where the room went", async () => {
    const { app, anaSession, token, moved } = await awayFromEmptyRoom("grace");
    const back = await app.connect({ session: anaSession });
    const told = waitFor(back, "room_moved");
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: 0, rejoinToken: token });
    expect(codeOf(rejoin)).toBe("room_moved");
    expect(await told).toEqual({ room: "general", to: { room: moved, title: "general", kind: "private" } });
    expect((await joinRoom(back, moved, "Ana", { isFollowingMove: true })).ok).toBe(true); // as the page does on room_moved
  });

  it("a browser the move did not let in is refused as well, and told nothing of where the room went", async () => {
    const { app, anaSession, token } = await awayFromEmptyRoom("gone");
    const { res, heard } = await rejoinWith(app, anaSession, "general", "Ana", { rejoinToken: token });
    expect(codeOf(res)).toBe("room_moved");
    expect(heard).toEqual([]);
  });

  it("a stranger learns nothing: Ana's real token from another browser, a forged one, one with another time, and its own from the fresh room each join the fresh public room", async () => {
    const { app, token } = await awayFromEmptyRoom("grace");
    const [time = "", mac = ""] = token.split(".");
    const zedSession = app.newSession();
    const zed = await app.joined("general", "Zed", { session: zedSession }); // after the move: the fresh room
    const own = zed.joinResult.rejoinToken;
    zed.disconnect();
    const tries: [string, string][] = [
      ["Ana's", token],
      ["forged", `${time}.${"A".repeat(22)}`],
      ["earlier", `${Number(time) - 1}.${mac}`],
      ["own", own ?? ""],
    ];
    for (const [what, rejoinToken] of tries) {
      const { socket, res, heard } = await rejoinWith(app, zedSession, "general", "Zed", { rejoinToken });
      expect({ what, code: codeOf(res), heard, roomInfo: res.ok ? res.roomInfo : "refused" }).toEqual({ what, code: "joined", heard: [], roomInfo: undefined });
      await app.disconnect(socket);
    }
  });

  it("a room made private and then public again while the page was away is back at its name: the rejoin joins it there", async () => {
    // Ana's name not held ("gone"): a name held in the fresh public room would keep the room from going back.
    const { app, anaSession, token, moved, mod } = await awayFromEmptyRoom("gone");
    expect((await joinRoom(mod, moved, "Mod", { isFollowingMove: true })).ok).toBe(true);
    app.clock.advance(1000);
    const back = await mod.timeout(5000).emitWithAck("update_room", { room: moved, isPrivate: false });
    if (!back.ok) throw new Error(back.error.code);
    const { res, heard } = await rejoinWith(app, anaSession, "general", "Ana", { rejoinToken: token });
    expect({ code: codeOf(res), heard }).toEqual({ code: "joined", heard: [] });
  });

  it("a room's token does not work at another room that moved after it", async () => {
    const { app, mod, anaSession, token } = await awayFromEmptyRoom("grace");
    expect((await joinRoom(mod, "lobby", "Mod")).ok).toBe(true);
    app.clock.advance(1000);
    await makePrivate(mod, "lobby");
    const { res, heard } = await rejoinWith(app, anaSession, "lobby", "Ana", { rejoinToken: token });
    expect({ code: codeOf(res), heard }).toEqual({ code: "joined", heard: [] });
  });

  it("the join of a public room gives a browser session a token, a private room's none, nor a client without the cookie; a malformed one is refused", async () => {
    const { app, anaSession, moved } = await awayFromEmptyRoom("grace");
    const inPrivate = await app.joined(moved, "Ana", { session: anaSession });
    expect(inPrivate.joinResult.rejoinToken).toBeUndefined();
    const cookieless = await app.joined("general", "Cy");
    expect(cookieless.joinResult.rejoinToken).toBeUndefined();
    for (const rejoinToken of [42, "", "123.short", `1.${"A".repeat(22)}.x`]) {
      const { res } = await rejoinWith(app, anaSession, "general", "Ana", { rejoinToken: rejoinToken as string });
      expect(codeOf(res)).toBe("invalid_payload");
    }
  });
});
