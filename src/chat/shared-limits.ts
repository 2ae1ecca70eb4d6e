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
  return createSharedLimits(limits, (opts) => ({ limiter: new RateLimiterMemory(opts) }));
}

/**
 * The Redis backend (several nodes): the same windows, counted once for the whole cluster. While Redis is
 * away each node falls back to its own memory counts (the insurance limiter) rather than refusing everything.
 * `isKeyStalled` (a Redis Cluster: the master that owns the key's slot leaves its PING unanswered, master-stalls.ts)
 * takes that fallback at once: asking the frozen master would only add REDIS_COMMAND_TIMEOUT_MS to the event (a join
 * into a room on a healthy master among them) for the same memory count after.
 */
export function createRedisSharedLimits(
  limits: RateLimits,
  redis: RedisClient,
  isKeyStalled: (key: string) => boolean = () => false,
): SharedLimits & { limiters: readonly RateLimiterRedis[] } {
  return createSharedLimits(
    limits,
    (opts) => {
      const insurance = new RateLimiterMemory(opts);
      return { limiter: new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: insurance }), insurance };
    },
    isKeyStalled,
  );
}

type WindowOptions = ReturnType<typeof windowOptions>;

/** A window's limiter and, for a store backend, the memory limiter that counts while the store cannot answer. */
interface Window<L> {
  limiter: L;
  insurance?: RateLimiterMemory;
}

function createSharedLimits<L extends RateLimiterAbstract>(
  limits: RateLimits,
  make: (opts: WindowOptions) => Window<L>,
  isKeyStalled: (key: string) => boolean = () => false,
): SharedLimits & { limiters: readonly L[] } {
  const bySession = new Map<SharedKind, Window<L>>();
  const byAddress = new Map<SharedKind, Window<L>>();
  for (const kind of SHARED_KINDS) {
    if (limits[kind].perSec === 0) continue;
    bySession.set(kind, make(windowOptions(limits[kind], 1, `mr:${kind}:session`)));
    byAddress.set(kind, make(windowOptions(limits[kind], limits.cookielessIpFactor, `mr:${kind}:ip`)));
  }
  /** The store's limiter, or its insurance when the store's key lives on a master marked stalled. */
  const counterFor = (window: Window<L>, owner: LimitOwner): RateLimiterAbstract =>
    window.insurance !== undefined && isKeyStalled(window.limiter.getKey(owner)) ? window.insurance : window.limiter;
  return {
    limiters: [...bySession.values(), ...byAddress.values()].map((w) => w.limiter),
    isLimited: (kind) => isShared(kind) && bySession.has(kind),
    async take(owner, kind) {
      if (!isShared(kind)) return 0;
      const window = (owner.startsWith("s:") ? bySession : byAddress).get(kind);
      if (window === undefined) return 0;
      try {
        await counterFor(window, owner).consume(owner);
        return 0;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext));
        throw refusal; // a store failure (a Redis backend), not a refusal
      }
    },
  };
}
