// The access review of 2026-12-07 (third pass): each way into a private room or a direct conversation not already
// attacked elsewhere, written as the attack. Ways already covered are listed in docs/security.md with their tests.
import { describe, expect, it, onTestFinished } from "vitest";
import { OUTSIDER_MESSAGE } from "../src/access/policy.js";
import type { Ack, ErrorBody, MyRoom, SendResult } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call } from "./helpers/emit.js";
import { createPrivateRoom, madeUpAddress, makeInvite, moderatorSession, MODERATOR_TOKEN, teamOnOneLink, useInvite } from "./helpers/private-rooms.js";
import { fetchFile, png, upload } from "./helpers/sample-files.js";
import { waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, NAME_GRACE_MS: "0", ...env } });
  onTestFinished(app.close);
  return app;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

async function sendOk(socket: ClientSocket, room: string, username: string, content: string, attachments?: string[]) {
  const res: Ack<SendResult> = await socket.timeout(5000).emitWithAck("send_message", { room, username, content, ...(attachments ? { attachments } : {}) });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

/** Ana's private room "Team", a moderator and Bob let in by her links, all three joined. */
async function teamWithBob(app: TestApp) {
  const anaSession = app.newSession();
  const ana = await app.connect({ session: anaSession });
  const { room } = await createPrivateRoom(ana, "Team");
  expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
  const modSession = await moderatorSession(app);
  const bobSession = app.newSession();
  for (const [session, name] of [
    [modSession, "Mod"],
    [bobSession, "Bob"],
  ] as const) {
    await useInvite(app, session, (await makeInvite(ana, room)).path, name).expect(200);
  }
  const mod = await app.connect({ session: modSession });
  expect((await joinRoom(mod, room, "Mod")).ok).toBe(true);
  const bob = await app.connect({ session: bobSession });
  expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
  return { ana, anaSession, mod, bob, bobSession, room };
}

describe("the events the outsider test did not try", () => {
  it("react, ban_user, unban_user and list_bans answer alike for a real private room and a made-up one", async () => {
    const app = await appFor();
    const { ana, room } = await teamWithBob(app);
    const message = await sendOk(ana, room, "Ana", "secret");
    const outsider = await app.connect({ session: await moderatorSession(app) }); // a moderator, even, not let in
    const other = madeUpAddress();
    const attempts: [string, (r: string) => object][] = [
      ["react", (r) => ({ room: r, id: message.id, emoji: "👍", on: true })],
      ["ban_user", (r) => ({ room: r, username: "Ana", durationMs: 60_000 })],
      ["unban_user", (r) => ({ room: r, username: "Ana" })],
      ["list_bans", (r) => ({ room: r })],
    ];
    for (const [event, payload] of attempts) {
      const forReal = errorOf(await call(outsider, event as never, payload(room)));
      expect(forReal, event).not.toBeNull();
      expect(forReal, event).toEqual(errorOf(await call(outsider, event as never, payload(other))));
    }
    expect(errorOf(await outsider.timeout(5000).emitWithAck("join_chat", { room, username: "Eve" }))).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
  });
});

describe("a ban of a member whose page is closed", () => {
  /** Bob's page closed (his name released: NAME_GRACE_MS=0), then a moderator bans the name "Bob" from the room. */
  async function bobBannedWhileAway(app: TestApp) {
    const world = await teamWithBob(app);
    await app.disconnect(world.bob);
    expect(await world.mod.timeout(5000).emitWithAck("ban_user", { room: world.room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    return world;
  }

  it("ends its admission and keeps that browser out under any name, as a ban of a present member does", async () => {
    const app = await appFor();
    const { ana, room, bobSession } = await bobBannedWhileAway(app);
    const back = await app.connect({ session: bobSession });
    for (const username of ["Bob", "Robert"]) {
      expect(errorOf(await back.timeout(5000).emitWithAck("join_chat", { room, username })), username).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    }
    // A member's new link: the ban binds the session, whatever name it comes with, until it ends (one use: the
    // refusal spends nothing, so the same link still admits it once the ban is over).
    const link = (await makeInvite(ana, room, { maxUses: 1 })).path;
    expect((await useInvite(app, bobSession, link, "Robert").expect(403)).body.error.code).toBe("banned");
    expect(errorOf(await back.timeout(5000).emitWithAck("join_chat", { room, username: "Robert" }))).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    app.clock.advance(60_001);
    await useInvite(app, bobSession, link, "Robert").expect(200);
    expect((await joinRoom(back, room, "Robert")).ok).toBe(true);
  });

  it("leaves alone a member present under another name: the name's holder is the one meant", async () => {
    const app = await appFor();
    const { ana, mod, bob, room } = await teamWithBob(app);
    expect((await joinRoom(bob, room, "Robert")).ok).toBe(true); // let in as Bob, present as Robert now
    const cleoSession = app.newSession();
    await useInvite(app, cleoSession, (await makeInvite(ana, room)).path, "Cleo").expect(200);
    const cleo = await app.connect({ session: cleoSession });
    expect((await joinRoom(cleo, room, "Bob")).ok).toBe(true);
    const cleoOut = waitFor(cleo, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await cleoOut).toMatchObject({ room, reason: "banned" });
    expect((await sendOk(bob, room, "Robert", "still here")).content).toBe("still here");
  });

  it("my_rooms no longer offers the room (its newest id would show who still writes there)", async () => {
    const app = await appFor();
    const { ana, room, bobSession } = await bobBannedWhileAway(app);
    await sendOk(ana, room, "Ana", "after the ban");
    const back = await app.connect({ session: bobSession });
    const mine = await back.timeout(5000).emitWithAck("my_rooms", {});
    expect(mine.ok && mine.rooms.map((r: MyRoom) => r.room)).toEqual([]);
  });

  it("its files are 404 to that browser", async () => {
    const app = await appFor();
    const world = await teamWithBob(app);
    const file = await upload(app, world.anaSession, await png(), "plan.png");
    await sendOk(world.ana, world.room, "Ana", "plan", [file.id]);
    await fetchFile(app, file.url, world.bobSession).expect(200);
    await app.disconnect(world.bob);
    expect(await world.mod.timeout(5000).emitWithAck("ban_user", { room: world.room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await fetchFile(app, file.url, world.bobSession).expect(404);
  });
});

describe("a direct conversation closed by a ban", () => {
  it("its files are 404 to the banned browser while the ban lasts", async () => {
    const app = await appFor();
    const anaSession = app.newSession();
    const bobSession = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session: anaSession });
    const bob = await app.joined("lobby", "Bob", { session: bobSession, heardBy: [ana] });
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana, bob] });
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const direct = opened.room.room;
    expect((await joinRoom(ana, direct, "Ana")).ok).toBe(true);
    const file = await upload(app, anaSession, await png(), "photo.png");
    await sendOk(ana, direct, "Ana", "for you", [file.id]);
    await fetchFile(app, file.url, bobSession).expect(200);
    const out = waitFor(bob, "removed", (e) => e.room === "lobby");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await out;
    await fetchFile(app, file.url, bobSession).expect(404);
    await fetchFile(app, file.url, anaSession).expect(200);
    app.clock.advance(60_001);
    await fetchFile(app, file.url, bobSession).expect(200);
  });
});

describe("a name banned ahead", () => {
  it("is not let in by a link under that name, and so neither joins, reads its files nor sees it in my_rooms", async () => {
    const app = await appFor();
    const { ana, anaSession, mod, room } = await teamWithBob(app);
    const file = await upload(app, anaSession, await png(), "plan.png");
    await sendOk(ana, room, "Ana", "plan", [file.id]);
    // Banned ahead, by name: nobody holds it, so the ban binds no session. The link refuses that name.
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Cleo", durationMs: 60_000 })).toEqual({ ok: true });
    const cleoSession = app.newSession();
    expect((await useInvite(app, cleoSession, (await makeInvite(ana, room)).path, "Cleo").expect(403)).body.error.code).toBe("banned");
    const cleo = await app.connect({ session: cleoSession });
    for (const username of ["Cleo", "Clea"]) {
      expect(errorOf(await cleo.timeout(5000).emitWithAck("join_chat", { room, username })), username).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    }
    await fetchFile(app, file.url, cleoSession).expect(404);
    const mine = await cleo.timeout(5000).emitWithAck("my_rooms", {});
    expect(mine.ok && mine.rooms.map((r: MyRoom) => r.room)).toEqual([]);
  });
});

describe("a banned browser and a member's new link", () => {
  it("is refused by the link, may not join, and neither fetches the room's files nor sees it in my_rooms while the ban lasts", async () => {
    const app = await appFor();
    const { ana, anaSession, mod, bob, bobSession, room } = await teamWithBob(app);
    const file = await upload(app, anaSession, await png(), "plan.png");
    await sendOk(ana, room, "Ana", "plan", [file.id]);
    const removed = waitFor(bob, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await removed;
    const link = (await makeInvite(ana, room, { maxUses: 1 })).path;
    expect((await useInvite(app, bobSession, link, "Robert").expect(403)).body.error.code).toBe("banned");
    await sendOk(ana, room, "Ana", "after the ban");
    expect(errorOf(await bob.timeout(5000).emitWithAck("join_chat", { room, username: "Robert" }))).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    await fetchFile(app, file.url, bobSession).expect(404);
    const mine = await bob.timeout(5000).emitWithAck("my_rooms", {});
    expect(mine.ok && mine.rooms.map((r: MyRoom) => r.room)).toEqual([]);
    // Once the ban is over the same one-use link admits it (the refusal spent nothing), and the files open again.
    app.clock.advance(60_001);
    await useInvite(app, bobSession, link, "Robert").expect(200);
    await fetchFile(app, file.url, bobSession).expect(200);
    expect((await joinRoom(bob, room, "Robert")).ok).toBe(true);
  });
});

describe("a kicked browser and the link it came in by", () => {
  it("may not use again a link made before the kick; a member's link made after lets it back", async () => {
    const app = await appFor();
    // The link has no limit of uses and is Ana's: the kick revokes only Bob's own links.
    const { ana, mod, bob, bobSession, room, link } = await teamOnOneLink(app);
    const out = waitFor(bob, "removed");
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true });
    await out;
    expect((await useInvite(app, bobSession, link.path, "Bob").expect(410)).body.error.code).toBe("invite_revoked");
    expect(errorOf(await bob.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" }))?.code).toBe("not_found");
    // The link still works for everyone else, and a link made after the kick lets Bob back (same instant included).
    await useInvite(app, app.newSession(), link.path, "Cleo").expect(200);
    await useInvite(app, bobSession, (await makeInvite(ana, room)).path, "Bob").expect(200);
    expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
  });
});
