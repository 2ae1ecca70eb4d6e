// Issue 17 on several nodes (in-process nodes on one PostgreSQL and one Redis): an admission made on one node is
// honoured on every other; a kick, a leave or a ban acts on every node at once; a direct conversation reaches the
// other person wherever its tabs are connected; a room made private moves everyone on every node.
import { Redis } from "ioredis";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import type { MemberInfo } from "../../src/protocol.js";
import { joinRoom, type ClientSocket } from "../helpers/app.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { createPrivateRoom, makeInvite, MODERATOR_TOKEN } from "../helpers/private-rooms.js";
import { collect, collectUntil, waitFor } from "../helpers/wait.js";
import { isChatWith } from "../helpers/messages.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});

async function startNodes(count: number, env: Record<string, string> = {}): Promise<TestNode[]> {
  const databaseUrl = await clusterDatabase();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const nodes: TestNode[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, databaseUrl, redis.url, { MODERATOR_TOKEN, RATE_JOIN_BURST: "1000", RATE_SEND_BURST: "1000", ...env }));
  onTestFinished(async () => {
    for (const n of nodes) await n.close();
  });
  return nodes;
}

/** A moderator's browser session, signed in on `node` (every node shares the moderator table). */
async function moderator(node: TestNode): Promise<string> {
  const res = await request(node.url).post("/moderate").set("Cookie", newSession()).set("Origin", node.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

const useInviteOn = (node: TestNode, session: string, path: string, username: string) =>
  request(node.url).post(path).set("Cookie", session).set("Origin", node.url).send({ username });

describe("private rooms on several nodes", () => {
  it("an invite used on one node admits on every node; the outsider is refused on every node alike", async () => {
    const [n1, n2, n3] = (await startNodes(3)) as [TestNode, TestNode, TestNode];
    const ana = await n1.connect(newSession());
    const { room } = await createPrivateRoom(ana, "Team");
    expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
    const { path } = await makeInvite(ana, room);
    const bobSession = newSession();
    await useInviteOn(n2, bobSession, path, "Bob").expect(200);
    const bob = await n3.connect(bobSession);
    expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
    const heard = waitFor(bob, "message", (m) => m.content === "across nodes");
    await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "across nodes" });
    expect((await heard).room).toBe(room);
    for (const node of [n1, n2, n3]) {
      const eve = await node.connect(newSession());
      expect(await eve.timeout(5000).emitWithAck("join_chat", { room, username: "Eve" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    }
  });

  it("list_members knows who is present on any node; members_changed reaches every node's members when someone is let in or removed", async () => {
    const [n1, n2, n3] = (await startNodes(3, { NAME_GRACE_MS: "0" })) as [TestNode, TestNode, TestNode];
    const modSession = await moderator(n1);
    const mod = await n1.connect(modSession);
    const { room } = await createPrivateRoom(mod, "Members");
    expect((await joinRoom(mod, room, "Mod")).ok).toBe(true);
    const link = await makeInvite(mod, room);
    const anaSession = newSession();
    await useInviteOn(n1, anaSession, link.path, "Ana").expect(200);
    const ana = await n3.connect(anaSession);
    expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
    // Bob is let in through node 2: the moderator on node 1 and Ana on node 3 both hear it.
    const letIn = [waitFor(mod, "members_changed"), waitFor(ana, "members_changed")];
    await useInviteOn(n2, newSession(), link.path, "Bob").expect(200);
    expect(await Promise.all(letIn)).toEqual([{ room }, { room }]);
    const listed = await mod.timeout(5000).emitWithAck("list_members", { room });
    expect(listed.ok && listed.members.map((m: MemberInfo) => [m.name, m.present])).toEqual([
      ["Ana", true], // present on node 3
      ["Mod", true],
      ["Bob", false],
    ]);
    // Removed while away, from node 1: Ana hears it on node 3, and her list no longer has Bob.
    const removed = waitFor(ana, "members_changed");
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true, absentMembers: 1 });
    expect(await removed).toEqual({ room });
    const after = await ana.timeout(5000).emitWithAck("list_members", { room });
    expect(after.ok && after.members.map((m: MemberInfo) => m.name)).toEqual(["Ana", "Mod"]);
  });

  it("a kick on one node takes the member's tabs out on every node at once, and its admission is gone everywhere", async () => {
    const [n1, n2, n3] = (await startNodes(3)) as [TestNode, TestNode, TestNode];
    const modSession = await moderator(n1);
    const mod = await n1.connect(modSession);
    const { room } = await createPrivateRoom(mod, "Ops");
    expect((await joinRoom(mod, room, "Mod")).ok).toBe(true);
    const bobSession = newSession();
    await useInviteOn(n1, bobSession, (await makeInvite(mod, room)).path, "Bob").expect(200);
    const bobOn2 = await n2.connect(bobSession);
    const bobOn3 = await n3.connect(bobSession);
    expect((await joinRoom(bobOn2, room, "Bob")).ok).toBe(true);
    expect((await joinRoom(bobOn3, room, "Bob")).ok).toBe(true);
    const out = [waitFor(bobOn2, "removed"), waitFor(bobOn3, "removed")];
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true });
    expect(await Promise.all(out)).toEqual([
      { room, reason: "kicked" },
      { room, reason: "kicked" },
    ]);
    const denied = await bobOn3.timeout(5000).emitWithAck("send_message", { room, username: "Bob", content: "still?" });
    expect(denied).toMatchObject({ ok: false, error: { code: "not_in_room" } });
    expect(await bobOn2.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("leaving on one node ends the admission and takes the browser's tab on another node out too", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const anaSession = newSession();
    const ana = await n1.connect(anaSession);
    const { room } = await createPrivateRoom(ana, "Solo");
    expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
    const tab = await n2.connect(anaSession);
    expect((await joinRoom(tab, room, "Ana")).ok).toBe(true);
    const out = waitFor(tab, "removed");
    expect(await ana.timeout(5000).emitWithAck("leave_chat", { room })).toEqual({ ok: true });
    expect(await out).toEqual({ room, reason: "left" });
  });

  it("a direct conversation opened on one node reaches the other person's tab on another node, and its messages too", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const ana = await n1.joined("lobby", "Ana", newSession());
    const bob = await n2.joined("lobby", "Bob", newSession());
    const told = waitFor(bob, "room_added");
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    expect(await told).toEqual({ room: { room: opened.room.room, title: "Ana", kind: "direct" }, name: "Bob" });
    expect((await joinRoom(ana, opened.room.room, "Ana")).ok).toBe(true);
    const withMessage = waitFor(bob, "room_added", (e) => e.message?.content === "hello Bob");
    await ana.timeout(5000).emitWithAck("send_message", { room: opened.room.room, username: "Ana", content: "hello Bob" });
    expect((await withMessage).room.room).toBe(opened.room.room);
  });

  it("a node that dies takes its people out of a direct conversation without a \"has left\" there; the public room still hears it", async () => {
    const [n1, n2] = (await startNodes(2, { PRESENCE_TTL_MS: "1500" })) as [TestNode, TestNode];
    const ana = await n1.joined("lobby", "Ana", newSession());
    const bob = await n2.joined("lobby", "Bob", newSession());
    const opened = await ana.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Bob" });
    if (!opened.ok) throw new Error(opened.error.code);
    const dm = opened.room.room;
    expect((await joinRoom(ana, dm, "Ana")).ok).toBe(true);
    expect((await joinRoom(bob, dm, "Bob", { heardBy: [ana] })).ok).toBe(true);
    const anaHeard = collect(ana, "message");
    const goneFromDm = waitFor(ana, "presence", (p) => p.room === dm && p.left !== undefined, 10_000);
    const goneFromLobby = waitFor(ana, "presence", (p) => p.room === "lobby" && p.left !== undefined, 10_000);

    // What a SIGKILL leaves: no more heartbeats, no clean-up, the connection to Redis gone.
    n2.app.cluster?.halt();
    n2.redis.disconnect();
    n2.adapterRedis.disconnect();
    expect(await goneFromDm).toEqual({ room: dm, left: ["Bob"] });
    await goneFromLobby;
    const marker = waitFor(ana, "message", isChatWith("marker")); // the sender's copy comes before its ack
    await ana.timeout(5000).emitWithAck("send_message", { room: dm, username: "Ana", content: "marker" });
    await marker;
    expect(anaHeard.filter((m) => m.room === dm).map((m) => m.content)).toEqual(["marker"]);
    expect(anaHeard.filter((m) => m.room === "lobby").map((m) => m.content)).toEqual(["Bob has left the chat."]);
  });

  it("a ban on one node of a name nobody holds now takes its direct conversation tab on another node out", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const ana = await n1.joined("lobby", "Ana", newSession());
    const bobSession = newSession();
    const bob = await n2.joined("lobby", "Bob", bobSession);
    const opened = await bob.timeout(5000).emitWithAck("open_direct", { room: "lobby", username: "Ana" });
    if (!opened.ok) throw new Error(opened.error.code);
    const dm = opened.room.room;
    const bobDmTab = await n2.connect(bobSession);
    expect((await joinRoom(bobDmTab, dm, "Bob")).ok).toBe(true);
    const released = waitFor(ana, "presence", (p) => p.left !== undefined);
    expect(await bob.timeout(5000).emitWithAck("leave_chat", { room: "lobby" })).toEqual({ ok: true });
    await released;
    const mod = await n1.joined("lobby", "Mod", await moderator(n1));
    const out = waitFor(bobDmTab, "removed", (e) => e.room === dm);
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "lobby", username: "Bob", durationMs: 60_000 })).toEqual({ ok: true });
    expect(await out).toMatchObject({ room: dm, reason: "banned" });
    expect(await bobDmTab.timeout(5000).emitWithAck("join_chat", { room: dm, username: "Bob" })).toMatchObject({ ok: false, error: { code: "banned" } });
  });

  it("a room made private on one node moves its people on every node to the new address, and nobody is announced as joining it", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const mod = await n1.joined("general", "Mod", await moderator(n1));
    const ana = await n2.joined("general", "Ana", newSession());
    const moved = waitFor(ana, "room_moved");
    const res = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!res.ok) throw new Error(res.error.code);
    expect((await moved).to.room).toBe(res.room.room);
    expect((await joinRoom(mod, res.room.room, "Mod", { isFollowingMove: true })).ok).toBe(true);
    const modSees = collectUntil(mod, "message", isChatWith("marker"));
    // Ana's node heard the move from the other node: her page follows the room, it does not arrive.
    expect((await joinRoom(ana, res.room.room, "Ana", { isFollowingMove: true, heardBy: [mod] })).ok).toBe(true);
    expect((await ana.timeout(5000).emitWithAck("send_message", { room: res.room.room, username: "Ana", content: "marker" })).ok).toBe(true);
    expect((await modSees).map((m) => m.content)).toEqual(["marker"]);
  });

  it("a page that saw no message, away while the room was made private, follows it from another node with its join's rejoinToken", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const mod = await n1.joined("general", "Mod", await moderator(n1));
    const anaSession = newSession();
    const ana = await n2.joined("general", "Ana", anaSession);
    const rejoinToken = ana.joinResult.rejoinToken;
    ana.disconnect(); // its name held for the name grace: still present when the room moves
    const res = await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true });
    if (!res.ok) throw new Error(res.error.code);
    const back = await n1.connect(anaSession); // signed by node2, presented to node1
    const told = waitFor(back, "room_moved");
    const rejoin = await back.timeout(5000).emitWithAck("join_chat", { room: "general", username: "Ana", since: 0, ...(rejoinToken === undefined ? {} : { rejoinToken }) });
    expect(rejoin.ok ? "joined" : rejoin.error.code).toBe("room_moved");
    expect((await told).to.room).toBe(res.room.room);
  });

  it("a name held on one node when the room is made private on another ends silently: the strangers at the old address never see it", async () => {
    const [n1, n2] = (await startNodes(2, { NAME_GRACE_MS: "1000" })) as [TestNode, TestNode];
    const mod = await n1.joined("general", "Mod", await moderator(n1));
    const ana = await n2.joined("general", "Ana", newSession());
    await closeTab(n2, ana); // held in Redis, its grace timer on node2
    // A witness whose grace starts after the move, on the same node: its "has left" marks that Ana's grace is over too.
    const cy = await n2.joined("lobby", "Cy", newSession());
    const watcher = await n1.joined("lobby", "Wes");
    expect((await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true })).ok).toBe(true);
    const stranger = await n1.joined("general", "Zed", newSession());
    expect(stranger.joinResult.users).toEqual(["Zed"]);
    const messages = collect(stranger, "message");
    const presence = collect(stranger, "presence");

    const cyGone = waitFor(watcher, "message", (m) => m.content === "Cy has left the chat.");
    await closeTab(n2, cy);
    await cyGone;
    const marker = waitFor(stranger, "message", isChatWith("marker"));
    expect((await stranger.timeout(5000).emitWithAck("send_message", { room: "general", username: "Zed", content: "marker" })).ok).toBe(true);
    await marker;
    expect(messages.map((m) => m.content)).toEqual(["marker"]);
    expect(presence).toEqual([]);
    expect((await n2.joined("general", "Ana", newSession())).joinResult.users).toEqual(["Ana", "Zed"]);
  });

  it("a name held on another node just after the moving node ended the holds ends when that node hears the move", async () => {
    const [n1, n2] = (await startNodes(2, { NAME_GRACE_MS: "600000" })) as [TestNode, TestNode];
    const mod = await n1.joined("general", "Mod", await moderator(n1));
    const ana = await n2.joined("general", "Ana", newSession());
    await closeTab(n2, ana);
    // The race, made certain: the moving node reads the room's holds before Ana's lands in Redis (it reads none).
    vi.spyOn(n1.app.presence, "holds").mockResolvedValueOnce([]);
    const endedOnNode2 = releasedOn(n2, "general");
    expect((await mod.timeout(5000).emitWithAck("update_room", { room: "general", isPrivate: true })).ok).toBe(true);
    await endedOnNode2;
    const stranger = await n1.joined("general", "Zed", newSession());
    expect(stranger.joinResult.users).toEqual(["Zed"]);
  });
});

/** Resolves once `node` has released a held name in `room` (its presence store answered); fails after 5 s without one. */
function releasedOn(node: TestNode, room: string): Promise<void> {
  const presence = node.app.presence;
  const release = presence.release.bind(presence);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${node.id} released no held name in ${room}`)), 5000);
    vi.spyOn(presence, "release").mockImplementation(async (r, name, hold) => {
      const departed = await release(r, name, hold);
      if (r === room) {
        clearTimeout(timer);
        resolve();
      }
      return departed;
    });
  });
}

/** Closes a tab and resolves once its node has handled the disconnect (its names held for the grace). */
async function closeTab(node: TestNode, socket: ClientSocket): Promise<void> {
  const serverSide = node.app.io.of("/").sockets.get(socket.id ?? "");
  if (serverSide === undefined) throw new Error("no such socket on the node");
  const done = new Promise<void>((resolve) => serverSide.once("disconnect", () => resolve()));
  socket.disconnect();
  await done;
}
