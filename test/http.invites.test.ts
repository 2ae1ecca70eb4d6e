// Issue 17: invite links, attacked. Opening one changes nothing; using one is a same-origin post from a browser
// session; expired, used-up and revoked links say so; guessing is limited per address and per session; the
// database keeps no working link; the token never reaches a log line.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { OUTSIDER_MESSAGE } from "../src/access/policy.js";
import type { InviteInfo } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { createPrivateRoom, makeInvite, moderatorSession, MODERATOR_TOKEN, useInvite } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env });
  onTestFinished(app.close);
  return app;
}

/** Ana's private room "Team Plans", Ana in it. */
async function team(app: TestApp): Promise<{ ana: ClientSocket; room: string }> {
  const ana = await app.connect({ session: app.newSession() });
  const { room } = await createPrivateRoom(ana, "Team Plans");
  expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
  return { ana, room };
}

async function usesOf(ana: ClientSocket, room: string, id: number): Promise<number | undefined> {
  const res = await ana.timeout(5000).emitWithAck("list_invites", { room });
  return res.ok ? res.invites.find((i: InviteInfo) => i.id === id)?.uses : undefined;
}

async function canJoin(app: TestApp, session: string, room: string): Promise<boolean> {
  const socket = await app.connect({ session });
  const res = await socket.timeout(5000).emitWithAck("join_chat", { room, username: "Someone" });
  socket.disconnect();
  return res.ok;
}

describe("GET /invite/<token>", () => {
  it("shows the room's name and the join form, changes nothing, and sends no Referer, no cache, no index", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { path, invite } = await makeInvite(ana, room);
    const bob = app.newSession();
    const page = await request(app.url).get(path).set("Cookie", bob).expect(200);
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.headers["x-robots-tag"]).toBe("noindex");
    expect(page.text).toContain("Team Plans");
    expect(page.text).not.toContain(room); // the address comes with the join, not before
    await request(app.url).get(path).set("Cookie", bob).expect(200);
    expect(await canJoin(app, bob, room)).toBe(false);
    expect(await usesOf(ana, room, invite.id)).toBe(0);
  });

  it("to a member: says so, with the room's address to open", async () => {
    const app = await appFor();
    const anaSession = app.newSession();
    const ana = await app.connect({ session: anaSession });
    const { room } = await createPrivateRoom(ana, "Team Plans");
    expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
    const { path } = await makeInvite(ana, room);
    const page = await request(app.url).get(path).set("Cookie", anaSession).expect(200);
    expect(page.text).toContain(`data-state="member"`);
    expect(page.text).toContain(room);
  });

  it("answers 404 for anything that is not a live token, the same page whatever the guess", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { token } = await makeInvite(ana, room);
    const wrongLast = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    const pages: string[] = [];
    for (const guess of [wrongLast, "A".repeat(43), "short", `${token}x`, "..%2F..%2Fetc%2Fpasswd"]) {
      const res = await request(app.url).get(`/invite/${guess}`).expect(404);
      expect(res.text).toContain(`data-state="invalid"`);
      pages.push(res.text.replace(/mr_session=[^;"]+/g, ""));
    }
    expect(pages[0]).not.toContain("Team Plans");
  });
});

describe("POST /invite/<token>", () => {
  it("admits the browser session: it answers the room, the session can join, and a use is spent once", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { path, invite } = await makeInvite(ana, room);
    const bob = app.newSession();
    const res = await useInvite(app, bob, path, "Bob").expect(200);
    expect(res.body).toEqual({ ok: true, room: { room, title: "Team Plans", kind: "private", canInvite: false, canManage: false, membersCanInvite: false } });
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(await canJoin(app, bob, room)).toBe(true);
    await useInvite(app, bob, path, "Bob").expect(200); // again: already a member, nothing spent
    expect(await usesOf(ana, room, invite.id)).toBe(1);
  });

  it("a link for one use admits one session; the next gets 410 invite_used_up, and its page says so", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { path } = await makeInvite(ana, room, { maxUses: 1 });
    await useInvite(app, app.newSession(), path, "Bob").expect(200);
    const cleo = app.newSession();
    const refused = await useInvite(app, cleo, path, "Cleo").expect(410);
    expect(refused.body).toMatchObject({ ok: false, error: { code: "invite_used_up" } });
    expect((await request(app.url).get(path).set("Cookie", cleo).expect(410)).text).toContain(`data-state="used_up"`);
    expect(await canJoin(app, cleo, room)).toBe(false);
  });

  it("an expired link: 410 invite_expired; a revoked one: 410 invite_revoked; neither admits", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const short = await makeInvite(ana, room, { expiresInMs: 60_000 });
    const revoked = await makeInvite(ana, room);
    expect(await ana.timeout(5000).emitWithAck("revoke_invite", { room, id: revoked.invite.id })).toEqual({ ok: true });
    app.clock.advance(60_000);
    const bob = app.newSession();
    expect((await useInvite(app, bob, short.path, "Bob").expect(410)).body.error.code).toBe("invite_expired");
    expect((await request(app.url).get(short.path).set("Cookie", bob).expect(410)).text).toContain(`data-state="expired"`);
    expect((await useInvite(app, bob, revoked.path, "Bob").expect(410)).body.error.code).toBe("invite_revoked");
    expect((await request(app.url).get(revoked.path).set("Cookie", bob).expect(410)).text).toContain(`data-state="revoked"`);
    expect(await canJoin(app, bob, room)).toBe(false);
    // A revoked link is gone from the list; revoking it again finds nothing.
    expect(await ana.timeout(5000).emitWithAck("revoke_invite", { room, id: revoked.invite.id })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("revoke_invite of an expired link answers invite_expired, of a used-up one invite_used_up; both stay as they ended", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const short = await makeInvite(ana, room, { expiresInMs: 60_000 });
    const once = await makeInvite(ana, room, { maxUses: 1, expiresInMs: 120_000 });
    await useInvite(app, app.newSession(), once.path, "Bob").expect(200);
    app.clock.advance(60_000);
    const revoke = (id: number) => ana.timeout(5000).emitWithAck("revoke_invite", { room, id });
    expect(await revoke(short.invite.id)).toMatchObject({ ok: false, error: { code: "invite_expired", message: expect.stringContaining("expired") } });
    expect(await revoke(once.invite.id)).toMatchObject({ ok: false, error: { code: "invite_used_up", message: expect.stringContaining("used up") } });
    const listed = await ana.timeout(5000).emitWithAck("list_invites", { room });
    expect(listed.ok && listed.invites.map((i: InviteInfo) => [i.id, i.state])).toEqual([
      [once.invite.id, "used_up"],
      [short.invite.id, "expired"],
    ]);
    const cleo = app.newSession();
    expect((await useInvite(app, cleo, short.path, "Cleo").expect(410)).body.error.code).toBe("invite_expired");
    expect((await request(app.url).get(once.path).set("Cookie", cleo).expect(410)).text).toContain(`data-state="used_up"`);
    expect(app.logs.some((l) => l.event === "invite_revoked")).toBe(false);
  });

  it("refuses a post from another site (403), one without an Origin (403), one without the cookie (400), and a bad name (400)", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { path, invite } = await makeInvite(ana, room);
    const bob = app.newSession();
    const evil = await request(app.url).post(path).set("Cookie", bob).set("Origin", "https://evil.example").send({ username: "Bob" }).expect(403);
    expect(evil.body.error.code).toBe("not_allowed");
    await request(app.url).post(path).set("Cookie", bob).send({ username: "Bob" }).expect(403);
    // A cross-site form post can only be form-encoded: refused at the origin check, and its body is never read as JSON.
    await request(app.url).post(path).set("Cookie", bob).set("Origin", "null").type("form").send({ username: "Bob" }).expect(403);
    expect((await request(app.url).post(path).set("Origin", app.url).send({ username: "Bob" }).expect(400)).body.error.code).toBe("session_required");
    expect((await useInvite(app, bob, path, "").expect(400)).body.error.code).toBe("invalid_name");
    expect((await useInvite(app, bob, path, "\u202eboB").expect(400)).body.error.code).toBe("invalid_name");
    expect(await usesOf(ana, room, invite.id)).toBe(0);
    expect(await canJoin(app, bob, room)).toBe(false);
  });

  it("refuses a browser or a name banned from the room (403 banned, with the ban's end) and spends no use; after the ban the link works", async () => {
    const app = await appFor({ MODERATOR_TOKEN });
    const { ana, room } = await team(app);
    const letIn = async (session: string, name: string): Promise<ClientSocket> => {
      await useInvite(app, session, (await makeInvite(ana, room)).path, name).expect(200);
      const socket = await app.connect({ session });
      expect((await joinRoom(socket, room, name)).ok).toBe(true);
      return socket;
    };
    const mod = await letIn(await moderatorSession(app), "Mod");
    const bobSession = app.newSession();
    const bob = await letIn(bobSession, "Bob");
    const removed = waitFor(bob, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await removed;
    const until = new Date(app.clock.now().getTime() + 60_000).toISOString();

    const once = await makeInvite(ana, room, { maxUses: 1 });
    for (const [session, name] of [
      [bobSession, "Robert"], // the banned browser under another name
      [app.newSession(), "bob"], // another browser under the banned name
    ] as const) {
      const refused = await useInvite(app, session, once.path, name).expect(403);
      expect(refused.body).toEqual({ ok: false, error: { code: "banned", message: `You are banned from this room until ${until}.` } });
    }
    expect(await usesOf(ana, room, once.invite.id)).toBe(0);
    expect(await canJoin(app, bobSession, room)).toBe(false);

    app.clock.advance(60_000);
    await useInvite(app, bobSession, once.path, "Bob").expect(200);
    expect(await usesOf(ana, room, once.invite.id)).toBe(1);
  });

  it("a token that is not one: 404 with one answer, whatever rooms exist", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    await makeInvite(ana, room);
    const res = await useInvite(app, app.newSession(), `/invite/${"B".repeat(43)}`, "Bob").expect(404);
    expect(res.body).toEqual({ ok: false, error: { code: "not_found", message: "This invite link is not valid. Ask for a new one." } });
    expect(res.body.error.message).not.toBe(OUTSIDER_MESSAGE);
  });
});

describe("guessing", () => {
  it("is limited per address: the tries of every session from one address count together (GET and POST alike)", async () => {
    const app = await appFor({ INVITE_TRIES_PER_MINUTE: "3", TRUST_PROXY: "true" });
    const { ana, room } = await team(app);
    const { path } = await makeInvite(ana, room);
    const from = (ip: string) => ({ "X-Forwarded-For": ip });
    for (let i = 0; i < 3; i++) await request(app.url).get(`/invite/${"C".repeat(43)}`).set(from("203.0.113.7")).set("Cookie", app.newSession()).expect(404);
    const late = await useInvite(app, app.newSession(), path, "Bob").set(from("203.0.113.7")).expect(429);
    expect(late.body.error.code).toBe("rate_limited");
    expect(Number(late.headers["retry-after"])).toBeGreaterThan(0);
    expect((await request(app.url).get(path).set(from("203.0.113.7")).expect(429)).text).toContain(`data-state="rate_limited"`);
    // Another address is not held back, and the right link still works from there.
    await useInvite(app, app.newSession(), path, "Bob").set(from("198.51.100.9")).expect(200);
  });

  it("is limited per session: one browser hopping addresses still runs out", async () => {
    const app = await appFor({ INVITE_TRIES_PER_MINUTE: "3", TRUST_PROXY: "true" });
    const session = app.newSession();
    for (let i = 0; i < 3; i++) await request(app.url).get(`/invite/${"D".repeat(43)}`).set("X-Forwarded-For", `192.0.2.${i + 1}`).set("Cookie", session).expect(404);
    await request(app.url).get(`/invite/${"D".repeat(43)}`).set("X-Forwarded-For", "192.0.2.99").set("Cookie", session).expect(429);
  });
});

describe("what a copy of the database and the logs hold", () => {
  it("the database file keeps the token's SHA-256, never the token; no log line has it", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { path, token } = await makeInvite(ana, room);
    await request(app.url).get(path).expect(200);
    await useInvite(app, app.newSession(), path, "Bob").expect(200);
    const dir = dirname(app.databasePath);
    const bytes = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile()) // the database, its WAL and shared memory (the files' folder beside it holds no tokens)
      .map((f) => readFileSync(join(dir, f.name)));
    const all = Buffer.concat(bytes);
    expect(all.includes(Buffer.from(token))).toBe(false);
    const { hashInviteToken } = await import("../src/access/invite-token.js");
    expect(all.includes(Buffer.from(hashInviteToken(token)))).toBe(true);
    expect(JSON.stringify(app.logs)).not.toContain(token);
    expect(app.logs.some((l) => l.event === "http_request" && l.path === "/invite/[token]")).toBe(true);
  });

  it("only /invite/ in lower case opens or uses a link: /Invite/ and /INVITE/ answer 404, admit nobody, and their log lines mask the token too", async () => {
    const app = await appFor();
    const { ana, room } = await team(app);
    const { token, invite } = await makeInvite(ana, room);
    const eve = app.newSession();
    const page = await request(app.url).get(`/Invite/${token}`).set("Cookie", eve).expect(404);
    expect(page.text).not.toContain("Team Plans");
    await useInvite(app, eve, `/INVITE/${token}`, "Eve").expect(404);
    expect(await canJoin(app, eve, room)).toBe(false);
    expect(await usesOf(ana, room, invite.id)).toBe(0);
    expect(JSON.stringify(app.logs)).not.toContain(token);
    expect(app.logs.filter((l) => l.event === "http_request").map((l) => l.path)).toEqual(expect.arrayContaining(["/Invite/[token]", "/INVITE/[token]"]));
  });
});
