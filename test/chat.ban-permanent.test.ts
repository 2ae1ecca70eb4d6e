// A permanent ban (an operator's: an end in the year 9999 written in the database, docs/moderation.md) is refused
// as permanent on a join, in a public room and in a private one, as the invite page already says it. Before, the
// join named its end "until 9999-12-31T23:59:59.999Z", which the page showed as a date 8,000 years away.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { joinRoom, startTestApp, type TestApp } from "./helpers/app.js";
import { MODERATOR_TOKEN, moderatorSession, teamOnOneLink } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

const HOUR_MS = 3_600_000;

async function appFor(): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN } });
  onTestFinished(app.close);
  return app;
}

/** What an operator does to make the room's bans permanent. */
function makeBansPermanent(app: TestApp, room: string): void {
  const db = new Database(app.databasePath);
  onTestFinished(() => {
    db.close();
  });
  expect(db.prepare("UPDATE room_ban SET until = ? WHERE room = ?").run("9999-12-31T23:59:59.999Z", room).changes).toBeGreaterThan(0);
}

describe("a permanent ban refuses a join as permanent", () => {
  it("in a public room", async () => {
    const app = await appFor();
    const mod = await app.connect({ session: await moderatorSession(app) });
    expect((await joinRoom(mod, "general", "Mod")).ok).toBe(true);
    const bobSession = app.newSession();
    const bob = await app.connect({ session: bobSession });
    expect((await joinRoom(bob, "general", "Bob")).ok).toBe(true);
    const removed = waitFor(bob, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "general", username: "Bob", durationMs: HOUR_MS })).toEqual({ ok: true });
    await removed;
    makeBansPermanent(app, "general");

    const again = await app.connect({ session: bobSession });
    expect(await joinRoom(again, "general", "Bob")).toEqual({ ok: false, error: { code: "banned", message: "You are banned from this room permanently." } });
  });

  it("in a private room, to a member joining under a name banned there", async () => {
    const app = await appFor();
    const { mod, bob, bobSession, room } = await teamOnOneLink(app);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Zed", durationMs: HOUR_MS })).toEqual({ ok: true });
    makeBansPermanent(app, room);
    await app.disconnect(bob); // his tab closed: still a member

    const again = await app.connect({ session: bobSession });
    expect(await joinRoom(again, room, "Zed")).toEqual({ ok: false, error: { code: "banned", message: "You are banned from this room permanently." } });
  });
});
