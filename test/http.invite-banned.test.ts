// An invite link opened by a browser banned from its room: the page showed the join form, and only the click's POST
// answered "403 banned" (found by the phone walk-through, 2026-12-07). Now GET tells that browser at once, until
// when, with no form and spending nothing; attacked: nobody else learns anything new from it, a dead link answers as
// before, the banned browser learns nothing of the room beyond the name the working link shows, and a permanent ban
// reads as one. The POST's check stays (a name banned in advance is only known once typed).
import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import type { InviteInfo } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { makeInvite, MODERATOR_TOKEN, teamOnOneLink, useInvite } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

const HOUR_MS = 3_600_000;

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, ...env } });
  onTestFinished(app.close);
  return app;
}

/** Team (Ana's room) with Bob's browser banned for an hour by the moderator; the ban's end. */
async function bobBanned(app: TestApp) {
  const team = await teamOnOneLink(app);
  const removed = waitFor(team.bob, "removed");
  expect(await team.mod.timeout(5000).emitWithAck("ban_user", { room: team.room, username: "Bob", durationMs: HOUR_MS })).toEqual({ ok: true });
  await removed;
  return { ...team, until: new Date(app.clock.now().getTime() + HOUR_MS).toISOString() };
}

async function usesOf(ana: ClientSocket, room: string, id: number): Promise<number | undefined> {
  const res = await ana.timeout(5000).emitWithAck("list_invites", { room });
  return res.ok ? res.invites.find((i: InviteInfo) => i.id === id)?.uses : undefined;
}

const open = (app: TestApp, path: string, session: string) => request(app.url).get(path).set("Cookie", session);

/** The invite card of a page: the only part that differs from one invite page to another. */
function cardOf(html: string): string {
  const card = /<section id="invite-card"[\s\S]*?<\/section>/.exec(html)?.[0];
  if (card === undefined) throw new Error("no invite card on the page");
  return card;
}

/** A page with what differs per request (its cookie, CSP nonce-free as it is) taken out, to compare two answers. */
const samePage = (html: string): string => html.replace(/mr_session=[^;"]+/g, "");

describe("GET /invite/<token> for a banned browser", () => {
  it("says at once that it is banned and until when (403, no form), spends no use, and the link still works after the ban", async () => {
    const app = await appFor();
    const { ana, room, bobSession, until } = await bobBanned(app);
    const once = await makeInvite(ana, room, { maxUses: 1 });

    const page = await open(app, once.path, bobSession).expect(403);
    const card = cardOf(page.text);
    expect(card).toContain(`data-state="banned"`);
    expect(card).toContain("Team");
    expect(card).toContain(`<time id="invite-ban-until" datetime="${until}">`);
    expect(card).not.toContain("<form");
    expect(page.text).not.toContain("invite-join-form");
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["x-robots-tag"]).toBe("noindex");
    await open(app, once.path, bobSession).expect(403); // again: the same, nothing spent
    expect(await usesOf(ana, room, once.invite.id)).toBe(0);

    app.clock.advance(HOUR_MS);
    expect(cardOf((await open(app, once.path, bobSession).expect(200)).text)).toContain(`data-state="active"`);
    await useInvite(app, bobSession, once.path, "Bob").expect(200);
    expect(await usesOf(ana, room, once.invite.id)).toBe(1);
  });

  it("tells the banned browser nothing of the room beyond the name the working link shows", async () => {
    const app = await appFor();
    const { ana, mod, room, bobSession } = await bobBanned(app);
    const { path } = await makeInvite(ana, room);
    await mod.timeout(5000).emitWithAck("send_message", { room, username: "Mod", content: "the secret plans" });
    const working = cardOf((await open(app, path, app.newSession()).expect(200)).text);
    const banned = cardOf((await open(app, path, bobSession).expect(403)).text);
    // The room's name, as the working link's card shows it; not its address, members, names, messages or who banned.
    const titleOf = (card: string) => /<span class="room-ref">([^<]*)<\/span>/.exec(card)?.[1];
    expect(titleOf(banned)).toBe(titleOf(working));
    for (const secret of [room, "Ana", "Mod", "Bob", "the secret plans", "data-room"]) expect(banned).not.toContain(secret);
  });

  it("a browser that is not banned gets the same page as before the ban, to the byte", async () => {
    const app = await appFor();
    const team = await teamOnOneLink(app);
    const { path } = await makeInvite(team.ana, team.room);
    const carl = app.newSession();
    const before = samePage((await open(app, path, carl).expect(200)).text);
    const removed = waitFor(team.bob, "removed");
    expect(await team.mod.timeout(5000).emitWithAck("ban_user", { room: team.room, username: "Bob", durationMs: HOUR_MS })).toEqual({ ok: true });
    await removed;
    expect(samePage((await open(app, path, carl).expect(200)).text)).toBe(before);
    // A browser without a cookie too: a page, never a ban's end.
    expect(cardOf((await request(app.url).get(path).expect(200)).text)).toContain(`data-state="active"`);
  });

  it("a name banned in advance is unknown to GET (the form, as before) and still refused at the POST, spending nothing", async () => {
    const app = await appFor();
    const { ana, mod, room } = await teamOnOneLink(app);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Zed", durationMs: HOUR_MS })).toEqual({ ok: true });
    const once = await makeInvite(ana, room, { maxUses: 1 });
    const zed = app.newSession();
    expect(cardOf((await open(app, once.path, zed).expect(200)).text)).toContain(`data-state="active"`);
    const refused = await useInvite(app, zed, once.path, "zed").expect(403);
    expect(refused.body.error.code).toBe("banned");
    expect(await usesOf(ana, room, once.invite.id)).toBe(0);
  });

  it("a dead link (revoked, expired, used up) answers the banned browser as before: 410, its reason, no name, no ban", async () => {
    const app = await appFor();
    const { ana, room, bobSession } = await bobBanned(app);
    const revoked = await makeInvite(ana, room);
    expect(await ana.timeout(5000).emitWithAck("revoke_invite", { room, id: revoked.invite.id })).toEqual({ ok: true });
    const usedUp = await makeInvite(ana, room, { maxUses: 1 });
    await useInvite(app, app.newSession(), usedUp.path, "Cleo").expect(200);
    const short = await makeInvite(ana, room, { expiresInMs: 60_000 });
    app.clock.advance(60_000); // the ban (an hour) holds on
    for (const [path, state] of [
      [revoked.path, "revoked"],
      [usedUp.path, "used_up"],
      [short.path, "expired"],
    ] as const) {
      const asBob = await open(app, path, bobSession).expect(410);
      const asStranger = await open(app, path, app.newSession()).expect(410);
      expect(cardOf(asBob.text)).toContain(`data-state="${state}"`);
      expect(cardOf(asBob.text)).toBe(cardOf(asStranger.text));
      expect(asBob.text).not.toContain("Team");
    }
  });

  it("a permanent ban (an end in the year 9999, written in the database) reads as permanent, on the page and at the POST", async () => {
    const app = await appFor();
    const { ana, room, bobSession } = await bobBanned(app);
    const db = new Database(app.databasePath);
    db.prepare("UPDATE room_ban SET until = ? WHERE room = ?").run("9999-12-31T23:59:59.999Z", room);
    db.close();
    const { path, invite } = await makeInvite(ana, room);
    const card = cardOf((await open(app, path, bobSession).expect(403)).text);
    expect(card).toContain("banned this browser from the room permanently");
    expect(card).not.toContain("9999");
    expect(card).not.toContain("<time");
    const refused = await useInvite(app, bobSession, path, "Robert").expect(403);
    expect(refused.body).toEqual({ ok: false, error: { code: "banned", message: "You are banned from this room permanently." } });
    expect(await usesOf(ana, room, invite.id)).toBe(0);
    // Still banned a thousand years on, as the store says, by a link made then.
    app.clock.advance(1000 * 365 * 24 * HOUR_MS);
    await open(app, (await makeInvite(ana, room)).path, bobSession).expect(403);
  });

  it("stays within the tries: a banned browser past INVITE_TRIES_PER_MINUTE gets 429 like anyone", async () => {
    const app = await appFor({ INVITE_TRIES_PER_MINUTE: "4", TRUST_PROXY: "true" });
    const { ana, room, bobSession } = await bobBanned(app);
    const { path } = await makeInvite(ana, room);
    // From an address of its own: Bob's session used one try in the set-up (its POST), three are left.
    const asBob = () => open(app, path, bobSession).set("X-Forwarded-For", "203.0.113.9");
    for (let i = 0; i < 3; i++) await asBob().expect(403);
    expect(cardOf((await asBob().expect(429)).text)).toContain(`data-state="rate_limited"`);
  });
});
