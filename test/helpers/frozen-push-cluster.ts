// The set-up of the cluster tests that freeze a Redis Cluster master under a node that sends pushes: one node on a
// Redis Cluster of 3 masters, a stand-in push service, and every master woken again before the cluster goes.
import { afterAll, beforeAll, inject } from "vitest";
import type { ChildServer } from "./child-server.js";
import { startCluster, type Cluster } from "./cluster.js";
import { resumeMasters } from "./frozen-masters.js";
import { startPushService, type PushServiceDouble } from "./push-service.js";
import type { RedisClusterServer } from "./redis-cluster.js";

export interface FrozenPushCluster {
  cluster(): Cluster;
  service(): PushServiceDouble;
  /** The running node, its address and the Redis Cluster under it. */
  running(): { server: ChildServer; redis: RedisClusterServer; url: string };
}

/** Registers the suite's beforeAll/afterAll; call it inside the describe. */
export function frozenPushCluster(env: Record<string, string>): FrozenPushCluster {
  let cluster: Cluster | undefined;
  let service: PushServiceDouble | undefined;
  beforeAll(async () => {
    service = await startPushService();
    cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true, env: { ...env, ...service.env } });
  });
  afterAll(async () => {
    resumeMasters(cluster);
    await cluster?.remove();
    await service?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the suite's set-up did not run");
    return value;
  };
  return {
    cluster: () => started(cluster),
    service: () => started(service),
    running() {
      const c = started(cluster);
      const server = c.node(0).server();
      const redis = c.redisCluster;
      if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
      return { server, redis, url: c.node(0).url };
    },
  };
}
