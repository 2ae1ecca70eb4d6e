// Taking a push notification back (push/take-back.ts): a message deleted or edited, or a room lost, after its
// push left must not stay quoted on the device. The real app pushes to the local push service; a take-back goes
// only to the subscriptions whose notification quotes the message, carries no text, and a flood of changes sends
// at most one per push sent. What the worker does with it is test/e2e/push-worker.test.ts.
import { describe, expect, it, vi } from "vitest";
import type { TestApp } from "./helpers/app.js";
import { pushAppKit, remove, send } from "./helpers/push-take-back.js";
import { keyOfSession, subscribe, until } from "./helpers/push.js";
import { openWindow } from "./helpers/open-window.js";
import { waitFor } from "./helpers/wait.js";
import type { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { createPrivateRoom, makeRoomPrivate, makeInvite, moderatorSession, MODERATOR_TOKEN, useInvite } from "./helpers/private-rooms.js";

const kit = pushAppKit();
const { app, subscribed, nthPayload } = kit;

/** Take-back decisions the server logged for the room: sent (push_taken_back) or not needed. */
const decisions = (a: TestApp, event: "push_taken_back" | "push_not_taken_back", room: string) => a.logs.filter((l) => l.event === event && l.room === room);

/** Ana's private room "Project X", Bob let in and subscribed to pushes, and a moderator; all three joined. */
async function projectWithBobSubscribed(a: TestApp) {
  const anaSession = a.newSession();
  const room = (await createPrivateRoom(await a.connect({ session: anaSession }), "Project X")).room;
  const ana = await a.joined(room, "ana", { session: anaSession });
  const bobSession = a.newSession();
  const sub = kit.service.subscription();
  expect((await useInvite(a, bobSession, (await makeInvite(ana, room)).path, "bob")).status).toBe(200);
  const bobTab = await a.joined(room, "bob", { session: bobSession });
  await subscribe(a, bobSession, sub).expect(201);
  const modSession = await moderatorSession(a);
  expect((await useInvite(a, modSession, (await makeInvite(ana, room)).path, "mod")).status).toBe(200);
  const mod = await a.joined(room, "mod", { session: modSession });
  return { room, ana, bobTab, sub, mod };
}

describe("taking a push notification back", () => {
  it("sends a textless take-back for a deleted message to the subscription whose notification quotes it, and to no other", async () => {
    const a = await app();
    const bob = await subscribed(a, "general", "bob");
    const carol = await subscribed(a, "general", "carol");
    const ana = await a.joined("general", "ana");
    const forBob = await send(ana, "general", "@bob the door code is 4711");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ id: forBob.id, quoted: forBob.id });
    const forCarol = await send(ana, "general", "@carol lunch?");
    expect(await nthPayload(carol.sub, 1)).toMatchObject({ id: forCarol.id, quoted: forCarol.id });

    await remove(ana, "general", forBob.id);
    const push = await kit.service.nth(bob.sub, 2);
    expect(kit.service.decrypt(push, bob.sub)).toEqual({ type: "take_back", room: "general", id: forBob.id, tag: "messenger-room:general", reason: "deleted" });
    expect(push.headers["content-encoding"]).toBe("aes128gcm");
    expect(push.body.includes(Buffer.from("4711"))).toBe(false);

    // Carol's next push is the take-back of her own message: Bob's delete sent her nothing.
    await remove(ana, "general", forCarol.id);
    expect(await nthPayload(carol.sub, 2)).toMatchObject({ type: "take_back", id: forCarol.id });
    expect(kit.service.pushesFor(carol.sub)).toHaveLength(2);
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(2);
  });

  it("sends nothing for a deleted message nobody was pushed, nor for one a newer notification replaced", async () => {
    const a = await app();
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const unpushed = await send(ana, "general", "no mention here"); // mentions level: not pushed
    const replaced = await send(ana, "general", "@bob first");
    const latest = await send(ana, "general", "@bob second");
    await nthPayload(bob.sub, 2);

    await remove(ana, "general", unpushed.id);
    await remove(ana, "general", replaced.id);
    await remove(ana, "general", latest.id);
    // Bob's third push is the take-back of the notification he still has; the two deletes before it sent nothing.
    expect(await nthPayload(bob.sub, 3)).toMatchObject({ type: "take_back", id: latest.id });
    await until(() => decisions(a, "push_not_taken_back", "general").length === 2);
    expect(decisions(a, "push_taken_back", "general")).toHaveLength(1);
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(3);
  });

  it("takes back an edited message's notification once, however many edits and deletes follow, and never pushes the new text", async () => {
    const a = await app({ NOTIFY_INTERVAL_MS: "60000", RATE_SEND_BURST: "100" }); // everything after the first push is held: a flood
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const first = await send(ana, "general", "@bob my password is hunter2");
    await nthPayload(bob.sub, 1);
    const held = [];
    for (let i = 0; i < 10; i++) held.push(await send(ana, "general", `@bob more ${i}`));

    for (let i = 0; i < 5; i++) expect(await ana.timeout(5000).emitWithAck("edit_message", { room: "general", id: first.id, content: `never mind ${i}` })).toMatchObject({ ok: true });
    for (const m of held) await remove(ana, "general", m.id);
    await remove(ana, "general", first.id);

    const takeBack = await nthPayload(bob.sub, 2);
    expect(takeBack).toEqual({ type: "take_back", room: "general", id: first.id, tag: "messenger-room:general", reason: "edited" });
    // 16 changes, 16 decisions: one take-back (the first edit), and the other 15 found nothing to take back.
    await until(() => decisions(a, "push_not_taken_back", "general").length === 15);
    expect(decisions(a, "push_taken_back", "general")).toHaveLength(1);
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(2);
  });

  it("takes back a private room's notification from a member who is kicked out of it", async () => {
    const a = await app({ MODERATOR_TOKEN });
    const { room, ana, bobTab, sub, mod } = await projectWithBobSubscribed(a);
    await a.disconnect(bobTab); // his name is still his (NAME_GRACE_MS): a kick finds him
    const secret = await send(ana, room, "@bob the launch date is friday");
    expect(await nthPayload(sub, 1)).toMatchObject({ room, quoted: secret.id });

    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "bob" })).toEqual({ ok: true });
    expect(await nthPayload(sub, 2)).toEqual({ type: "take_back", room, id: secret.id, tag: `messenger-room:${room}`, reason: "no_access" });
  });

  it("takes back a private room's notification from a member kicked while away, its name released", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const { room, ana, bobTab, sub, mod } = await projectWithBobSubscribed(a);
    await a.disconnect(bobTab); // NAME_GRACE_MS=0: nobody holds "bob"; the room knows him by the name he was let in under
    const secret = await send(ana, room, "@bob the launch date is friday");
    expect(await nthPayload(sub, 1)).toMatchObject({ room, quoted: secret.id });

    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "bob" })).toEqual({ ok: true, absentMembers: 1 });
    expect(await nthPayload(sub, 2)).toEqual({ type: "take_back", room, id: secret.id, tag: `messenger-room:${room}`, reason: "no_access" });
  });

  it("takes back a public room's notification from a session banned from it, and leaves another room's alone", async () => {
    const a = await app({ MODERATOR_TOKEN });
    const bobSession = a.newSession();
    const sub = kit.service.subscription();
    const bobTab = await a.joined("lobby", "bob", { session: bobSession });
    await subscribe(a, bobSession, sub).expect(201);
    expect((await bobTab.timeout(5000).emitWithAck("join_chat", { room: "general", username: "bob" })).ok).toBe(true);
    const mod = await a.joined("lobby", "mod", { session: await moderatorSession(a) });
    await a.disconnect(bobTab);
    const ana = await a.joined("lobby", "ana");
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: "general", username: "ana" })).ok).toBe(true);
    const inGeneral = await send(ana, "general", "@bob in general");
    await nthPayload(sub, 1);
    const inLobby = await send(ana, "lobby", "@bob in the lobby");
    await nthPayload(sub, 2);

    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await nthPayload(sub, 3)).toEqual({ type: "take_back", room: "lobby", id: inLobby.id, tag: "messenger-room:lobby", reason: "no_access" });
    // general's notification is still remembered (the ban claimed only the lobby's): its delete takes it back.
    await remove(ana, "general", inGeneral.id);
    expect(await nthPayload(sub, 4)).toMatchObject({ type: "take_back", room: "general", id: inGeneral.id, reason: "deleted" });
  });
});

describe("take-back records that follow a room made private, and survive a push not sent", () => {
  it("takes back a let-in reader's notification for a message deleted at the room's private address, naming the room it was shown under", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const dan = await subscribed(a, "general", "dan");
    const ana = await a.joined("general", "ana", { session: a.newSession() }); // a browser: let in too
    const plan = await send(ana, "general", "@dan the plan");
    expect(await nthPayload(dan.sub, 1)).toMatchObject({ room: "general", quoted: plan.id, tag: "messenger-room:general" });
    await a.joined("general", "dan", { session: dan.session }); // present: let in
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });
    const told = waitFor(ana, "room_moved");
    const to = await makeRoomPrivate(mod, "general");
    await told;
    await until(() => logged(a, "push_records_moved", "general", (l) => l.sessions === 1)); // Dan's (Ana was pushed nothing)

    expect(await ana.timeout(5000).emitWithAck("join_chat", { room: to, username: "ana" })).toMatchObject({ ok: true });
    await remove(ana, to, plan.id);
    // The notification on Dan's screen has the old name's tag and room: that is what the worker matches.
    expect(await nthPayload(dan.sub, 2)).toEqual({ type: "take_back", room: "general", id: plan.id, tag: "messenger-room:general", reason: "deleted" });
    expect(a.logs.filter((l) => l.event === "push_taken_back" && l.id === plan.id)).toMatchObject([{ reason: "deleted", sessions: 1 }]);
  });

  it("still takes back the older notification when a newer push is not sent after all (its message deleted before its record)", async () => {
    const a = await app();
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const older = await send(ana, "general", "@bob the door code is 4711");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: older.id });
    const held = holdNextPushDecision(a);
    const newer = await send(ana, "general", "@bob and the alarm code");
    await held.reached;
    await remove(ana, "general", newer.id);
    await until(() => logged(a, "push_not_taken_back", "general"));
    held.release();
    await until(() => logged(a, "push_not_needed", "general", (l) => l.reason === "nothing_left"));

    await remove(ana, "general", older.id);
    expect(await nthPayload(bob.sub, 2)).toEqual({ type: "take_back", room: "general", id: older.id, tag: "messenger-room:general", reason: "deleted" });
  });

  it("takes back the older notification of a session banned after a newer push's record, before its re-check (the ban claimed the newer record)", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });
    const older = await send(ana, "general", "@bob the door code is 4711");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: older.id });
    const store = a.repo as SqliteMessageRepository;
    const activeBan = store.activeBan.bind(store);
    const bobKey = keyOfSession(a, bob.session);
    const held = openWindow();
    let bobChecks = 0;
    // Bob's second ban check for the push is its re-check, after its record: the ban lands there.
    vi.spyOn(store, "activeBan").mockImplementation((room, name, key, now) =>
      key === bobKey && ++bobChecks === 2 ? held.through(() => activeBan(room, name, key, now)) : activeBan(room, name, key, now),
    );
    const newer = await send(ana, "general", "@bob and the alarm code");
    await held.reached;
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "general", username: "bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await nthPayload(bob.sub, 2)).toMatchObject({ type: "take_back", id: newer.id, reason: "no_access" }); // the record the ban found
    held.release();

    expect(await nthPayload(bob.sub, 3)).toEqual({ type: "take_back", room: "general", id: older.id, tag: "messenger-room:general", reason: "no_access" });
    await until(() => logged(a, "push_not_needed", "general", (l) => l.reason === "no_access"));
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(3);
  });
});

/** Holds the push service's next read of a room's push targets (the first step of deciding a stored message's pushes). */
function holdNextPushDecision(a: TestApp): ReturnType<typeof openWindow> {
  const push = (a.repo as SqliteMessageRepository).push;
  const targets = push.targets.bind(push);
  const window = openWindow();
  vi.spyOn(push, "targets").mockImplementationOnce((room) => window.through(() => targets(room)));
  return window;
}

const logged = (a: TestApp, event: string, room: string, extra: (l: Record<string, unknown>) => boolean = () => true) =>
  a.logs.some((l) => l.event === event && l.room === room && extra(l));

describe("taking back what the first version left open", () => {
  it("takes back a room's notification from a reader the room was made private without (a closed page, its name released), not from one let in", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const bob = await subscribed(a, "general", "bob"); // page closed, name released at once: not present, not let in
    const dan = await subscribed(a, "general", "dan");
    const ana = await a.joined("general", "ana");
    const plan = await send(ana, "general", "@bob @dan the plan");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ room: "general", quoted: plan.id });
    expect(await nthPayload(dan.sub, 1)).toMatchObject({ room: "general", quoted: plan.id });
    await a.joined("general", "dan", { session: dan.session }); // Dan is back: present, so let in
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });

    expect(await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true })).toMatchObject({ ok: true });
    expect(await nthPayload(bob.sub, 2)).toEqual({ type: "take_back", room: "general", id: plan.id, tag: "messenger-room:general", reason: "no_access" });
    await until(() => logged(a, "push_room_lost", "general"));
    expect(decisions(a, "push_taken_back", "general")).toMatchObject([{ sessions: 1 }]); // Bob's: Dan may read it where the room went
    expect(kit.service.pushesFor(dan.sub)).toHaveLength(1);
  });

  it("takes back a room's notification from a session whose banned name was released before the ban, and its direct conversation's from that room", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const bobSession = a.newSession();
    const sub = kit.service.subscription();
    const bobTab = await a.joined("lobby", "bob", { session: bobSession });
    await subscribe(a, bobSession, sub).expect(201);
    const carol = await subscribed(a, "lobby", "carol");
    const ana = await a.joined("lobby", "ana", { session: a.newSession() });
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const direct = opened.room.room;
    expect((await bobTab.timeout(5000).emitWithAck("join_chat", { room: direct, username: "bob" })).ok).toBe(true);
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "ana" })).ok).toBe(true);
    await a.disconnect(bobTab); // no grace: "bob" is nobody's in the lobby now
    const inLobby = await send(ana, "lobby", "@bob @carol in the lobby");
    await nthPayload(sub, 1);
    await nthPayload(carol.sub, 1);
    const inDirect = await send(ana, direct, "just us");
    expect(await nthPayload(sub, 2)).toMatchObject({ room: direct, quoted: inDirect.id });
    const mod = await a.joined("lobby", "mod", { session: await moderatorSession(a) });

    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    // Two take-backs in either order: the ban ends the conversation (moderation.ts) while the name's lobby pushes are taken back.
    const takeBacks = [await nthPayload(sub, 3), await nthPayload(sub, 4)].sort((x, y) => Number(x.id) - Number(y.id));
    expect(takeBacks).toEqual([
      { type: "take_back", room: "lobby", id: inLobby.id, tag: "messenger-room:lobby", reason: "no_access" },
      { type: "take_back", room: direct, id: inDirect.id, tag: `messenger-room:${direct}`, reason: "no_access" },
    ]);
    await until(() => logged(a, "push_room_lost", "lobby"));
    expect(decisions(a, "push_taken_back", "lobby")).toMatchObject([{ sessions: 1 }]); // Bob's: Carol is another name
    expect(kit.service.pushesFor(carol.sub)).toHaveLength(1);
  });

  it("takes back a direct conversation's notification from a session known by the banned name only there (it subscribed after leaving the room)", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const bobSession = a.newSession();
    const sub = kit.service.subscription();
    const bobTab = await a.joined("lobby", "bob", { session: bobSession });
    const ana = await a.joined("lobby", "ana", { session: a.newSession() });
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const direct = opened.room.room;
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room: direct, username: "ana" })).ok).toBe(true);
    await a.disconnect(bobTab); // no grace: "bob" is nobody's in the lobby now
    await subscribe(a, bobSession, sub).expect(201); // no tab open: the lobby's pushes never know this session
    const inDirect = await send(ana, direct, "just us");
    expect(await nthPayload(sub, 1)).toMatchObject({ room: direct, quoted: inDirect.id });
    const mod = await a.joined("lobby", "mod", { session: await moderatorSession(a) });

    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await nthPayload(sub, 2)).toEqual({ type: "take_back", room: direct, id: inDirect.id, tag: `messenger-room:${direct}`, reason: "no_access" });
  });

  it("sends nothing for a message deleted between its store and its take-back record (the delete found no record to claim)", async () => {
    const a = await app();
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const held = holdNextPushDecision(a);
    const secret = await send(ana, "general", "@bob the door code is 4711");
    await held.reached;
    await remove(ana, "general", secret.id);
    await until(() => logged(a, "push_not_taken_back", "general")); // the delete's claim came first, and found nothing
    held.release();

    await until(() => kit.service.pushesFor(bob.sub).length > 0 || logged(a, "push_not_needed", "general", (l) => l.reason === "nothing_left"));
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(0);
    const next = await send(ana, "general", "@bob still there?"); // and the record the race left takes nothing back wrongly
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: next.id, excerpt: "@bob still there?" });
  });

  it("pushes the new text of a message edited between its store and its take-back record, never the old", async () => {
    const a = await app();
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const held = holdNextPushDecision(a);
    const secret = await send(ana, "general", "@bob my password is hunter2");
    await held.reached;
    expect(await ana.timeout(5000).emitWithAck("edit_message", { room: "general", id: secret.id, content: "@bob never mind" })).toMatchObject({ ok: true });
    await until(() => logged(a, "push_not_taken_back", "general"));
    held.release();

    const push = await kit.service.nth(bob.sub, 1);
    expect(kit.service.decrypt(push, bob.sub)).toMatchObject({ quoted: secret.id, excerpt: "@bob never mind" });
    expect(push.body.includes(Buffer.from("hunter2"))).toBe(false);
    // Its record was written before the text was read: the next edit finds it and takes the push back.
    expect(await ana.timeout(5000).emitWithAck("edit_message", { room: "general", id: secret.id, content: "@bob gone" })).toMatchObject({ ok: true });
    expect(await nthPayload(bob.sub, 2)).toMatchObject({ type: "take_back", id: secret.id, reason: "edited" });
  });

  it("sends no summary to a session banned between the summary's access check and its record (the ban's take-back found the older record only)", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0", NOTIFY_INTERVAL_MS: "200" });
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });
    const first = await send(ana, "general", "@bob first");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: first.id });
    const store = a.repo as SqliteMessageRepository;
    const messagesById = store.messagesById.bind(store);
    const held = openWindow();
    // The summary's read of its held messages: after its access check, before its record.
    vi.spyOn(store, "messagesById").mockImplementationOnce((room, ids) => held.through(() => messagesById(room, ids)));
    await send(ana, "general", "@bob held for the summary");
    await held.reached;
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "general", username: "bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await nthPayload(bob.sub, 2)).toMatchObject({ type: "take_back", id: first.id, reason: "no_access" });
    held.release();

    await until(() => kit.service.pushesFor(bob.sub).length > 2 || logged(a, "push_not_needed", "general", (l) => l.reason === "no_access"));
    expect(kit.service.pushesFor(bob.sub)).toHaveLength(2);
  });
});
