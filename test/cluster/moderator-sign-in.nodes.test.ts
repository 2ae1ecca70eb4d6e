// MODERATOR_LOGIN_PER_MINUTE on several nodes: a token try on one node counts on every node (the counts live in
// Redis, one key per address), on one Redis server and on a Redis Cluster alike. Before, each node kept its own
// counts, so N nodes behind a round-robin proxy gave every address N times the tries.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { signInKey } from "../../src/http/sign-in-limiter.js";
import { REDIS_SETUPS, startRedisSetup, type RedisSetup } from "../helpers/redis-setups.js";
import { MODERATOR_TOKEN } from "../helpers/private-rooms.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

const tryToken = (node: TestNode, token: string): request.Test =>
  request(node.url).post("/moderate").set("Cookie", newSession()).set("Origin", node.url).type("form").send({ token });

describe.each(REDIS_SETUPS)("moderator sign-in limit on several nodes (%s)", (kind) => {
  let setup: RedisSetup;
  beforeAll(async () => {
    setup = await startRedisSetup(kind);
  });
  afterAll(async () => {
    await setup?.remove();
  });

  async function startNodes(): Promise<[TestNode, TestNode]> {
    await setup.flush();
    const databaseUrl = await clusterDatabase();
    const env = { MODERATOR_TOKEN, MODERATOR_LOGIN_PER_MINUTE: "2" };
    const a = await startNode("node-a", databaseUrl, setup, env);
    const b = await startNode("node-b", databaseUrl, setup, env);
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    return [a, b];
  }

  it("tries on node A count on node B: the address is refused there, even with the right token", async () => {
    const [a, b] = await startNodes();
    await tryToken(a, "wrong-token-1").expect(401);
    await tryToken(a, "wrong-token-2").expect(401);
    const refused = await tryToken(b, MODERATOR_TOKEN).expect(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(b.logs.some((l) => l.event === "moderate_refused" && l.reason === "rate_limited")).toBe(true);
    // One key per address, expiring with its minute: Redis holds nothing for ever.
    const ttlMs = await setup.admin.pttl(signInKey("127.0.0.1"));
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(60_000);
  });
});
