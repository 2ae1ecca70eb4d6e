// list_members: who can read a private room or a direct conversation (present or away, since when, which is you), to
// its members only, refused to everyone else exactly as a join is; and members_changed, the hint that the list changed.
import { describe, expect, it, onTestFinished } from "vitest";
import { OUTSIDER_MESSAGE } from "../src/access/policy.js";
import type { Ack, ErrorBody, MemberInfo, MembersResult } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { createPrivateRoom, madeUpAddress, makeInvite, moderatorSession, MODERATOR_TOKEN, teamOnOneLink, useInvite } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

async function appFor(): Promise<TestApp> {
  // NAME_GRACE_MS=0: a closed page releases its name at once, so its member is away as soon as the tab is gone.
  const app = await startTestApp({ env: { MODERATOR_TOKEN, NAME_GRACE_MS: "0" } });
  onTestFinished(app.close);
  return app;
}

const list = (socket: ClientSocket, payload: unknown): Promise<Ack<MembersResult>> =>
  (socket.timeout(5000).emitWithAck as (event: "list_members", payload: unknown) => Promise<Ack<MembersResult>>)("list_members", payload);

async function membersOf(socket: ClientSocket, room: string): Promise<MemberInfo[]> {
  const res = await list(socket, { room });
  if (!res.ok) throw new Error(`list_members failed: ${res.error.code} ${res.error.message}`);
  return res.members;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);
const outsiderRefusal = { code: "not_found", message: OUTSIDER_MESSAGE };

/** What join_chat answers this socket for the room: the refusal list_members must give too. */
async function joinRefusal(socket: ClientSocket, room: string, username: string): Promise<ErrorBody | null> {
  return errorOf(await socket.timeout(5000).emitWithAck("join_chat", { room, username }));
}

/** Ana's private room "Team", Ana in it, and a reusable link to it made at the clock's start (T0). */
async function anaWithALink() {
  const app = await appFor();
  const ana = await app.connect({ session: app.newSession() });
  const { room } = await createPrivateRoom(ana, "Team");
  expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
  const link = await makeInvite(ana, room);
  return { app, ana, room, link };
}

const T0 = new Date("2026-01-02T03:04:05.678Z");
const at = (minutes: number): string => new Date(T0.getTime() + minutes * 60_000).toISOString();

describe("list_members: the list", () => {
  it("lists every member, present ones first, each under the name it was let in with, since its admission, and marks the reader", async () => {
    const { app, ana, room, link } = await anaWithALink();
    app.clock.advance(60_000);
    const zoeSession = app.newSession();
    await useInvite(app, zoeSession, link.path, "Zoe").expect(200);
    const zoe = await app.connect({ session: zoeSession });
    expect((await joinRoom(zoe, room, "Zoe")).ok).toBe(true);
    app.clock.advance(60_000);
    await useInvite(app, app.newSession(), link.path, "Cleo").expect(200); // let in, never came
    app.clock.advance(60_000);
    const bobSession = app.newSession();
    await useInvite(app, bobSession, link.path, "Bob").expect(200);
    const bob = await app.connect({ session: bobSession });
    expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
    await app.disconnect(bob); // away now

    expect(await membersOf(ana, room)).toEqual([
      { name: "Ana", present: true, since: at(0), you: true },
      { name: "Zoe", present: true, since: at(1), you: false },
      { name: "Bob", present: false, since: at(3), you: false },
      { name: "Cleo", present: false, since: at(2), you: false },
    ]);
    // Another member reads the same list with its own row marked; a member with no tab in the room may read it too.
    expect((await membersOf(zoe, room)).filter((m) => m.you).map((m) => m.name)).toEqual(["Zoe"]);
    const bobAgain = await app.connect({ session: bobSession });
    expect((await membersOf(bobAgain, room)).find((m) => m.you)).toEqual({ name: "Bob", present: false, since: at(3), you: true });
  });

  it("knows a member by its browser: present under another name it is present, and someone else holding its name is not it", async () => {
    const app = await appFor();
    const { ana, bob, room } = await teamOnOneLink(app);
    expect((await joinRoom(bob, room, "Robert")).ok).toBe(true); // let in as Bob, here as Robert
    const list1 = await membersOf(ana, room);
    expect(list1.find((m) => m.name === "Bob")?.present).toBe(true);
    await app.disconnect(bob);
    const cleoSession = app.newSession();
    await useInvite(app, cleoSession, (await makeInvite(ana, room)).path, "Cleo").expect(200);
    const cleo = await app.connect({ session: cleoSession });
    expect((await joinRoom(cleo, room, "Bob")).ok).toBe(true); // Cleo takes the name Bob was let in under
    const list2 = await membersOf(ana, room);
    expect(list2.find((m) => m.name === "Bob")?.present).toBe(false);
    expect(list2.find((m) => m.name === "Cleo")?.present).toBe(true);
  });

  it("shows one name let in from two browsers once: present when either is, since the first, yours when either is", async () => {
    const { app, room, link } = await anaWithALink();
    app.clock.advance(60_000);
    const phone = app.newSession();
    await useInvite(app, phone, link.path, "Bob").expect(200);
    app.clock.advance(60_000);
    const laptop = app.newSession();
    await useInvite(app, laptop, link.path, "bob").expect(200);
    const onLaptop = await app.connect({ session: laptop });
    expect((await joinRoom(onLaptop, room, "bob")).ok).toBe(true);
    expect(await membersOf(onLaptop, room)).toEqual([
      { name: "Ana", present: true, since: at(0), you: false },
      { name: "Bob", present: true, since: at(1), you: true },
    ]);
  });

  it("lists a direct conversation's two members", async () => {
    const app = await appFor();
    const ana = await app.joined("lobby", "Ana", { session: app.newSession() });
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [ana] });
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const room = opened.room.room;
    expect((await membersOf(bob, room)).map((m) => [m.name, m.you])).toEqual([
      ["Ana", false],
      ["Bob", true],
    ]);
  });
});

describe("members_changed: the lists refresh", () => {
  it("reaches the room's pages when someone is let in, leaves for good, or is removed while away, and the list follows", async () => {
    const app = await appFor();
    const { ana, mod, bob, room, link } = await teamOnOneLink(app);

    let hint = waitFor(ana, "members_changed");
    await useInvite(app, app.newSession(), link.path, "Cleo").expect(200);
    expect(await hint).toEqual({ room });
    expect((await membersOf(ana, room)).map((m) => m.name)).toContain("Cleo");

    hint = waitFor(ana, "members_changed");
    expect(await bob.timeout(5000).emitWithAck("leave_chat", { room })).toEqual({ ok: true });
    expect(await hint).toEqual({ room });
    expect((await membersOf(ana, room)).map((m) => m.name)).not.toContain("Bob");

    // Remove beside an away member on the page: kick_user by the name it was let in under.
    hint = waitFor(ana, "members_changed");
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Cleo" })).toEqual({ ok: true, absentMembers: 1 });
    expect(await hint).toEqual({ room });
    expect((await membersOf(ana, room)).map((m) => m.name)).toEqual(["Ana", "Mod"]);
  });

  it("reaches them when a present member is banned", async () => {
    const app = await appFor();
    const { ana, mod, room } = await teamOnOneLink(app);
    const hint = waitFor(ana, "members_changed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await hint).toEqual({ room });
    expect((await membersOf(ana, room)).map((m) => m.name)).toEqual(["Ana", "Mod"]);
  });
});

describe("list_members: everyone else is refused as a join is", () => {
  it("a stranger (a browser, or a client without the cookie) cannot tell a real private room from a made-up address", async () => {
    const app = await appFor();
    const { room } = await teamOnOneLink(app);
    for (const stranger of [await app.connect({ session: app.newSession() }), await app.connect()]) {
      for (const address of [room, madeUpAddress()]) {
        expect(errorOf(await list(stranger, { room: address }))).toEqual(outsiderRefusal);
        expect(await joinRefusal(stranger, address, "Eve")).toEqual(outsiderRefusal);
      }
    }
  });

  it("a kicked member, a banned one (expelled with its browser) and the holder of a dead link hear the outsider's refusal", async () => {
    const app = await appFor();
    const { ana, mod, bob, room } = await teamOnOneLink(app);
    const cleoSession = app.newSession();
    const cleoLink = await makeInvite(ana, room);
    await useInvite(app, cleoSession, cleoLink.path, "Cleo").expect(200);
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true });
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Cleo", durationMs: 60_000 })).toEqual({ ok: true });
    const cleo = await app.connect({ session: cleoSession });
    // Dan holds a link revoked before he used it.
    const danLink = await makeInvite(ana, room);
    expect(await ana.timeout(5000).emitWithAck("revoke_invite", { room, id: danLink.invite.id })).toEqual({ ok: true });
    const danSession = app.newSession();
    await useInvite(app, danSession, danLink.path, "Dan").expect(410);
    const dan = await app.connect({ session: danSession });
    for (const [who, socket] of [["Bob", bob], ["Dan", dan]] as const) {
      expect(errorOf(await list(socket, { room })), who).toEqual(outsiderRefusal);
      expect(await joinRefusal(socket, room, who), who).toEqual(outsiderRefusal);
    }
    // Cleo's ban bound her browser and ended her admission: the outsider's answer too, as her join gets.
    expect(errorOf(await list(cleo, { room }))).toEqual(await joinRefusal(cleo, room, "Cleo"));
    expect(errorOf(await list(cleo, { room }))).toEqual(outsiderRefusal);
  });

  it("a member banned by name (still admitted) hears its ban, as its join does", async () => {
    const app = await appFor();
    const { mod, bob, bobSession, room } = await teamOnOneLink(app);
    expect((await joinRoom(bob, room, "Robert")).ok).toBe(true); // "Bob" is nobody's now: the ban binds no browser
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await app.disconnect(bob);
    const back = await app.connect({ session: bobSession });
    const refusal = errorOf(await list(back, { room }));
    expect(refusal?.code).toBe("banned");
    expect(refusal).toEqual(await joinRefusal(back, room, "Robert"));
  });

  it("a member whose ban from a conversation's origin room binds its browser hears that ban, as its join does", async () => {
    const app = await appFor();
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app) });
    const ana = await app.joined("lobby", "Ana", { session: app.newSession(), heardBy: [mod] });
    const bobSession = app.newSession();
    const bob = await app.joined("lobby", "Bob", { session: bobSession, heardBy: [mod, ana] });
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const direct = opened.room.room;
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await app.disconnect(bob);
    const back = await app.connect({ session: bobSession });
    const refusal = errorOf(await list(back, { room: direct }));
    expect(refusal?.code).toBe("banned");
    expect(refusal).toEqual(await joinRefusal(back, direct, "Bob"));
  });

  it("a member of another private room is an outsider here", async () => {
    const app = await appFor();
    const { room } = await teamOnOneLink(app);
    const dan = await app.connect({ session: app.newSession() });
    const own = await createPrivateRoom(dan, "Dan's");
    expect((await joinRoom(dan, own.room, "Dan")).ok).toBe(true);
    expect((await membersOf(dan, own.room)).map((m) => m.name)).toEqual(["Dan"]);
    expect(errorOf(await list(dan, { room }))).toEqual(outsiderRefusal);
  });

  it("a public room has no members list: invalid_room, joined or not", async () => {
    const app = await appFor();
    const ana = await app.joined("lobby", "Ana", { session: app.newSession() });
    for (const room of ["lobby", "elsewhere"]) expect(errorOf(await list(ana, { room }))?.code).toBe("invalid_room");
  });

  it("refuses malformed payloads with invalid_payload or invalid_room and goes on answering", async () => {
    const app = await appFor();
    const { ana, room } = await teamOnOneLink(app);
    for (const bad of [null, "x", 5, [], {}, { room: 5 }, { room: "" }, { room: "a\u0000b" }, { room: "x".repeat(51) }, { room: [room] }, JSON.parse(`{"__proto__": {"room": "${room}"}}`) as unknown]) {
      expect(["invalid_payload", "invalid_room"], JSON.stringify(bad)).toContain(errorOf(await list(ana, bad))?.code);
    }
    expect((await membersOf(ana, room)).length).toBe(3);
  });
});
