// Picking the Redis Cluster master a stall test freezes (SIGSTOP), running a test's step while the node has it marked
// stalled, and waking every master again after the test.
import type { ChildServer, LogRecord } from "./child-server.js";
import type { Cluster } from "./cluster.js";
import type { RedisServer } from "./redis.js";
import type { RedisClusterServer } from "./redis-cluster.js";
import { nextMasterLog } from "./stall-logs.js";

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

/**
 * Freezes `frozen` (SIGSTOP), waits until `node` logs it marked stalled, runs `body`, and always wakes the master
 * (SIGCONT), whether `body` passed or threw: what `body` returned, and `answering`, the node's next line saying the
 * master answers again. That is armed before `body` runs (the wake cannot be missed) and awaited by the caller after
 * what it checks between the wake and the answer.
 */
export async function whileMarkedStalled<T>(node: ChildServer, frozen: Pick<MasterToFreeze, "server" | "pid">, body: () => Promise<T>): Promise<{ result: T; answering: Promise<LogRecord> }> {
  const stalled = nextMasterLog(node, "redis_master_stalled", frozen.server);
  process.kill(frozen.pid, "SIGSTOP");
  try {
    await stalled;
    const answering = nextMasterLog(node, "redis_master_answering", frozen.server, 30_000);
    answering.catch(() => undefined); // awaited by the caller; a body that fails first must not leave it unhandled
    return { result: await body(), answering };
  } finally {
    process.kill(frozen.pid, "SIGCONT");
  }
}

/** In case a test failed while a master was stopped: the cluster's removal must find every master answering. */
export function resumeMasters(cluster: Cluster | undefined): void {
  for (const server of cluster?.redisCluster?.masters ?? []) {
    const pid = server.pid();
    if (pid !== null) process.kill(pid, "SIGCONT");
  }
}
