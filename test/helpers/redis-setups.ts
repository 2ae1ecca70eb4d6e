// "One suite, two set-ups" (issue 21, §5): the Redis-backed contract suites run against one redis-server and
// against a Redis Cluster of 3 masters alike, through this one shape: what a node is given (its environment),
// an admin client for assertions, and a flush between tests.
import { Redis } from "ioredis";
import { shardSubscribers } from "../../src/cluster/room-adapter.js";
import type { RedisClient } from "../../src/cluster/redis.js";
import { startRedisCluster, type RedisClusterServer } from "./redis-cluster.js";
import { startRedis, type RedisServer } from "./redis.js";

export type RedisSetupKind = "single Redis" | "Redis Cluster";
export const REDIS_SETUPS: readonly RedisSetupKind[] = ["single Redis", "Redis Cluster"];

export interface RedisSetup {
  kind: RedisSetupKind;
  /** REDIS_URL or REDIS_CLUSTER_NODES, as a node's environment takes it. */
  env: Record<string, string>;
  /** A client on the same Redis for assertions (a Cluster client on the cluster). */
  admin: RedisClient;
  /** How many connections hold a sharded channel (asked of the master that owns it). */
  shardSubscribers(channel: string): Promise<number>;
  flush(): Promise<void>;
  /** The one server (single Redis), for tests that stop and start it. */
  server: RedisServer | null;
  cluster: RedisClusterServer | null;
  remove(): Promise<void>;
}

export async function startRedisSetup(kind: RedisSetupKind): Promise<RedisSetup> {
  if (kind === "single Redis") {
    const server = await startRedis();
    const admin = new Redis(server.url);
    admin.on("error", () => undefined); // the restart cases stop the server under it
    return {
      kind,
      env: { REDIS_URL: server.url },
      admin,
      shardSubscribers: (channel) => shardSubscribers(admin, channel),
      flush: async () => void (await admin.flushall()),
      server,
      cluster: null,
      async remove() {
        admin.disconnect();
        await server.remove();
      },
    };
  }
  const cluster = await startRedisCluster(3);
  const admin = cluster.admin();
  admin.on("error", () => undefined); // the fault cases kill a master under it
  return {
    kind,
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    admin,
    shardSubscribers: (channel) => shardSubscribers(admin, channel),
    flush: () => cluster.flushAll(),
    server: null,
    cluster,
    remove: () => cluster.remove(),
  };
}
