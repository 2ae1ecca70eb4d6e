// Picking the Redis Cluster master a stall test freezes (SIGSTOP), and waking every master again after the test.
import type { Cluster } from "./cluster.js";
import type { RedisServer } from "./redis.js";
import type { RedisClusterServer } from "./redis-cluster.js";

/** The node registry's key (redis-presence-keys.ts): its master frozen stalls the heartbeat itself (redis.stall.test.ts). */
export const REGISTRY_KEY = "mr:p:{nodes}:all";

export interface MasterToFreeze {
  index: number;
  server: RedisServer;
  pid: number;
}

/** The running master at `index` of `redis.masters`. */
export function runningMaster(redis: RedisClusterServer, index: number): MasterToFreeze {
  const server = redis.masters[index];
  const pid = server?.pid() ?? null;
  if (server === undefined || pid === null) throw new Error(`master ${index} must be running`);
  return { index, server, pid };
}

/**
 * A master other than the registry's and than the masters of `avoid`: keys outside the room under test that the
 * call would otherwise wait for on the frozen master.
 */
export function masterApartFrom(redis: RedisClusterServer, avoid: readonly string[] = []): MasterToFreeze {
  const taken = new Set([REGISTRY_KEY, ...avoid].map((key) => redis.masterOf(key)));
  const index = redis.masters.findIndex((_m, i) => !taken.has(i));
  if (index < 0) throw new Error("every master owns the registry or one of the keys to avoid");
  return runningMaster(redis, index);
}

/** In case a test failed while a master was stopped: the cluster's removal must find every master answering. */
export function resumeMasters(cluster: Cluster | undefined): void {
  for (const server of cluster?.redisCluster?.masters ?? []) {
    const pid = server.pid();
    if (pid !== null) process.kill(pid, "SIGCONT");
  }
}
