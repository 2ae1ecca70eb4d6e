// Guessing invite links is refused (issue 17): every opening or use of an /invite/ address counts, per address
// (an IPv6 /64) and per browser session, INVITE_TRIES_PER_MINUTE each. rate-limiter-flexible's memory backend
// on one node; with several nodes its Redis backend, so the budget is the cluster's, not each node's.
import type { RedisClient } from "../cluster/redis.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface InviteLimiter {
  /** Spends one try for each key: 0 when every key had one left, else the milliseconds until they will. */
  take(keys: readonly string[]): Promise<number>;
}

const MINUTE_S = 60;

function limiterOver(limiter: RateLimiterAbstract): InviteLimiter {
  return {
    async take(keys) {
      let wait = 0;
      for (const key of keys) {
        try {
          await limiter.consume(key);
        } catch (res) {
          if (!(res instanceof RateLimiterRes)) throw res;
          wait = Math.max(wait, res.msBeforeNext);
        }
      }
      return wait;
    },
  };
}

export function createInviteLimiter(perMinute: number, redis?: RedisClient): InviteLimiter {
  const opts = { points: perMinute, duration: MINUTE_S, keyPrefix: "mr:invite" };
  const limiter = redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
  return limiterOver(limiter);
}
