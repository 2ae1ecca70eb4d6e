// Budgets per minute for HTTP ways in that write (invite links, the push API): each key spends one point per
// request, and a request is refused while any of its keys has none left. rate-limiter-flexible's memory backend on
// one node; with several nodes its Redis backend (with the memory one as insurance while Redis is away), so the
// budget is the cluster's, not each node's. On a Redis Cluster a key whose master is marked stalled
// (cluster/master-stalls.ts) is counted by the insurance at once, as chat/shared-limits.ts does for the chat's limits.
import type { RedisClient } from "../cluster/redis.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface MinuteLimiter {
  /** Spends one point for each key: 0 when every key had one left, else the milliseconds until they will. */
  take(keys: readonly string[]): Promise<number>;
}

const MINUTE_S = 60;

/**
 * `perMinute` points per key and minute, under `keyPrefix` (the Redis keys' prefix, so budgets never mix).
 * `isKeyStalled` (a Redis Cluster: the master that owns a Redis key's slot leaves its PING unanswered) sends that
 * key's count to the memory insurance at once: asking the frozen master would only add REDIS_COMMAND_TIMEOUT_MS to
 * the request for the same memory count after it. Failing open this way (rather than refusing 503) is the rule of
 * the chat's shared limits too: a budget against abuse, not a guarantee, and the node still counts it.
 */
export function createMinuteLimiter(keyPrefix: string, perMinute: number, redis?: RedisClient, isKeyStalled: (key: string) => boolean = () => false): MinuteLimiter {
  const opts = { points: perMinute, duration: MINUTE_S, keyPrefix };
  const insurance = new RateLimiterMemory(opts);
  const limiter: RateLimiterAbstract = redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: insurance }) : insurance;
  const counterFor = (key: string): RateLimiterAbstract => (limiter !== insurance && isKeyStalled(limiter.getKey(key)) ? insurance : limiter);
  return {
    async take(keys) {
      let wait = 0;
      for (const key of keys) {
        try {
          await counterFor(key).consume(key);
        } catch (res) {
          if (!(res instanceof RateLimiterRes)) throw res;
          wait = Math.max(wait, res.msBeforeNext);
        }
      }
      return wait;
    },
  };
}

/** Two budgets over one request: one per browser session and a larger one per address (sessions are free to make). */
export function createSessionAndAddressLimiter(
  keyPrefix: string,
  perSession: number,
  perAddress: number,
  redis?: RedisClient,
  isKeyStalled?: (key: string) => boolean,
): { take(sessionKey: string, address: string): Promise<number> } {
  const sessions = createMinuteLimiter(`${keyPrefix}:s`, perSession, redis, isKeyStalled);
  const addresses = createMinuteLimiter(`${keyPrefix}:ip`, perAddress, redis, isKeyStalled);
  return {
    async take(sessionKey, address) {
      return Math.max(await addresses.take([address]), await sessions.take([sessionKey]));
    },
  };
}
