// Limits that outlive a connection: a client that reconnects must not get a fresh burst each time (issue 9).
// rate-limiter-flexible's memory backend today; its Redis backend takes the same options, so several nodes
// can share these counts later (issue 10) without a second limiter.
import type { RedisClient } from "../cluster/redis.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RateLimits, TokenBucketSpec } from "../config.js";
import type { LimitKind } from "./rate-limit.js";

/** Whose budget an event spends: a browser session (`s:...`), or an address key for clients without a cookie. */
export type LimitOwner = `s:${string}` | `ip:${string}`;

export interface SharedLimits {
  /** Spends one event of `kind` for `owner`: 0 when allowed, otherwise the milliseconds until one is. */
  take(owner: LimitOwner, kind: LimitKind): Promise<number>;
  /** Whether `kind` is limited per owner at all; when not, callers skip take() and its promise. */
  isLimited(kind: LimitKind): boolean;
}

/** The events a reconnect could otherwise buy afresh; typing costs nothing to store and is left per connection. */
const SHARED_KINDS = ["send", "join", "history"] as const satisfies readonly LimitKind[];
type SharedKind = (typeof SHARED_KINDS)[number];

const isShared = (kind: LimitKind): kind is SharedKind => (SHARED_KINDS as readonly LimitKind[]).includes(kind);

/**
 * The token bucket `burst` at `perSec` as a fixed window: `burst` events per `burst / perSec` seconds, the
 * same average and the same first burst. A window's counter disappears when it ends, so an idle session
 * leaves nothing behind.
 */
function windowOptions(spec: TokenBucketSpec, factor: number, keyPrefix: string) {
  return { points: spec.burst * factor, duration: spec.burst / spec.perSec, keyPrefix };
}

/** The memory backend; `limiters` lets tests see that idle keys are dropped. */
export function createMemorySharedLimits(limits: RateLimits): SharedLimits & { limiters: readonly RateLimiterMemory[] } {
  return createSharedLimits(limits, (opts) => new RateLimiterMemory(opts));
}

/**
 * The Redis backend (several nodes): the same windows, counted once for the whole cluster. While Redis is
 * away each node falls back to its own memory counts (the insurance limiter) rather than refusing everything.
 */
export function createRedisSharedLimits(limits: RateLimits, redis: RedisClient): SharedLimits & { limiters: readonly RateLimiterRedis[] } {
  return createSharedLimits(limits, (opts) => new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }));
}

type WindowOptions = ReturnType<typeof windowOptions>;

function createSharedLimits<L extends RateLimiterAbstract>(limits: RateLimits, make: (opts: WindowOptions) => L): SharedLimits & { limiters: readonly L[] } {
  const bySession = new Map<SharedKind, L>();
  const byAddress = new Map<SharedKind, L>();
  for (const kind of SHARED_KINDS) {
    if (limits[kind].perSec === 0) continue;
    bySession.set(kind, make(windowOptions(limits[kind], 1, `mr:${kind}:session`)));
    byAddress.set(kind, make(windowOptions(limits[kind], limits.cookielessIpFactor, `mr:${kind}:ip`)));
  }
  return {
    limiters: [...bySession.values(), ...byAddress.values()],
    isLimited: (kind) => isShared(kind) && bySession.has(kind),
    async take(owner, kind) {
      if (!isShared(kind)) return 0;
      const limiter = (owner.startsWith("s:") ? bySession : byAddress).get(kind);
      if (limiter === undefined) return 0;
      try {
        await limiter.consume(owner);
        return 0;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext));
        throw refusal; // a store failure (a Redis backend), not a refusal
      }
    },
  };
}
