// A moderator lifts a ban early (unban_user) and lists a room's bans (list_bans): everything a ban's own end
// releases is released at once, the room itself and the direct conversations opened from it.
import { describe, expect, it, onTestFinished } from "vitest";
import type { BanInfo, RoomInfo } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { nameKey } from "../src/shared/names.js";
import { call } from "./helpers/emit.js";
import { moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "ok" : (res.error?.code ?? "?"));

// RATE_JOIN_PER_SEC 0 (no limit): bans and unbans spend the join budget, and some tests send a dozen.
async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, RATE_JOIN_PER_SEC: "0", ...env } });
  onTestFinished(app.close);
  return app;
}

/** A moderator "Mod", "Troll" (its browser's session kept to come back with) and a bystander "Ana", all in "general". */
async function room(env: Record<string, string> = {}) {
  const app = await appFor(env);
  const ana = await app.joined("general", "Ana", { session: app.newSession() });
  const mod = await app.joined("general", "Mod", { session: await moderatorSession(app), heardBy: [ana] });
  const trollSession = app.newSession();
  const troll = await app.joined("general", "Troll", { session: trollSession, heardBy: [ana] });
  return { app, ana, mod, troll, trollSession };
}

async function ban(mod: ClientSocket, username: string, durationMs = 3_600_000): Promise<void> {
  expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "general", username, durationMs })).toEqual({ ok: true });
}

describe("unban_user", () => {
  it("lets the banned name and the browser session that held it join again at once, and audits it", async () => {
    const { app, mod, troll, trollSession } = await room();
    const removed = waitFor(troll, "removed");
    await ban(mod, "Troll");
    await removed;
    expect(codeOf(await call(troll, "join_chat", { room: "general", username: "Troll" }))).toBe("banned");

    expect(await mod.timeout(5000).emitWithAck("unban_user", { room: "general", username: "troll" })).toEqual({ ok: true });

    expect(codeOf(await call(troll, "join_chat", { room: "general", username: "Troll" }))).toBe("ok");
    const sameBrowser = await app.connect({ session: trollSession });
    expect(codeOf(await call(sameBrowser, "join_chat", { room: "general", username: "Another" }))).toBe("ok");
    expect(await troll.timeout(5000).emitWithAck("send_message", { room: "general", username: "Troll", content: "sorry" })).toMatchObject({ ok: true });
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry).toMatchObject({ action: "unban", room: "general", target: "troll", detail: JSON.stringify({ bansEnded: 1 }) });
    expect(app.logs.some((l) => l.event === "moderation_action" && l.action === "unban")).toBe(true);
  });

  it("ends every ban of the name in the room, and only in that room", async () => {
    const { app, mod } = await room();
    await ban(mod, "Spammer", 60_000);
    await ban(mod, "SPAMMER", 7_200_000);
    const inElsewhere = await app.joined("elsewhere", "Mod2", { session: await moderatorSession(app) });
    expect(await inElsewhere.timeout(5000).emitWithAck("ban_user", { room: "elsewhere", username: "Spammer", durationMs: 60_000 })).toEqual({ ok: true });

    expect(await mod.timeout(5000).emitWithAck("unban_user", { room: "general", username: "spammer" })).toEqual({ ok: true });

    const spammer = await app.connect({ session: app.newSession() });
    expect(codeOf(await call(spammer, "join_chat", { room: "general", username: "Spammer" }))).toBe("ok");
    expect(codeOf(await call(spammer, "join_chat", { room: "elsewhere", username: "Spammer" }))).toBe("banned");
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry?.detail).toBe(JSON.stringify({ bansEnded: 2 }));
  });

  it("answers not_found when no ban of the name is in force: never banned, lifted already, or run out", async () => {
    const { app, mod } = await room();
    const refused = await mod.timeout(5000).emitWithAck("unban_user", { room: "general", username: "nobody" });
    expect(refused).toEqual({ ok: false, error: { code: "not_found", message: 'No ban of "nobody" is in force in this room.' } });
    await ban(mod, "Troll");
    expect(codeOf(await call(mod, "unban_user", { room: "general", username: "Troll" }))).toBe("ok");
    expect(codeOf(await call(mod, "unban_user", { room: "general", username: "Troll" }))).toBe("not_found");
    await ban(mod, "Short", 1000);
    app.clock.advance(1000);
    expect(codeOf(await call(mod, "unban_user", { room: "general", username: "Short" }))).toBe("not_found");
    expect((await app.sqlite.auditLog(10)).filter((e) => e.action === "unban")).toHaveLength(1);
  });

  it("refuses a session that is not a moderator with not_moderator, and the ban holds", async () => {
    const { app, mod, ana } = await room();
    await ban(mod, "Troll");
    expect(codeOf(await call(ana, "unban_user", { room: "general", username: "Troll" }))).toBe("not_moderator");
    expect(codeOf(await call(ana, "list_bans", { room: "general" }))).toBe("not_moderator");
    const troll = await app.connect({ session: app.newSession() });
    expect(codeOf(await call(troll, "join_chat", { room: "general", username: "Troll" }))).toBe("banned");
  });

  it("answers bad payloads with a clear error, keeps the ban and goes on answering", async () => {
    const { app, mod } = await room();
    await ban(mod, "Troll");
    for (const bad of [null, "Troll", [], {}, { room: "general" }, { room: "general", username: 7 }, { room: "general", username: "" }, { room: "general", username: "x".repeat(51) }, { room: "", username: "Troll" }]) {
      const res = await call(mod, "unban_user", bad);
      expect(res.ok).toBe(false);
      expect(res.ok ? "" : res.error.message).not.toBe("");
      expect(["invalid_payload", "invalid_name", "invalid_room"]).toContain(codeOf(res));
    }
    expect(codeOf(await call(mod, "unban_user", { room: "elsewhere", username: "Troll" }))).toBe("not_in_room");
    expect(codeOf(await call(mod, "list_bans", { room: 5 }))).not.toBe("ok");
    const troll = await app.connect({ session: app.newSession() });
    expect(codeOf(await call(troll, "join_chat", { room: "general", username: "Troll" }))).toBe("banned");
    expect(codeOf(await call(mod, "unban_user", { room: "general", username: "Troll" }))).toBe("ok");
  });
});

describe("list_bans", () => {
  it("lists the bans in force, newest first, one entry per name as typed, with until and when made; an unban takes it off", async () => {
    const { app, mod } = await room();
    const t0 = app.clock.now().getTime();
    await ban(mod, "Troll", 60_000);
    app.clock.advance(1000);
    await ban(mod, "Spammer", 120_000);
    await ban(mod, "Gone", 500);
    app.clock.advance(1000); // Gone's ban ran out
    const iso = (ms: number): string => new Date(ms).toISOString();

    const listed = await mod.timeout(5000).emitWithAck("list_bans", { room: "general" });
    const expected: BanInfo[] = [
      { username: "Spammer", until: iso(t0 + 1000 + 120_000), createdAt: iso(t0 + 1000) },
      { username: "Troll", until: iso(t0 + 60_000), createdAt: iso(t0) },
    ];
    expect(listed).toEqual({ ok: true, bans: expected });

    expect(codeOf(await call(mod, "unban_user", { room: "general", username: "troll" }))).toBe("ok");
    expect(await mod.timeout(5000).emitWithAck("list_bans", { room: "general" })).toEqual({ ok: true, bans: [expected[0]] });
  });

  it("answers at most BANS_LIST_LIMIT names, the newest bans", async () => {
    const { app, mod } = await room({ BANS_LIST_LIMIT: "2" });
    for (const name of ["First", "Second", "Third"]) {
      await ban(mod, name);
      app.clock.advance(1000);
    }
    const listed = (await mod.timeout(5000).emitWithAck("list_bans", { room: "general" })) as { ok: true; bans: BanInfo[] };
    expect(listed.bans.map((b) => b.username)).toEqual(["Third", "Second"]);
  });

  it("shows each name as typed from the ban itself: at a room's new private address (its audit lines stay behind), and for a ban with no audit line", async () => {
    const { app, mod } = await room();
    await ban(mod, "Troll");
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    expect((await joinRoom(mod, made.room.room, "Mod", { isFollowingMove: true })).ok).toBe(true); // as the page does on room_moved
    // A ban row written by the store alone, without the audit line ban_user adds: nothing but the row names it.
    app.clock.advance(1000);
    const at = app.clock.now();
    await app.sqlite.addBan({ room: made.room.room, nameKey: nameKey("Spammer"), name: "Spammer", sessionKey: null, until: new Date(at.getTime() + 60_000), by: "mod", at });
    expect((await app.sqlite.auditLog(100)).filter((e) => e.room === made.room.room)).toEqual([]);

    const listed = (await mod.timeout(5000).emitWithAck("list_bans", { room: made.room.room })) as { ok: true; bans: BanInfo[] };
    // Neither key is what was typed (case folds, "m" looks like "rn"), so a key cannot pass for the name.
    expect(nameKey("Spammer")).not.toBe("Spammer");
    expect(nameKey("Troll")).not.toBe("Troll");
    expect(listed.bans.map((b) => b.username)).toEqual(["Spammer", "Troll"]);
  });
});

describe("unban_user and the direct conversations opened from the room", () => {
  it("lets the banned browser back into its conversation: my_rooms lists it again, it joins and sends", async () => {
    const app = await appFor();
    const anaSession = app.newSession();
    const bobSession = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session: anaSession });
    const bob = await app.joined("lobby", "Bob", { session: bobSession, heardBy: [ana] });
    const opened = await bob.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Ana" });
    if (!opened.ok) throw new Error(opened.error.code);
    const dm: RoomInfo = opened.room;
    const bobDm = await app.connect({ session: bobSession });
    expect((await joinRoom(bobDm, dm.room, "Bob")).ok).toBe(true);
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana] });
    const out = waitFor(bobDm, "removed", (e) => e.room === dm.room);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 3_600_000 })).toEqual({ ok: true });
    await out;
    expect(codeOf(await call(bobDm, "join_chat", { room: dm.room, username: "Bob" }))).toBe("banned");

    expect(await mod.timeout(5000).emitWithAck("unban_user", { room: "lobby", username: "Bob" })).toEqual({ ok: true });

    const mine = await bobDm.timeout(5000).emitWithAck("my_rooms", {});
    if (!mine.ok) throw new Error(mine.error.code);
    expect(mine.rooms.map((r: { room: string }) => r.room)).toEqual([dm.room]);
    expect(codeOf(await call(bobDm, "join_chat", { room: dm.room, username: "Bob" }))).toBe("ok");
    expect(codeOf(await call(bobDm, "send_message", { room: dm.room, username: "Bob", content: "back" }))).toBe("ok");
  });
});

