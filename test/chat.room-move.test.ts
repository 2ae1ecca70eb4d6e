// A room a moderator makes private or public moves to another address (found by the 2026-12-07 review): its files
// must move with its messages, since a file's room decides who may fetch it, the direct conversations opened
// from it must keep following its bans, and a send racing the move must not land under the old address.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import type { SearchHit, WireMessage } from "../src/protocol.js";
import { migrate } from "../src/storage/migrations.js";
import { joinRoom, startTestApp, tempDatabase, type TestApp } from "./helpers/app.js";
import { createPrivateRoom, makeInvite, moderatorSession, MODERATOR_TOKEN, useInvite } from "./helpers/private-rooms.js";
import { gatedRepo, type GatedRepo } from "./helpers/faulty-repo.js";
import { fetchFile, pdf, upload } from "./helpers/sample-files.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";
import { isChatWith } from "./helpers/messages.js";

const contentsOf = async (app: TestApp, room: string): Promise<string[]> => (await app.sqlite.page(room, { limit: 10 })).messages.map((m) => m.content);

async function appFor(): Promise<TestApp> {
  const app = await startTestApp({ env: { MODERATOR_TOKEN } });
  onTestFinished(app.close);
  return app;
}

describe("files of a room that changes kind", () => {
  it("public to private: members still fetch and find the file; a browser never admitted, or no cookie at all, gets 404", async () => {
    const app = await appFor();
    const modSession = await moderatorSession(app);
    const mod = await app.joined("general", "Mod", { session: modSession });
    const anaSession = app.newSession();
    const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [mod] });
    const file = await upload(app, anaSession, pdf(), "salaries.pdf");
    const sent = await ana.timeout(5000).emitWithAck("send_message", { room: "general", username: "Ana", content: "figures", attachments: [file.id] });
    if (!sent.ok) throw new Error(sent.error.code);
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    const back = await joinRoom(ana, made.room.room, "Ana", { isFollowingMove: true });
    expect(back.ok && back.history.some((m: WireMessage) => m.attachments?.[0]?.id === file.id)).toBe(true);
    await fetchFile(app, file.url, anaSession).expect(200);
    const found = await ana.timeout(5000).emitWithAck("search_messages", { room: made.room.room, q: "salaries" });
    expect(found.ok && found.hits.map((h: SearchHit) => h.message.id)).toEqual([sent.message.id]);
    const outsider = await fetchFile(app, file.url, app.newSession());
    const cookieless = await fetchFile(app, file.url);
    expect({ outsider: outsider.status, cookieless: cookieless.status }).toEqual({ outsider: 404, cookieless: 404 });
  });

  it("private to public: the file answers its members and now everyone (it answered 404 to all)", async () => {
    const app = await appFor();
    const modSession = await moderatorSession(app);
    const mod = await app.connect({ session: modSession });
    const info = await createPrivateRoom(mod, "Plans");
    expect((await joinRoom(mod, info.room, "Mod")).ok).toBe(true);
    const file = await upload(app, modSession, pdf(), "plan.pdf");
    const sent = await mod.timeout(5000).emitWithAck("send_message", { room: info.room, username: "Mod", content: "plan", attachments: [file.id] });
    if (!sent.ok) throw new Error(sent.error.code);
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: info.room, isPrivate: false });
    if (!made.ok) throw new Error(made.error.code);
    const eve = await app.joined("Plans", "Eve", { session: app.newSession() });
    expect(eve.joinResult.history.some((m) => m.attachments?.[0]?.id === file.id)).toBe(true);
    expect((await fetchFile(app, file.url, modSession)).status).toBe(200);
    expect((await fetchFile(app, file.url)).status).toBe(200);
  });
});

describe("direct conversations opened in a room that changes kind", () => {
  it("a ban in the room made private still takes the banned person out of a conversation opened there before", async () => {
    const app = await appFor();
    const ana = await app.joined("lobby", "Ana", { session: app.newSession() });
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [ana] });
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana, bob] });
    const opened = await bob.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Ana" });
    if (!opened.ok) throw new Error(opened.error.code);
    expect((await joinRoom(bob, opened.room.room, "Bob")).ok).toBe(true);
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "lobby", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    // As the page does on room_moved: everyone joins the room's new address.
    expect((await joinRoom(mod, made.room.room, "Mod", { isFollowingMove: true })).ok).toBe(true);
    expect((await joinRoom(bob, made.room.room, "Bob", { isFollowingMove: true, heardBy: [mod] })).ok).toBe(true);
    const out = waitFor(bob, "removed", (e) => e.room === opened.room.room);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: made.room.room, username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await out).toMatchObject({ room: opened.room.room, reason: "banned" });
    const again = await bob.timeout(5000).emitWithAck("join_chat", { room: opened.room.room, username: "Bob" });
    expect(again.ok ? "joined" : again.error.code).toBe("banned");
  });
});

describe("a send racing the room's move (found by the 2026-12-07 review)", () => {
  /** An app whose store holds the sends with this text at its door until released: past every check, not yet stored. */
  async function gatedApp(content: string): Promise<{ app: TestApp; gate: GatedRepo }> {
    let gate: GatedRepo | undefined;
    const app = await startTestApp({ env: { MODERATOR_TOKEN }, wrapRepo: (sqlite) => (gate = gatedRepo(sqlite, (m) => m.content === content)).repo });
    onTestFinished(app.close);
    if (gate === undefined) throw new Error("no gate");
    return { app, gate };
  }
  const contents = async (app: TestApp, room: string): Promise<string[]> => (await app.sqlite.page(room, { limit: 10 })).messages.map((m) => m.content);

  it("public to private: a send held while the room moves answers room_moved and is stored nowhere; a newcomer to the fresh public room, and the sender at the new address, send fine", async () => {
    const { app, gate } = await gatedApp("racing");
    const mod = await app.joined("general", "Mod", { session: await moderatorSession(app) });
    const ana = await app.joined("general", "Ana", { session: app.newSession(), heardBy: [mod] });
    expect((await ana.timeout(5000).emitWithAck("send_message", { room: "general", username: "Ana", content: "before" })).ok).toBe(true);
    app.clock.advance(1000); // the move comes a second after they joined
    const racing = ana.timeout(5000).emitWithAck("send_message", { room: "general", username: "Ana", content: "racing", clientId: crypto.randomUUID() });
    await gate.holding(1);
    const told = waitFor(ana, "room_moved");
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    await told;
    gate.release();
    const res = await racing;
    expect(res.ok ? "stored" : res.error).toEqual({ code: "room_moved", message: "This room was just made private: this message was not sent. Send it again in the room." });
    expect({ fresh: await contents(app, "general"), moved: await contents(app, made.room.room) }).toEqual({ fresh: [], moved: ["before"] });
    // Eve joins the fresh public room in the move's millisecond (the clock stands still): that is after it.
    const eve = await app.joined("general", "Eve", { session: app.newSession() });
    expect((await eve.timeout(5000).emitWithAck("send_message", { room: "general", username: "Eve", content: "fresh start" })).ok).toBe(true);
    expect((await joinRoom(ana, made.room.room, "Ana", { isFollowingMove: true })).ok).toBe(true); // as the page does on room_moved
    expect((await ana.timeout(5000).emitWithAck("send_message", { room: made.room.room, username: "Ana", content: "again" })).ok).toBe(true);
    expect({ fresh: await contents(app, "general"), moved: await contents(app, made.room.room) }).toEqual({ fresh: ["fresh start"], moved: ["before", "again"] });
  });

  it("private to public: a send held while the room moves answers room_moved and is stored nowhere, not under the address that is gone", async () => {
    const { app, gate } = await gatedApp("racing");
    const modSession = await moderatorSession(app);
    const mod = await app.connect({ session: modSession });
    const info = await createPrivateRoom(mod, "Plans");
    expect((await joinRoom(mod, info.room, "Mod")).ok).toBe(true);
    const anaSession = app.newSession();
    await useInvite(app, anaSession, (await makeInvite(mod, info.room)).path, "Ana").expect(200);
    const ana = await app.connect({ session: anaSession });
    expect((await joinRoom(ana, info.room, "Ana", { heardBy: [mod] })).ok).toBe(true);
    app.clock.advance(1000);
    const racing = ana.timeout(5000).emitWithAck("send_message", { room: info.room, username: "Ana", content: "racing" });
    await gate.holding(1);
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: info.room, isPrivate: false });
    if (!made.ok) throw new Error(made.error.code);
    gate.release();
    const res = await racing;
    expect(res.ok ? "stored" : res.error.code).toBe("room_moved");
    expect(res.ok ? "" : res.error.message).toMatch(/^This room was just made public:/);
    expect({ address: await contents(app, info.room), public: await contents(app, "Plans") }).toEqual({ address: [], public: [] });
  });
});

describe("a page away while its room is made private", () => {
  /**
   * Ana (in `anaSession`) and the moderator in general; Ana saw "before", then went away; the room is made private.
   * `askedBefore`: a rejoin of general before the move, so the node has already found it never moved.
   */
  async function awayDuringMove(opts: { heldFor: "grace" | "gone"; askedBefore?: boolean }) {
    const app = await startTestApp({ env: { MODERATOR_TOKEN, ...(opts.heldFor === "gone" ? { NAME_GRACE_MS: "0" } : {}) } });
    onTestFinished(app.close);
    const modSession = await moderatorSession(app);
    const mod = await app.joined("general", "Mod", { session: modSession });
    const anaSession = app.newSession();
    const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [mod] });
    const seen = await ana.timeout(5000).emitWithAck("send_message", { room: "general", username: "Ana", content: "before" });
    if (!seen.ok) throw new Error(seen.error.code);
    if (opts.askedBefore === true) {
      const early = await app.connect({ session: app.newSession() });
      expect((await early.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Early", since: seen.message.id })).ok).toBe(true);
      early.disconnect();
    }
    const left = waitFor(mod, "presence", (ev) => ev.left?.includes("Ana") === true);
    ana.disconnect();
    if (opts.heldFor === "gone") await left;
    app.clock.advance(1000);
    const made = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!made.ok) throw new Error(made.error.code);
    const eve = await app.joined("general", "Eve", { session: app.newSession() }); // the fresh public room has someone
    const fresh = await eve.timeout(5000).emitWithAck("send_message", { room: "general", username: "Eve", content: "fresh" });
    if (!fresh.ok) throw new Error(fresh.error.code);
    return { app, anaSession, modSession, seen: seen.message, fresh: fresh.message, moved: made.room.room };
  }

  it("its rejoin of the old name from a message that moved is refused room_moved, after it is told where the room went; it stores nothing in the fresh public room", async () => {
    const { app, anaSession, seen, moved } = await awayDuringMove({ heldFor: "grace" });
    const back = await app.connect({ session: anaSession });
    const told = waitFor(back, "room_moved");
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: seen.id });
    expect(rejoin.ok ? "joined" : rejoin.error.code).toBe("room_moved");
    expect(await told).toEqual({ room: "general", to: { room: moved, title: "general", kind: "private" } });
    const sent = await back.timeout(5000).emitWithAck("send_message", { room: "general", username: "Ana", content: "typed offline" });
    expect(sent.ok ? "stored" : sent.error.code).toBe("not_in_room");
    expect((await joinRoom(back, moved, "Ana", { isFollowingMove: true })).ok).toBe(true); // as the page does on room_moved
    expect({ fresh: await contentsOf(app, "general"), moved: await contentsOf(app, moved) }).toEqual({ fresh: ["fresh"], moved: ["before"] });
  });

  it("following the room from its rejoin, the page is not announced as joining it: it was carried over, not new", async () => {
    const { app, anaSession, modSession, seen, moved } = await awayDuringMove({ heldFor: "grace" });
    const mod = await app.joined(moved, "Mod", { session: modSession });
    const back = await app.connect({ session: anaSession });
    const told = waitFor(back, "room_moved");
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: seen.id });
    expect(rejoin.ok ? "joined" : rejoin.error.code).toBe("room_moved");
    await told;
    const modSees = collectUntil(mod, "message", isChatWith("marker"));
    expect((await joinRoom(back, moved, "Ana", { isFollowingMove: true, heardBy: [mod] })).ok).toBe(true);
    expect((await back.timeout(5000).emitWithAck("send_message", { room: moved, username: "Ana", content: "marker" })).ok).toBe(true);
    expect((await modSees).map((m) => m.content)).toEqual(["marker"]);
  });

  it("is refused as well when the node had found the room never moved, from a rejoin before the move", async () => {
    const { app, anaSession, seen } = await awayDuringMove({ heldFor: "grace", askedBefore: true });
    const back = await app.connect({ session: anaSession });
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: seen.id });
    expect(rejoin.ok ? "joined" : rejoin.error.code).toBe("room_moved");
  });

  it("a browser the move did not let in is refused too and told nothing of where the room went", async () => {
    const { app, anaSession, seen } = await awayDuringMove({ heldFor: "gone" });
    const back = await app.connect({ session: anaSession });
    const heard = collect(back, "room_moved");
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: seen.id });
    expect(rejoin.ok ? "joined" : rejoin.error.code).toBe("room_moved");
    expect(heard).toEqual([]);
  });

  it("a stranger's rejoin from a message posted in the private room after the move goes ahead: the refusal never tells who posts there (second read of 2026-12-07)", async () => {
    const { app, modSession, moved } = await awayDuringMove({ heldFor: "grace" });
    const mod = await app.joined(moved, "Mod", { session: modSession });
    app.clock.advance(1000);
    const secret = await mod.timeout(5000).emitWithAck("send_message", { room: moved, username: "Mod", content: "after the move" });
    if (!secret.ok) throw new Error(secret.error.code);
    const stranger = await app.connect({ session: app.newSession() });
    const probe = await stranger.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Zed", since: secret.message.id });
    expect(probe.ok ? "joined" : probe.error.code).toBe("joined");
  });

  it("a rejoin from a message of the fresh public room, and a first join, go ahead there", async () => {
    const { app, fresh } = await awayDuringMove({ heldFor: "grace" });
    const bo = await app.connect({ session: app.newSession() });
    expect((await bo.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Bo", since: fresh.id })).ok).toBe(true);
    const cy = await app.connect({ session: app.newSession() });
    expect((await cy.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Cy" })).ok).toBe(true);
  });
});

describe("a file left behind by a move before the fix", () => {
  it("migration 14 puts every attached file under its message's room, and leaves unsent uploads alone", () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const conn = new Database(db.path);
    onTestFinished(() => void conn.close());
    migrate(conn);
    conn.pragma("user_version = 13");
    conn.prepare("INSERT INTO chat_message (id, chat_room, sender, content, timestamp, files) VALUES (1, '~moved', 'Ana', 'figures', '2026-12-01 10:00:00', 1)").run();
    const file = conn.prepare(
      "INSERT INTO chat_file (id, session_key, name, type, size, sha256, created_at, message_id, room, position) VALUES (?, 'k', ?, 'application/pdf', 10, 'ab', '2026-12-01T10:00:00Z', ?, ?, ?)",
    );
    file.run("left-behind", "salaries.pdf", 1, "general", 0);
    file.run("unsent", "draft.pdf", null, null, null);
    migrate(conn);
    const rooms = conn.prepare("SELECT id, room FROM chat_file ORDER BY id").all();
    expect(rooms).toEqual([
      { id: "left-behind", room: "~moved" },
      { id: "unsent", room: null },
    ]);
  });
});
