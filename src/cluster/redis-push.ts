// Web Push's shared state with several nodes (issue 23): the per-(session, room) throttle gate and the
// "has a page open" counts. Keys (prefix mr:push:); a session's keys share a {hash tag}, so the scripts that
// touch two of them stay in one slot should Redis ever be clustered:
//   {<session>:<room>}:gate   string, PX NOTIFY_INTERVAL_MS: a push went out for the room in this interval
//   {<session>:<room>}:held   hash   count, mentions, refs (JSON [{id, isMention}], the first and newest ids):
//                                      what waits for the interval's end (ids only: push/held.ts)
//   page:{<session>}:<node>   string the node's socket count for the session, PX PRESENCE_TTL_MS, renewed by the heartbeat
//   nodes                     zset   node incarnation -> ms its page counts are good until
import { randomUUID } from "node:crypto";
import type { RedisClient } from "./redis.js";
import type { Logger } from "../log.js";
import type { GateAnswer, OnDue, PushGate } from "../push/gate.js";
import { LocalPages, type PageTracker } from "../push/pages.js";
import { hold, MAX_HELD_REFS, type HeldBatch, type HeldRef } from "../push/held.js";

const P = "mr:push:";
const gateKeys = (sessionKey: string, room: string): [string, string] => {
  const tag = `{${sessionKey}:${room}}`;
  return [`${P}${tag}:gate`, `${P}${tag}:held`];
};

// KEYS: gate, held. ARGV: intervalMs, ref JSON, isMention (0|1), heldTtlMs, MAX_HELD_REFS.
// Open: the gate is taken and whatever was held comes back to be sent with the message. Closed: the ref is held
// (the oldest but the first goes past the bound, as hold() does), and the gate's remaining ms come back so this
// node can wake up when it ends. cjson keeps 14 significant digits: message ids are far below that.
const OFFER = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  local held = redis.call('HGETALL', KEYS[2])
  redis.call('DEL', KEYS[2])
  return {1, held}
end
redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HINCRBY', KEYS[2], 'mentions', tonumber(ARGV[3]))
local refs = cjson.decode(redis.call('HGET', KEYS[2], 'refs') or '[]')
table.insert(refs, cjson.decode(ARGV[2]))
while #refs > tonumber(ARGV[5]) do table.remove(refs, 2) end
redis.call('HSET', KEYS[2], 'refs', cjson.encode(refs))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {0, redis.call('PTTL', KEYS[1])}`;

// KEYS: gate, held. ARGV: intervalMs. The interval ended: the held batch, the gate taken again for the summary;
// {0, ms} when another push took the gate meanwhile (wake up again then); {} when nothing is held (another node sent it).
const DUE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return {} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then return {0, ttl} end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
local held = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
return {1, held}`;

/**
 * A key whose Redis Cluster master the node marked stalled (cluster/master-stalls.ts) is not read: the push is
 * decided at once as it was once the read timed out (REDIS_COMMAND_TIMEOUT_MS later): not sent, logged
 * push_dispatch_failed (a held summary: push_gate_failed). Decided in the background, but the service offers its
 * targets one after another, so each such wait also held up the pushes to sessions on the masters that answer.
 */
export class PushKeyStalledError extends Error {
  constructor(what: string) {
    super(`Redis is not answering where ${what} lives (the node marked its master stalled)`);
    this.name = "PushKeyStalledError";
  }
}

const isRef = (r: unknown): r is HeldRef => typeof r === "object" && r !== null && typeof (r as HeldRef).id === "number" && typeof (r as HeldRef).isMention === "boolean";

/** The held hash (HGETALL's flat list) as a batch; null when empty, or written by an older node (no refs: dropped, a summary is a courtesy). */
function toHeld(flat: unknown): HeldBatch | null {
  if (!Array.isArray(flat) || flat.length === 0) return null;
  const h = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) h.set(String(flat[i]), String(flat[i + 1]));
  const refs = JSON.parse(h.get("refs") ?? "[]") as unknown;
  if (!Array.isArray(refs) || refs.length === 0 || !refs.every(isRef)) return null;
  return { count: Number(h.get("count") ?? refs.length), mentions: Number(h.get("mentions") ?? 0), refs };
}

/** The gate in Redis: every node asks it, and whichever node holds something wakes up at the interval's end. */
export function createRedisGate(redis: RedisClient, intervalMs: number, onDue: OnDue, log: Logger, isKeyStalled: (key: string) => boolean = () => false): PushGate {
  const refuseIfStalled = (gate: string): void => {
    if (isKeyStalled(gate)) throw new PushKeyStalledError("the push throttle");
  };
  const wakeups = new Map<string, NodeJS.Timeout>();
  let isClosed = false;

  const wakeAt = (sessionKey: string, room: string, ms: number): void => {
    const [gate] = gateKeys(sessionKey, room);
    if (isClosed || wakeups.has(gate)) return;
    const timer = setTimeout(() => {
      wakeups.delete(gate);
      void due(sessionKey, room);
    }, Math.max(1, ms) + 5); // just after the gate's key has expired in Redis
    timer.unref();
    wakeups.set(gate, timer);
  };

  const due = async (sessionKey: string, room: string): Promise<void> => {
    try {
      refuseIfStalled(gateKeys(sessionKey, room)[0]);
      const answer = (await redis.eval(DUE, 2, ...gateKeys(sessionKey, room), intervalMs)) as [number, unknown] | [];
      if (answer.length === 0) return;
      if (answer[0] === 0) return wakeAt(sessionKey, room, Number(answer[1]));
      const held = toHeld(answer[1]);
      if (held !== null) onDue(sessionKey, room, held);
    } catch (err) {
      log.warn("push_gate_failed", { err: (err as Error).message });
    }
  };

  return {
    async offer(sessionKey, room, ref): Promise<GateAnswer> {
      if (intervalMs === 0) return { send: hold(null, ref) };
      refuseIfStalled(gateKeys(sessionKey, room)[0]);
      const refJson = JSON.stringify({ id: ref.id, isMention: ref.isMention });
      const answer = (await redis.eval(OFFER, 2, ...gateKeys(sessionKey, room), intervalMs, refJson, ref.isMention ? 1 : 0, intervalMs * 4, MAX_HELD_REFS)) as [number, unknown];
      if (answer[0] === 1) return { send: hold(toHeld(answer[1]), ref) };
      wakeAt(sessionKey, room, Number(answer[1]));
      return { held: true };
    },
    close() {
      isClosed = true;
      for (const t of wakeups.values()) clearTimeout(t);
      wakeups.clear();
    },
  };
}

export interface RedisPages extends PageTracker {
  /** Renews this node's counts (called by the node's heartbeat, cluster/node.ts); also rebuilds them after Redis lost them. */
  heartbeat(): Promise<void>;
}

/**
 * Page counts in Redis. Each node writes its own count per session under its own key, renewed every heartbeat,
 * so a SIGKILLed node's counts expire with it. A node restarted under the same NODE_ID is a new incarnation
 * with new keys: it never inherits the old counts.
 */
export function createRedisPages(
  redis: RedisClient,
  opts: { nodeId: string; ttlMs: number; now: () => number; log: Logger; isKeyStalled?: (key: string) => boolean },
): RedisPages {
  const me = `${opts.nodeId}#${randomUUID().slice(0, 8)}`;
  const isKeyStalled = opts.isKeyStalled ?? ((): boolean => false);
  /**
   * The node's heartbeat awaits these writes: one whose key's Redis Cluster master is marked stalled (master-stalls.ts)
   * is sent but not awaited, or one session's count on a frozen master would time the heartbeat out every turn
   * (redis_stalled, /healthz 503) for every room. The master runs it when it wakes; until then that count may lapse,
   * and a push for that session is decided as if its page were closed.
   */
  const awaitUnlessStalled = (key: string, write: Promise<unknown>): Promise<unknown> => {
    if (!isKeyStalled(key)) return write;
    void write.catch(() => undefined);
    return Promise.resolve();
  };
  const local = new LocalPages();
  const pageKey = (sessionKey: string, node: string): string => `${P}page:{${sessionKey}}:${node}`;
  const nodesKey = `${P}nodes`;

  const write = (sessionKey: string, count: number): void => {
    const done = count > 0 ? redis.set(pageKey(sessionKey, me), String(count), "PX", opts.ttlMs) : redis.del(pageKey(sessionKey, me));
    done.catch((err: unknown) => opts.log.warn("push_pages_failed", { err: (err as Error).message })); // the next heartbeat writes it again
  };

  return {
    opened: (key) => write(key, local.add(key, 1)),
    closed: (key) => write(key, local.add(key, -1)),
    async hasPage(sessionKey) {
      const now = opts.now();
      if (local.counts.has(sessionKey)) return true;
      if (isKeyStalled(nodesKey)) throw new PushKeyStalledError("the push page counts' node list");
      const nodes = await redis.zrangebyscore(nodesKey, now, "+inf");
      if (nodes.length === 0) return false;
      // Every node's count for the session shares its {hash tag}: one slot, one master.
      if (isKeyStalled(pageKey(sessionKey, me))) throw new PushKeyStalledError("the session's push page counts");
      const counts = await redis.mget(...nodes.map((n) => pageKey(sessionKey, n)));
      return counts.some((c) => c !== null && Number(c) > 0);
    },
    async heartbeat() {
      const now = opts.now();
      // Separate commands, not one pipeline: on a Redis Cluster each session's key is in its own slot, and a
      // pipeline must stay on one master. ioredis writes them back to back all the same.
      await Promise.all([
        awaitUnlessStalled(nodesKey, redis.zadd(nodesKey, now + opts.ttlMs, me)),
        awaitUnlessStalled(nodesKey, redis.zremrangebyscore(nodesKey, "-inf", now - 10 * opts.ttlMs)), // incarnations long dead
        ...[...local.counts].map(([sessionKey, count]) => awaitUnlessStalled(pageKey(sessionKey, me), redis.set(pageKey(sessionKey, me), String(count), "PX", opts.ttlMs))),
      ]);
    },
    close() {
      // Graceful stop: this node's pages are gone now, not at the end of the TTL.
      redis.zrem(nodesKey, me).catch(() => undefined);
    },
  };
}
