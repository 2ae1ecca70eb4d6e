// Guessing invite links is refused (issue 17): every opening or use of an /invite/ address counts, per address
// (an IPv6 /64) and per browser session, INVITE_TRIES_PER_MINUTE each (minute-limiter.ts).
import type { RedisClient } from "../cluster/redis.js";
import { createMinuteLimiter, type MinuteLimiter } from "./minute-limiter.js";

export type InviteLimiter = MinuteLimiter;

/** `isKeyStalled`: a key whose Redis Cluster master is marked stalled is counted in memory at once (minute-limiter.ts). */
export function createInviteLimiter(perMinute: number, redis?: RedisClient, isKeyStalled?: (key: string) => boolean): InviteLimiter {
  return createMinuteLimiter("mr:invite", perMinute, redis, isKeyStalled);
}
