// Guessing invite links is refused (issue 17): every opening or use of an /invite/ address counts, per address
// (an IPv6 /64) and per browser session, INVITE_TRIES_PER_MINUTE each (minute-limiter.ts).
import type { RedisClient } from "../cluster/redis.js";
import { createMinuteLimiter, type MinuteLimiter } from "./minute-limiter.js";

export type InviteLimiter = MinuteLimiter;

export function createInviteLimiter(perMinute: number, redis?: RedisClient): InviteLimiter {
  return createMinuteLimiter("mr:invite", perMinute, redis);
}
