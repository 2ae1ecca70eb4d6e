import type { Clock } from "../clock.js";
import type { RateLimits, TokenBucketSpec } from "../config.js";

/** Classic token bucket: `burst` at once, refilled at `perSec`. perSec 0 means no limit. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly spec: TokenBucketSpec,
    private readonly clock: Clock,
  ) {
    this.tokens = spec.burst;
    this.lastMs = clock.monotonicMs();
  }

  /** Takes a token; returns 0 when allowed, otherwise the milliseconds until one is available. */
  take(): number {
    if (this.spec.perSec === 0) return 0;
    const now = this.clock.monotonicMs();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.lastMs) / 1000) * this.spec.perSec);
    this.lastMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.spec.perSec) * 1000);
  }
}

/** Counts events in a sliding window; used to drop connections that keep hammering after being told no. */
export class WindowCounter {
  private times: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Records one event; returns how many fell inside the window, this one included. */
  hit(): number {
    const now = this.clock.monotonicMs();
    this.times.push(now);
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] as number) <= cutoff) drop++;
    if (drop > 0) this.times.splice(0, drop);
    return this.times.length;
  }
}

export type LimitKind = "send" | "join" | "history" | "typing";

/**
 * One connection's limits. Buckets are made on an event's first use, and none at all for a limit that is
 * off: most connections never page history or type, and idle connections are what memory is spent on.
 */
export class ConnectionLimits {
  private readonly buckets: Partial<Record<LimitKind, TokenBucket>> = {};
  private refusals: WindowCounter | null = null;

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {}

  /** 0 when the event may go ahead, otherwise the milliseconds until it may. */
  take(kind: LimitKind): number {
    const spec = this.limits[kind];
    if (spec.perSec === 0) return 0;
    const bucket = (this.buckets[kind] ??= new TokenBucket(spec, this.clock));
    return bucket.take();
  }

  /** Records a refusal; true when this connection has been refused too often and should be dropped. */
  isAbusive(): boolean {
    if (this.limits.disconnectAfter === 0) return false;
    this.refusals ??= new WindowCounter(this.limits.disconnectWindowMs, this.clock);
    return this.refusals.hit() > this.limits.disconnectAfter;
  }
}
