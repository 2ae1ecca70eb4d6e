import type { Clock } from "../clock.js";
import type { TokenBucketSpec } from "../config.js";

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
