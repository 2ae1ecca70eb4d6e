// unban_user on several nodes (in-process nodes on one PostgreSQL and one Redis): a ban lifted on one node lets the
// name and its browser session join on another node at once, and list_bans there no longer shows it. No node keeps
// bans of its own; every check asks PostgreSQL with the time of asking.
import { Redis } from "ioredis";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { joinRoom } from "../helpers/app.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { MODERATOR_TOKEN } from "../helpers/private-rooms.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";
import { waitFor } from "../helpers/wait.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});

async function startNodes(): Promise<[TestNode, TestNode]> {
  const databaseUrl = await clusterDatabase();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const a = await startNode("node1", databaseUrl, redis.url, { MODERATOR_TOKEN });
  const b = await startNode("node2", databaseUrl, redis.url, { MODERATOR_TOKEN });
  onTestFinished(async () => {
    await a.close();
    await b.close();
  });
  return [a, b];
}

async function moderator(node: TestNode): Promise<string> {
  const res = await request(node.url).post("/moderate").set("Cookie", newSession()).set("Origin", node.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

describe("unban_user on several nodes", () => {
  it("a ban lifted on node 1 lets the name and its session join on node 2 at once; node 2's list_bans no longer has it", async () => {
    const [n1, n2] = await startNodes();
    const modSession = await moderator(n1);
    const mod = await n1.joined("general", "Mod", modSession);
    const modOnTwo = await n2.joined("general", "Mod2", await moderator(n2));
    const trollSession = newSession();
    const troll = await n2.joined("general", "Troll", trollSession);
    const removed = waitFor(troll, "removed");
    expect(await mod.timeout(5000).emitWithAck("ban_user", { room: "general", username: "Troll", durationMs: 3_600_000 })).toEqual({ ok: true });
    await removed;
    expect(await joinRoom(troll, "general", "Troll")).toMatchObject({ ok: false, error: { code: "banned" } });
    expect(await modOnTwo.timeout(5000).emitWithAck("list_bans", { room: "general" })).toMatchObject({ ok: true, bans: [{ username: "Troll" }] });

    expect(await mod.timeout(5000).emitWithAck("unban_user", { room: "general", username: "Troll" })).toEqual({ ok: true });

    expect((await joinRoom(troll, "general", "Troll")).ok).toBe(true);
    const sameBrowser = await n2.connect(trollSession);
    expect((await joinRoom(sameBrowser, "general", "Another")).ok).toBe(true);
    expect(await modOnTwo.timeout(5000).emitWithAck("list_bans", { room: "general" })).toEqual({ ok: true, bans: [] });
  });
});
