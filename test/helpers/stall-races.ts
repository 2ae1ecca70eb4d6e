// Races the Redis stall tests run: a call that must not wait for a frozen Redis against one that waits a command
// timeout there. They assert the order of the answers (events), never how long each took.
import type { Cluster } from "ioredis";
import { connectRedisCluster } from "../../src/cluster/redis.js";
import { parseRedisClusterNodes } from "../../src/redis-cluster-config.js";
import type { ClientSocket } from "./app.js";
import type { RedisClusterServer } from "./redis-cluster.js";
import { arrivalOrder } from "./stall-logs.js";

/**
 * The test's own connection to `redis`, already open to every master, with three quarters of the node's
 * REDIS_COMMAND_TIMEOUT_MS (`nodeCommandTimeoutMs`): a read on a frozen master fails a quarter of a timeout before a
 * call of the node's that waited one there (sent after the read, it starts its wait later still), and most of a timeout
 * after a call that did not wait (more room for a busy machine, where the outcome the test is about matters).
 */
export async function connectProbe(redis: RedisClusterServer, nodeCommandTimeoutMs: number): Promise<Cluster> {
  const settings = parseRedisClusterNodes(redis.seeds, []);
  if (settings === null) throw new Error("the cluster's seeds must parse");
  const probe = await connectRedisCluster(settings, { commandTimeoutMs: nodeCommandTimeoutMs * 0.75 });
  // ioredis opens a master's connection at its first command: one opened during a freeze would wait for its ready
  // check (unanswered) before the read is even sent.
  await Promise.all(probe.nodes("master").map((master) => master.ping()));
  return probe;
}

/**
 * A read of `key` on its master: on a frozen one it resolves to "timed out" (after three quarters of the node's
 * command timeout: connectProbe). Sent just before a call, a call that waited for the frozen master answers after it.
 */
export function readOnMaster(probe: Cluster, key: string): Promise<"answered" | "timed out"> {
  return probe.exists(key).then(
    () => "answered" as const,
    () => "timed out" as const,
  );
}

/** What a join raced against a slower call answered, in which order ("join" and the call's name), and the join's time. */
export interface JoinRace<T> {
  order: string[];
  /** From the start of both to the join's answer: logged by the tests, never asserted. */
  joinMs: number;
  joined: unknown;
  other: T;
}

/**
 * Starts `other` (named `name` in the order; one that waits a command timeout on the frozen Redis), then `socket`'s
 * join into `room` as `username`, without a client timeout: a join that waited for the freeze would answer after it.
 */
export async function raceJoin<T>(name: string, other: () => Promise<T>, socket: ClientSocket, room: string, username: string): Promise<JoinRace<T>> {
  const started = performance.now();
  const slow = other();
  let joinMs = Number.NaN;
  const joined = socket.emitWithAck("join_chat", { room, username }).then((res) => {
    joinMs = performance.now() - started;
    return res;
  });
  const order = await arrivalOrder({ join: joined, [name]: slow });
  return { order, joinMs, joined: await joined, other: await slow };
}
