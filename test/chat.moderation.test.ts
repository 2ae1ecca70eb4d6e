// Issue 12: a moderator deletes any message, kicks a name out of a room, or bans it (name and session) for a while.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import type { JoinResult, MessageEvent, WireMessage } from "../src/protocol.js";
import { startTestApp, tempDatabase, type ClientSocket, type Joined, type TestApp } from "./helpers/app.js";
import { call } from "./helpers/emit.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collect, waitFor } from "./helpers/wait.js";
import { sessionCookieFrom } from "./helpers/session-cookie.js";

const TOKEN = "moderator-token-0123456789";

async function appFor(env: Record<string, string> = {}, databasePath?: string): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN: TOKEN, ...env }, ...(databasePath ? { databasePath } : {}) });
  onTestFinished(app.close);
  return app;
}

/** A browser session that signed in at /moderate with the token, as a person would. */
async function moderatorSession(app: TestApp): Promise<string> {
  const res = await request(app.url).post("/moderate").set("Cookie", app.newSession()).set("Origin", app.url).type("form").send({ token: TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

async function send(socket: ClientSocket, username: string, content: string): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room: "general", username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "ok" : (res.error?.code ?? "?"));

/** A moderator "mod", a troll "troll" (two tabs of one browser) and a bystander "ana", all in "general". */
async function room(env: Record<string, string> = {}) {
  const app = await appFor(env);
  const modSession = await moderatorSession(app);
  const trollSession = app.newSession();
  const ana = await app.joined("general", "ana", { session: app.newSession() });
  const mod = await app.joined("general", "mod", { session: modSession, heardBy: [ana] });
  const troll = await app.joined("general", "troll", { session: trollSession, heardBy: [ana] });
  const trollTab = await app.joined("general", "troll", { session: trollSession });
  return { app, mod, ana, troll, trollTab, trollSession, modSession };
}

describe("moderator status", () => {
  it("JoinResult.isModerator is true for a moderator's session and false for others", async () => {
    const { mod, ana } = await room();
    expect((mod as Joined).joinResult.isModerator).toBe(true);
    expect(ana.joinResult.isModerator).toBe(false);
  });

  it("answers not_moderator to kick_user and ban_user from a session that is not one", async () => {
    const { ana, troll } = await room();
    expect(codeOf(await call(ana, "kick_user", { room: "general", username: "troll" }))).toBe("not_moderator");
    expect(codeOf(await call(ana, "ban_user", { room: "general", username: "troll", durationMs: 60_000 }))).toBe("not_moderator");
    expect(troll.connected).toBe(true);
  });

  it("answers not_moderator to everyone when MODERATOR_TOKEN is unset, even a session stored as moderator before", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const before = await appFor({}, db.path);
    const session = await moderatorSession(before);
    await before.close();
    const app = await startTestApp({ databasePath: db.path });
    onTestFinished(app.close);
    const mod = await app.joined("general", "mod", { session });
    await app.joined("general", "troll", { session: app.newSession() });
    expect(mod.joinResult.isModerator).toBeUndefined();
    expect(codeOf(await call(mod, "kick_user", { room: "general", username: "troll" }))).toBe("not_moderator");
  });

  it("needs the moderator to be in the room", async () => {
    const { app, modSession } = await room();
    const outside = await app.connect({ session: modSession });
    expect(codeOf(await call(outside, "kick_user", { room: "general", username: "troll" }))).toBe("not_in_room");
  });
});

describe("delete_message by a moderator", () => {
  it("deletes anyone's message, even after the edit window, broadcasts it and writes the audit", async () => {
    const { app, mod, ana } = await room({ EDIT_WINDOW_MS: "1000" });
    const message = await send(ana, "ana", "abuse");
    app.clock.advance(10_000);
    const anaHears = waitFor(ana, "message_updated");
    const res = await call<{ message: WireMessage }>(mod, "delete_message", { room: "general", id: message.id });
    expect(res.ok && res.message).toMatchObject({ id: message.id, content: "", deletedAt: app.clock.now().toISOString() });
    expect(await anaHears).toEqual({ room: "general", id: message.id, content: "", deletedAt: app.clock.now().toISOString() });
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry).toMatchObject({ action: "delete", room: "general", target: "ana", messageId: message.id, at: app.clock.now() });
    expect(entry?.moderator).toMatch(/^[0-9a-f]{12}$/);
    expect(app.logs.some((l) => l.event === "moderation_action" && l.action === "delete" && l.messageId === message.id)).toBe(true);
  });
});

describe("kick_user", () => {
  it("takes every tab of the name out of the room: each gets removed, the room hears it leave", async () => {
    const { app, mod, ana, troll, trollTab } = await room();
    const removed = [waitFor(troll, "removed"), waitFor(trollTab, "removed")];
    const anaHearsLeft = waitFor(ana, "message", isNoticeWith("troll has left the chat."));
    const anaPresence = waitFor(ana, "presence", (p) => p.left?.includes("troll") ?? false);
    expect(codeOf(await call(mod, "kick_user", { room: "general", username: "TROLL" }))).toBe("ok"); // the name key: case folded
    expect(await Promise.all(removed)).toEqual([
      { room: "general", reason: "kicked" },
      { room: "general", reason: "kicked" },
    ]);
    await anaHearsLeft;
    expect((await anaPresence).left).toEqual(["troll"]);
    // Out of the room: it hears nothing more and cannot send there.
    const trollHears = collect(troll, "message");
    expect(codeOf(await call(troll, "send_message", { room: "general", username: "troll", content: "still here?" }))).toBe("not_in_room");
    await send(ana, "ana", "fence");
    await waitFor(mod, "message", isChatWith("fence"));
    expect(trollHears.filter((m: MessageEvent) => "id" in m)).toEqual([]);
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry).toMatchObject({ action: "kick", room: "general", target: "TROLL" });
  });

  it("releases the name at once, and a kicked user can come back", async () => {
    const { app, mod, troll } = await room();
    const gone = waitFor(troll, "removed");
    await call(mod, "kick_user", { room: "general", username: "troll" });
    await gone;
    const other = await app.connect({ session: app.newSession() });
    expect(codeOf(await call<JoinResult>(other, "join_chat", { room: "general", username: "troll" }))).toBe("ok");
    expect(codeOf(await call<JoinResult>(troll, "join_chat", { room: "general", username: "troll-again" }))).toBe("ok");
  });

  it("answers not_found for a name nobody holds in the room", async () => {
    const { mod } = await room();
    expect(codeOf(await call(mod, "kick_user", { room: "general", username: "nobody" }))).toBe("not_found");
  });
});

describe("ban_user", () => {
  it("removes the name with the ban's end; name and session cannot rejoin until it ends, then can", async () => {
    const { app, mod, ana, troll, trollSession } = await room();
    const until = new Date(app.clock.now().getTime() + 60_000).toISOString();
    const removed = waitFor(troll, "removed");
    const anaHearsLeft = waitFor(ana, "message", isNoticeWith("troll has left the chat."));
    expect(codeOf(await call(mod, "ban_user", { room: "general", username: "troll", durationMs: 60_000 }))).toBe("ok");
    expect(await removed).toEqual({ room: "general", reason: "banned", until });
    await anaHearsLeft;

    const again = await call<JoinResult>(troll, "join_chat", { room: "general", username: "troll" });
    expect(again).toEqual({ ok: false, error: { code: "banned", message: expect.stringContaining(until) } });
    // Another name from the same browser, and the same name (case folded) from another browser: both banned.
    const otherTab = await app.connect({ session: trollSession });
    expect(codeOf(await call(otherTab, "join_chat", { room: "general", username: "innocent" }))).toBe("banned");
    const otherBrowser = await app.connect({ session: app.newSession() });
    expect(codeOf(await call(otherBrowser, "join_chat", { room: "general", username: "Troll" }))).toBe("banned");
    // Other rooms are open.
    expect(codeOf(await call(troll, "join_chat", { room: "elsewhere", username: "troll" }))).toBe("ok");

    app.clock.advance(60_000);
    expect(codeOf(await call(troll, "join_chat", { room: "general", username: "troll" }))).toBe("ok");
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry).toMatchObject({ action: "ban", room: "general", target: "troll", detail: JSON.stringify({ durationMs: 60_000, until }) });
  });

  it("holds across a restart: bans are stored", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await appFor({}, db.path);
    const modSession = await moderatorSession(first);
    const mod = await first.joined("general", "mod", { session: modSession });
    await first.joined("general", "troll", { session: first.newSession() });
    expect(codeOf(await call(mod, "ban_user", { room: "general", username: "troll", durationMs: 3_600_000 }))).toBe("ok");
    await first.close();
    const second = await appFor({}, db.path);
    const back = await second.connect({ session: second.newSession() });
    expect(codeOf(await call(back, "join_chat", { room: "general", username: "troll" }))).toBe("banned");
  });

  it("can ban a name nobody holds yet, and refuses a bad duration", async () => {
    const { app, mod } = await room();
    expect(codeOf(await call(mod, "ban_user", { room: "general", username: "spammer", durationMs: 0 }))).toBe("invalid_payload");
    expect(codeOf(await call(mod, "ban_user", { room: "general", username: "spammer", durationMs: 1.5 }))).toBe("invalid_payload");
    expect(codeOf(await call(mod, "ban_user", { room: "general", username: "spammer", durationMs: 60_000 }))).toBe("ok");
    const spammer = await app.connect({ session: app.newSession() });
    expect(codeOf(await call(spammer, "join_chat", { room: "general", username: "spammer" }))).toBe("banned");
  });
});
