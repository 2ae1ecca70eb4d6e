// The built server (dist/server.js) with REDIS_URL on a real Redis that wants a password (requirepass): a
// wrong password ends start-up with one line and exit 1; the right one starts a node that names itself
// (NODE_ID) in its log lines, /healthz and /metrics. The same with REDIS_CLUSTER_NODES on a Redis Cluster (issue 21).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { spawnChildServer, startChildServer, type ChildServerOptions } from "../helpers/child-server.js";
import { freePort } from "../helpers/free-port.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { startRedisCluster } from "../helpers/redis-cluster.js";
import { clusterDatabase } from "./pg.js";

const PASSWORD = "redis-test-password";
let redis: RedisServer;
let databaseUrl = "";
beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
  databaseUrl = await clusterDatabase();
});
afterAll(async () => {
  await redis?.remove();
});

function serverOptions(env: Record<string, string>): ChildServerOptions {
  const dir = mkdtempSync(join(tmpdir(), "mr-redisserver-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return { databasePath: join(dir, "must-not-exist.db"), cwd: dir, env };
}

describe("node dist/server.js with REDIS_URL", () => {
  it("with a wrong password: exits 1 with one line that says so and does not echo it", async () => {
    const server = await spawnChildServer(serverOptions({ DATABASE_URL: databaseUrl, REDIS_URL: `redis://:wrong-one@127.0.0.1:${redis.port}` }));
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toMatch(new RegExp(`^cannot connect to Redis \\(REDIS_URL\\): wrong Redis credentials for redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(.*\\)\\n$`));
    expect(server.stderr()).not.toContain("wrong-one");
  });

  it("with the right one: serves, and names the node in its log lines, /healthz and /metrics", async () => {
    const server = await startChildServer(serverOptions({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, NODE_ID: "node-a" }));
    onTestFinished(server.stop);
    expect(server.logs.find((l) => l.event === "listening")).toMatchObject({ node: "node-a", redis: expect.stringContaining(":***@127.0.0.1") });
    expect(server.stdout()).not.toContain(PASSWORD);
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", node: "node-a", engines: { database: "ok", redis: "ok" } });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('mr_redis_up{node="node-a"} 1');
    expect(metrics).toMatch(/^mr_pg_pool_connections\{state="total",node="node-a"\} [1-9]/m);
    expect(metrics).toMatch(/^mr_pg_pool_connections\{state="waiting",node="node-a"\} 0$/m);
  });
});

describe("node dist/server.js with REDIS_CLUSTER_NODES", () => {
  it("with no seed answering: exits 1 with one line naming the seeds", async () => {
    const port = await freePort();
    const server = await spawnChildServer(serverOptions({ DATABASE_URL: databaseUrl, REDIS_CLUSTER_NODES: `127.0.0.1:${port}` }));
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toMatch(new RegExp(`^cannot connect to Redis \\(REDIS_CLUSTER_NODES\\): cannot reach Redis at cluster 127\\.0\\.0\\.1:${port} \\(.*\\)\\n$`));
  });

  it("on a Redis Cluster of 3 masters (one seed down): serves, names the cluster in its log, and /healthz says redis ok", async () => {
    const cluster = await startRedisCluster(3);
    onTestFinished(cluster.remove);
    const deadSeed = `127.0.0.1:${await freePort()}`;
    const server = await startChildServer(serverOptions({ DATABASE_URL: databaseUrl, REDIS_CLUSTER_NODES: `${deadSeed},${cluster.seeds}`, NODE_ID: "node-c" }));
    onTestFinished(server.stop);
    expect(server.logs.find((l) => l.event === "listening")).toMatchObject({ node: "node-c", redis: `cluster ${deadSeed},${cluster.seeds}` });
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", node: "node-c", engines: { database: "ok", redis: "ok" } });
    // It registers itself in the node registry, a key of the cluster, with its first heartbeat (no event: asked until then).
    await expect.poll(() => cluster.admin().smembers("mr:p:{nodes}:all"), { timeout: 5000 }).toContain("node-c");
  });
});
