// Redis stops answering but keeps its connections open (a frozen or swamped server: SIGSTOP here). The links stay
// "ready", so only an unanswered heartbeat shows it: /healthz must say so (503, redis unavailable) within a
// couple of heartbeats, not answer "ok" for as long as the freeze lasts, and say ok again once Redis answers.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { health, startCluster, type Cluster } from "../helpers/cluster.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl") });
});
afterAll(async () => {
  const pid = cluster?.redis?.pid();
  if (pid !== null && pid !== undefined) process.kill(pid, "SIGCONT"); // in case the test failed while it was stopped
  await cluster?.remove();
});

describe("cluster: Redis stops answering without closing its connections", () => {
  it("turns /healthz to 503 (redis unavailable) while the heartbeat goes unanswered, and back to ok once Redis answers", async () => {
    const node = cluster.node(0);
    const server = node.server();
    const pid = cluster.redis?.pid();
    if (server === null || pid === null || pid === undefined) throw new Error("the node and redis-server must be running");
    expect((await health(node.url)).status).toBe(200);

    process.kill(pid, "SIGSTOP");
    try {
      // PRESENCE_TTL_MS 1500: a heartbeat every 500 ms; one still unanswered when the next is due marks Redis stalled.
      expect(await server.waitForLog((l) => l.event === "redis_stalled", 10_000)).toMatchObject({ level: "warn" });
      const frozen = await health(node.url);
      expect(frozen).toMatchObject({ status: 503, body: { status: "unavailable", engines: { database: "ok", redis: "unavailable" } } });
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await server.waitForLog((l) => l.event === "redis_answering", 10_000);
    expect(await health(node.url)).toMatchObject({ status: 200, body: { status: "ok", engines: { redis: "ok" } } });
  });
});
