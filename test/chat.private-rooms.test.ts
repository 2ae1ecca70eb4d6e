// Issue 17: private rooms. Only the browser sessions admitted to one can be in it; an outsider learns nothing (every
// refusal is the same for a room that exists and one that does not); leaving or a kick ends the admission on every
// tab, and a kick or ban revokes the removed browser's own links and its creator's rights; the home page never lists
// one; a moderator can make a room private (it moves to a new address) and back.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { OUTSIDER_MESSAGE } from "../src/access/policy.js";
import { ENDED_INVITES_KEPT } from "../src/access/store.js";
import type { Ack, ErrorBody, InviteInfo, JoinResult, MyRoom, SearchHit, WireMessage } from "../src/protocol.js";
import type { RoomsResponse } from "../src/http-api.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { createPrivateRoom, madeUpAddress, makeInvite, moderatorSession, MODERATOR_TOKEN, useInvite } from "./helpers/private-rooms.js";
import { collect, waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN, ...env } });
  onTestFinished(app.close);
  return app;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

/** Ana's private room "Team" with Ana in it. */
async function teamRoom(app: TestApp) {
  const anaSession = app.newSession();
  const ana = await app.connect({ session: anaSession });
  const info = await createPrivateRoom(ana, "Team");
  const joined = await joinRoom(ana, info.room, "Ana");
  if (!joined.ok) throw new Error(joined.error.code);
  return { ana, anaSession, room: info.room, info, joined };
}

async function send(socket: ClientSocket, room: string, username: string, content: string) {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

describe("creating a private room", () => {
  it("gives it an unguessable address of its own, and its creator joins it under its title, allowed to invite", async () => {
    const app = await appFor();
    const { room, info, joined } = await teamRoom(app);
    expect(room).toMatch(/^~[A-Za-z0-9_-]{22}$/);
    expect(room).not.toContain("Team");
    expect(info).toEqual({ room, title: "Team", kind: "private", canInvite: true, canManage: true, membersCanInvite: false });
    expect(joined.ok && joined.roomInfo).toEqual(info);
    expect(joined.ok && joined.users).toEqual(["Ana"]);
  });

  it("a public room of the same name lives beside it, with its own people and history", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    await send(ana, room, "Ana", "private words");
    const cleo = await app.joined("Team", "Cleo", { session: app.newSession() });
    expect(cleo.joinResult.history).toEqual([]);
    expect(cleo.joinResult.users).toEqual(["Cleo"]);
    expect(cleo.joinResult.roomInfo).toBeUndefined();
  });

  it("is refused to a client without the session cookie (session_required), and beyond MAX_PRIVATE_ROOMS_PER_SESSION (limit_reached)", async () => {
    const app = await appFor({ MAX_PRIVATE_ROOMS_PER_SESSION: "2" });
    const cookieless = await app.connect();
    expect(errorOf(await call(cookieless, "create_room", { title: "Mine" }))?.code).toBe("session_required");
    const ana = await app.connect({ session: app.newSession() });
    await createPrivateRoom(ana, "One");
    await createPrivateRoom(ana, "Two");
    expect(errorOf(await call(ana, "create_room", { title: "Three" }))?.code).toBe("limit_reached");
  });

  it("refuses a title shaped like a private address, so a room made public never takes one", async () => {
    const app = await appFor();
    const ana = await app.connect({ session: app.newSession() });
    expect(errorOf(await call(ana, "create_room", { title: madeUpAddress() }))?.code).toBe("invalid_room");
  });
});

describe("an outsider learns nothing", () => {
  it("join_chat answers one refusal, word for word, for the room, a made-up address, a same-named browser, and a cookie-less client", async () => {
    const app = await appFor();
    const { room } = await teamRoom(app);
    const outsider = await app.connect({ session: app.newSession() });
    const real = errorOf(await outsider.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" }));
    const madeUp = errorOf(await outsider.timeout(5000).emitWithAck("join_chat", { room: madeUpAddress(), username: "Ana" }));
    expect(real).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    expect(madeUp).toEqual(real);
    const cookieless = await app.connect();
    expect(errorOf(await cookieless.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" }))).toEqual(real);
    // The original's clients (no ack): the same refusal as chat_error, and no history event.
    const legacy = await app.connect();
    const heard = collect(legacy, "message");
    const refused = waitFor(legacy, "chat_error");
    legacyEmit(legacy, "join_chat", { room, username: "Bob" });
    expect(await refused).toEqual({ ...real, event: "join_chat" });
    expect(heard).toEqual([]);
  });

  it("an outsider's name check never runs: a name taken inside is not_found outside, not name_taken", async () => {
    const app = await appFor();
    const { room } = await teamRoom(app);
    const outsider = await app.connect({ session: app.newSession() });
    expect(errorOf(await outsider.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" }))?.code).toBe("not_found");
  });

  it("every other event about the room is refused alike for the real room and a made-up one, and nothing of it reaches the outsider", async () => {
    const app = await appFor({ RATE_SEND_PER_SEC: "0", RATE_JOIN_PER_SEC: "0", RATE_HISTORY_PER_SEC: "0", RATE_TYPING_PER_SEC: "0" });
    const { ana, room } = await teamRoom(app);
    const message = await send(ana, room, "Ana", "secret plan");
    const outsider = await app.joined("lobby", "Eve", { session: app.newSession() });
    const heard: unknown[] = [];
    outsider.onAny((event: string, payload: unknown) => heard.push({ event, payload }));
    const other = madeUpAddress();
    const attempts: [string, (r: string) => object][] = [
      ["send_message", (r) => ({ room: r, username: "Eve", content: "hi" })],
      ["fetch_history", (r) => ({ room: r })],
      ["fetch_history", (r) => ({ room: r, around: message.id })],
      ["search_messages", (r) => ({ room: r, q: "secret" })],
      ["typing", (r) => ({ room: r })],
      ["edit_message", (r) => ({ room: r, id: message.id, content: "mine now" })],
      ["delete_message", (r) => ({ room: r, id: message.id })],
      ["leave_chat", (r) => ({ room: r })],
      ["kick_user", (r) => ({ room: r, username: "Ana" })],
      ["create_invite", (r) => ({ room: r })],
      ["list_invites", (r) => ({ room: r })],
      ["revoke_invite", (r) => ({ room: r, id: 1 })],
      ["update_room", (r) => ({ room: r, membersCanInvite: true })],
      ["open_direct", (r) => ({ room: r, username: "Ana" })],
    ];
    for (const [event, payload] of attempts) {
      const forReal = errorOf(await call(outsider, event as never, payload(room)));
      const forNothing = errorOf(await call(outsider, event as never, payload(other)));
      expect(forReal, event).not.toBeNull();
      expect(forReal, event).toEqual(forNothing);
    }
    // Ana goes on talking, typing, editing: the outsider hears none of it (its lobby message is the fence).
    await ana.timeout(5000).emitWithAck("typing", { room, isTyping: true });
    await ana.timeout(5000).emitWithAck("edit_message", { room, id: message.id, content: "secret plan B" });
    await send(ana, room, "Ana", "more secrets");
    const fence = waitFor(outsider, "message", (m) => m.content === "fence");
    await send(outsider, "lobby", "Eve", "fence");
    await fence;
    expect(JSON.stringify(heard)).not.toContain(room);
    expect(JSON.stringify(heard)).not.toContain("secret");
    // And the room's text is still only Ana's.
    const history = await ana.timeout(5000).emitWithAck("fetch_history", { room });
    expect(history.ok && history.messages.map((m: WireMessage) => m.content)).toEqual(["secret plan B", "more secrets"]);
  });

  it("search in a public room never returns a private room's messages", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    await send(ana, room, "Ana", "quarterly numbers");
    const eve = await app.joined("Team", "Eve", { session: app.newSession() });
    await send(eve, "Team", "Eve", "public quarterly chat");
    const hits = await eve.timeout(5000).emitWithAck("search_messages", { room: "Team", q: "quarterly" });
    expect(hits.ok && hits.hits.map((h: SearchHit) => h.message.content)).toEqual(["public quarterly chat"]);
  });

  it("the home page, /api/rooms and the active-rooms figure list and count public rooms only", async () => {
    const app = await appFor();
    const { room } = await teamRoom(app);
    await app.joined("lobby", "Eve", { session: app.newSession() });
    const api = (await request(app.url).get("/api/rooms").expect(200)).body as RoomsResponse;
    expect(api).toEqual({ rooms: [{ room: "lobby", users: 1 }], total: 1 });
    const page = (await request(app.url).get("/").expect(200)).text;
    expect(page).toContain("lobby");
    expect(page).not.toContain(room);
    expect(page).not.toContain("Team");
    const metrics = (await request(app.url).get("/metrics").expect(200)).text;
    expect(metrics).not.toContain(room);
    expect(metrics).toMatch(/^mr_active_rooms 1$/m);
  });

  it("/r/<private address> is the same page whether or not the room exists, and shows no name", async () => {
    const app = await appFor();
    const { room } = await teamRoom(app);
    const session = app.newSession();
    const real = await request(app.url).get(`/r/${room}?m=1`).set("Cookie", session).expect(200);
    const madeUp = madeUpAddress();
    const other = await request(app.url).get(`/r/${madeUp}?m=1`).set("Cookie", session).expect(200);
    expect(real.text.replaceAll(room, "ADDRESS")).toBe(other.text.replaceAll(madeUp, "ADDRESS"));
    expect(real.text).not.toContain("Team");
  });

  it("LIST_PUBLIC_ROOMS=false: no room name on the home page, and /api/rooms answers 404", async () => {
    const app = await appFor({ LIST_PUBLIC_ROOMS: "false" });
    await app.joined("lobby", "Eve", { session: app.newSession() });
    const page = (await request(app.url).get("/").expect(200)).text;
    expect(page).not.toContain("lobby");
    await request(app.url).get("/api/rooms").expect(404);
  });

  it("no log line and no metric carries a private address or an invite token", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    const { path, token } = await makeInvite(ana, room);
    const bob = app.newSession();
    await request(app.url).get(path).set("Cookie", bob).expect(200);
    await useInvite(app, bob, path, "Bob").expect(200);
    await request(app.url).get(`/r/${room}`).expect(200);
    await send(ana, room, "Ana", "hello");
    const all = JSON.stringify(app.logs);
    expect(all).toContain("invite_created"); // the lines are there, without the secrets
    expect(all).toContain(room.slice(0, 5));
    expect(all).not.toContain(room);
    expect(all).not.toContain(token);
    expect((await request(app.url).get("/metrics").expect(200)).text).not.toContain(token);
  });
});

describe("leaving and being removed", () => {
  it("leave_chat ends the admission: the other tab of the session is taken out too, and coming back needs a new invite", async () => {
    const app = await appFor();
    const { ana, anaSession, room } = await teamRoom(app);
    const tab2 = await app.connect({ session: anaSession });
    expect((await joinRoom(tab2, room, "Ana")).ok).toBe(true);
    const removed = waitFor(tab2, "removed");
    expect(await ana.timeout(5000).emitWithAck("leave_chat", { room })).toEqual({ ok: true });
    expect(await removed).toEqual({ room, reason: "left" });
    expect(errorOf(await tab2.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "still here?" }))?.code).toBe("not_in_room");
    expect(errorOf(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" }))?.code).toBe("not_found");
  });

  it("a dropped connection keeps the admission: the tab comes back to the room", async () => {
    const app = await appFor();
    const { ana, anaSession, room } = await teamRoom(app);
    await app.disconnect(ana);
    const back = await app.connect({ session: anaSession });
    expect((await back.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).ok).toBe(true);
  });

  it("a moderator's kick ends the holder's admission: every tab of that browser leaves, and rejoining is not_found", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    const modSession = await moderatorSession(app);
    const mod = await app.connect({ session: modSession });
    const bobSession = app.newSession();
    const bob = await app.connect({ session: bobSession });
    const bobTab = await app.connect({ session: bobSession });
    for (const [session, name] of [
      [modSession, "Mod"],
      [bobSession, "Bob"],
    ] as const) {
      const { path } = await makeInvite(ana, room);
      expect((await useInvite(app, session, path, name)).status).toBe(200);
    }
    expect((await joinRoom(mod, room, "Mod")).ok).toBe(true);
    expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
    expect((await joinRoom(bobTab, room, "Bobby")).ok).toBe(true); // another name, same browser
    const gone = [waitFor(bob, "removed"), waitFor(bobTab, "removed")];
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true });
    expect(await Promise.all(gone)).toEqual([
      { room, reason: "kicked" },
      { room, reason: "kicked" },
    ]);
    expect(errorOf(await bob.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" }))?.code).toBe("not_found");
  });
});

/** A browser let into `room` with one of `inviter`'s links and joined as `name`: its session and socket. */
async function letIn(app: TestApp, inviter: ClientSocket, room: string, name: string, session = app.newSession()) {
  const { path } = await makeInvite(inviter, room);
  await useInvite(app, session, path, name).expect(200);
  const socket = await app.connect({ session });
  const joined = await joinRoom(socket, room, name);
  if (!joined.ok) throw new Error(joined.error.code);
  return { session, socket, joined };
}

describe("a removed browser cannot let itself back in", () => {
  /** Ana's room where every member may invite, a moderator and Bob let in, and a link Bob made before his removal. */
  async function bobWithALink(app: TestApp) {
    const { ana, room } = await teamRoom(app);
    await ana.timeout(5000).emitWithAck("update_room", { room, membersCanInvite: true });
    const mod = await letIn(app, ana, room, "Mod", await moderatorSession(app));
    const bob = await letIn(app, ana, room, "Bob");
    const bobs = await makeInvite(bob.socket, room);
    return { ana, room, mod: mod.socket, bob, bobs };
  }

  it("a kick revokes the links the kicked browser made for the room: neither it nor anyone it gave one to gets in, but a member's new link admits it", async () => {
    const app = await appFor();
    const { ana, room, mod, bob, bobs } = await bobWithALink(app);
    const removed = waitFor(bob.socket, "removed");
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true });
    await removed;
    expect((await useInvite(app, bob.session, bobs.path, "Bob").expect(410)).body.error.code).toBe("invite_revoked");
    expect((await useInvite(app, app.newSession(), bobs.path, "Bobs friend").expect(410)).body.error.code).toBe("invite_revoked");
    expect(errorOf(await bob.socket.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" }))?.code).toBe("not_found");
    const listed = await ana.timeout(5000).emitWithAck("list_invites", { room });
    expect(listed.ok && listed.invites.map((i: InviteInfo) => i.id)).not.toContain(bobs.invite.id);
    // Let in again by someone still in the room: that works as for anyone.
    const fresh = await makeInvite(ana, room);
    await useInvite(app, bob.session, fresh.path, "Bob").expect(200);
    expect((await joinRoom(bob.socket, room, "Bob")).ok).toBe(true);
  });

  it("a ban revokes the links the banned browser made for the room as well", async () => {
    const app = await appFor();
    const { room, mod, bob, bobs } = await bobWithALink(app);
    const removed = waitFor(bob.socket, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    await removed;
    app.clock.advance(60_000); // the ban is over; the links stay revoked
    expect((await useInvite(app, bob.session, bobs.path, "Bob").expect(410)).body.error.code).toBe("invite_revoked");
    expect((await useInvite(app, app.newSession(), bobs.path, "Cleo").expect(410)).body.error.code).toBe("invite_revoked");
  });

  it("a kicked creator loses the creator's rights: let in again by a member's link, it may not manage the room nor invite", async () => {
    const app = await appFor();
    const { ana, anaSession, room } = await teamRoom(app);
    const anas = await makeInvite(ana, room);
    const mod = await letIn(app, ana, room, "Mod", await moderatorSession(app));
    const removed = waitFor(ana, "removed");
    expect(await mod.socket.timeout(5000).emitWithAck("kick_user", { room, username: "Ana" })).toEqual({ ok: true });
    await removed;
    expect((await useInvite(app, anaSession, anas.path, "Ana").expect(410)).body.error.code).toBe("invite_revoked");

    const fresh = await makeInvite(mod.socket, room);
    const back = await useInvite(app, anaSession, fresh.path, "Ana").expect(200);
    expect(back.body.room).toMatchObject({ canInvite: false, canManage: false });
    const joined = await joinRoom(ana, room, "Ana");
    expect(joined.ok && joined.roomInfo).toMatchObject({ canInvite: false, canManage: false });
    expect(errorOf(await call(ana, "create_invite", { room }))?.code).toBe("not_allowed");
    expect(errorOf(await call(ana, "list_invites", { room }))?.code).toBe("not_allowed");
    expect(errorOf(await call(ana, "update_room", { room, membersCanInvite: true }))?.code).toBe("not_allowed");
    const mine = await ana.timeout(5000).emitWithAck("my_rooms", {});
    expect(mine.ok && mine.rooms.find((r: MyRoom) => r.room === room)).toMatchObject({ canManage: false });
  });
});

describe("a moderator changes a room's kind", () => {
  it("public -> private: the room moves to a new address with its history; everyone present stays admitted; the name is free again", async () => {
    const app = await appFor();
    const modSession = await moderatorSession(app);
    const mod = await app.joined("general", "Mod", { session: modSession });
    const ana = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [mod] });
    const script = await app.joined("general", "Script", { heardBy: [mod] }); // no cookie: cannot be let in
    await send(ana, "general", "Ana", "before");
    const scriptHeard = collect(script, "room_moved");
    const scriptOut = waitFor(script, "removed");
    const moves = [waitFor(mod, "room_moved"), waitFor(ana, "room_moved")];
    const res = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!res.ok) throw new Error(res.error.code);
    const to = res.room;
    expect(to).toMatchObject({ title: "general", kind: "private", canManage: true });
    expect((await Promise.all(moves)).map((m) => m.to)).toEqual([
      { room: to.room, title: "general", kind: "private" },
      { room: to.room, title: "general", kind: "private" },
    ]);
    // The cookie-less client is out, and never told where the room went.
    expect(await scriptOut).toEqual({ room: "general", reason: "private" });
    expect(scriptHeard).toEqual([]);
    const back = await ana.timeout(5000).emitWithAck("join_chat", { room: to.room, username: "Ana" });
    expect(back.ok && back.history.map((m: WireMessage) => m.content)).toEqual(["before"]);
    expect(back.ok && back.roomInfo?.canInvite).toBe(false);
    // A newcomer to "general" finds a fresh public room; the moved room refuses it.
    const eve = await app.joined("general", "Eve", { session: app.newSession() });
    expect(eve.joinResult.history).toEqual([]);
    expect(errorOf(await eve.timeout(5000).emitWithAck("join_chat", { room: to.room, username: "Eve" }))?.code).toBe("not_found");
    expect((await app.sqlite.auditLog(5)).map((e) => e.action)).toContain("make_private");
  });

  it("private -> public: the room becomes the public room of its title; refused (room_exists) while that name has messages", async () => {
    const app = await appFor();
    const modSession = await moderatorSession(app);
    const mod = await app.connect({ session: modSession });
    const info = await createPrivateRoom(mod, "Plans");
    expect((await joinRoom(mod, info.room, "Mod")).ok).toBe(true);
    await send(mod, info.room, "Mod", "draft");
    const squatter = await app.joined("Plans", "Sam", { session: app.newSession() });
    await send(squatter, "Plans", "Sam", "mine");
    expect(errorOf(await mod.timeout(5000).emitWithAck("update_room", { room: info.room, isPrivate: false }))?.code).toBe("room_exists");

    const other = await createPrivateRoom(mod, "Open plans");
    expect((await joinRoom(mod, other.room, "Mod")).ok).toBe(true);
    await send(mod, other.room, "Mod", "now public");
    const moved = waitFor(mod, "room_moved");
    const res = await mod.timeout(5000).emitWithAck("update_room", { room: other.room, isPrivate: false });
    expect(res).toEqual({ ok: true, room: { room: "Open plans", title: "Open plans", kind: "public" } });
    expect((await moved).to.room).toBe("Open plans");
    const eve = await app.joined("Open plans", "Eve", { session: app.newSession() });
    expect(eve.joinResult.history.map((m) => m.content)).toEqual(["now public"]);
    expect(errorOf(await eve.timeout(5000).emitWithAck("join_chat", { room: other.room, username: "Eve" }))?.code).toBe("not_found");
  });

  it("only moderators change a room's kind; only managers change who may invite; a member cannot invite until allowed", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    const bobSession = app.newSession();
    const { path } = await makeInvite(ana, room);
    await useInvite(app, bobSession, path, "Bob").expect(200);
    const bob = await app.connect({ session: bobSession });
    const joined = (await joinRoom(bob, room, "Bob")) as Ack<JoinResult>;
    expect(joined.ok && joined.roomInfo).toMatchObject({ canInvite: false, canManage: false });
    expect(errorOf(await call(bob, "create_invite", { room }))?.code).toBe("not_allowed");
    expect(errorOf(await call(bob, "list_invites", { room }))?.code).toBe("not_allowed");
    expect(errorOf(await call(bob, "update_room", { room, membersCanInvite: true }))?.code).toBe("not_allowed");
    expect(errorOf(await call(ana, "update_room", { room, isPrivate: false }))?.code).toBe("not_moderator");
    const eve = await app.joined("lobby", "Eve", { session: app.newSession() });
    expect(errorOf(await call(eve, "update_room", { room: "lobby", isPrivate: true }))?.code).toBe("not_moderator");

    const told = waitFor(bob, "room_updated");
    expect(await ana.timeout(5000).emitWithAck("update_room", { room, membersCanInvite: true })).toMatchObject({ ok: true, room: { membersCanInvite: true } });
    expect(await told).toEqual({ room, membersCanInvite: true }); // Bob's Invite control follows at once
    const bobs = await makeInvite(bob, room, { maxUses: 1 });
    // Bob sees his own link only; Ana, the creator, sees both and may revoke Bob's.
    const bobList = await bob.timeout(5000).emitWithAck("list_invites", { room });
    expect(bobList.ok && bobList.invites.map((i: InviteInfo) => i.id)).toEqual([bobs.invite.id]);
    const anaList = await ana.timeout(5000).emitWithAck("list_invites", { room });
    expect(anaList.ok && anaList.invites.length).toBe(2);
    expect(await ana.timeout(5000).emitWithAck("revoke_invite", { room, id: bobs.invite.id })).toEqual({ ok: true });
  });
});

describe("my_rooms", () => {
  it("lists the private rooms this browser is admitted to, and nothing for a cookie-less client", async () => {
    const app = await appFor();
    const { ana, room } = await teamRoom(app);
    await send(ana, room, "Ana", "one");
    const mine = await ana.timeout(5000).emitWithAck("my_rooms", {});
    // The creator was admitted before it had a name here; its first join gave it one, offered to join with next time.
    expect(mine.ok && mine.rooms).toEqual([{ room, title: "Team", kind: "private", canInvite: true, canManage: true, membersCanInvite: false, name: "Ana", newestId: expect.any(Number) }]);
    const cookieless = await app.connect();
    expect(await cookieless.timeout(5000).emitWithAck("my_rooms", {})).toEqual({ ok: true, rooms: [] });
  });
});

describe("invite links over a room's life", () => {
  it("list_invites stays bounded however many short-lived links a room makes (MAX_INVITES_PER_ROOM counts only usable ones)", async () => {
    // 5 usable at a time, made again every minute for 10 minutes: 50 links, of which the room keeps the usable ones and the newest ended ones.
    const app = await startTestApp({ env: { MAX_INVITES_PER_ROOM: "5", RATE_JOIN_PER_SEC: "0" } });
    onTestFinished(app.close);
    const maker = await app.connect({ session: app.newSession() });
    const { room } = await createPrivateRoom(maker, "Mine");
    expect((await joinRoom(maker, room, "maker")).ok).toBe(true);
    for (let minute = 0; minute < 10; minute++) {
      for (let i = 0; i < 5; i++) await makeInvite(maker, room, { expiresInMs: 60_000 });
      app.clock.advance(61_000);
    }
    const listed = await call<{ invites: InviteInfo[] }>(maker, "list_invites", { room });
    if (!listed.ok) throw new Error(listed.error.code);
    expect(listed.invites.length).toBeLessThanOrEqual(5 + ENDED_INVITES_KEPT);
    expect(listed.invites.length).toBeGreaterThanOrEqual(ENDED_INVITES_KEPT); // ended links are still shown, the newest ones
  });
});
