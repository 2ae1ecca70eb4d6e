// Token tries at POST /moderate, per address: MODERATOR_LOGIN_PER_MINUTE in a minute that starts at the address's
// first try. Each try costs O(1) whatever the number of addresses: no table is ever scanned. On one node the
// counts live in a Map of at most MODERATOR_LOGIN_MAX_ADDRESSES entries (the least recently tried address is
// forgotten first); with Redis they live there, so a try on any node counts on every node, and the Map stands in
// while Redis is away.
import type { Clock } from "../clock.js";
import type { RedisClient } from "../cluster/redis.js";
import type { Logger } from "../log.js";

export interface SignInLimiter {
  /** Records a try by `address`: 0 when it may go ahead, else the milliseconds until its minute is over. */
  take(address: string): Promise<number>;
}

export const SIGN_IN_WINDOW_MS = 60_000;

interface Window {
  tries: number;
  endsAtMs: number;
}

/** One node's counts, in at most `maxAddresses` entries. */
export class MemorySignInLimiter implements SignInLimiter {
  // A Map iterates in insertion order, and take() re-inserts the address it touches: the first key is always the
  // least recently tried address, so forgetting one is O(1).
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses: number,
    private readonly clock: Clock,
  ) {}

  /** How many addresses are remembered (at most maxAddresses). */
  get size(): number {
    return this.windows.size;
  }

  take(address: string): Promise<number> {
    return Promise.resolve(this.takeNow(address));
  }

  takeNow(address: string): number {
    const now = this.clock.monotonicMs();
    const found = this.windows.get(address);
    const window = found !== undefined && found.endsAtMs > now ? found : { tries: 0, endsAtMs: now + SIGN_IN_WINDOW_MS };
    this.windows.delete(address);
    this.windows.set(address, window);
    if (this.windows.size > this.maxAddresses) this.forgetLeastRecent();
    if (window.tries >= this.perMinute) return window.endsAtMs - now;
    window.tries++;
    return 0;
  }

  /**
   * Forgetting an address gives it a fresh minute; reaching it takes maxAddresses other addresses trying since,
   * and those already have maxAddresses × perMinute tries of their own, so forgetting buys a spray nothing.
   */
  private forgetLeastRecent(): void {
    const oldest = this.windows.keys().next();
    if (oldest.done !== true) this.windows.delete(oldest.value);
  }
}

// One key per address, so the script touches one slot; the hash tag names that slot's unit (the address) for
// Redis Cluster, as every key here does. INCR then PEXPIRE on the first try: the minute starts with it.
const TAKE_SCRIPT = `
local tries = redis.call('INCR', KEYS[1])
if tries == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {tries, ttl}`;

export const signInKey = (address: string): string => `mr:signin:{${address}}`;

/** The cluster's counts in Redis; the node's own Map answers while Redis does not. */
export class RedisSignInLimiter implements SignInLimiter {
  constructor(
    private readonly perMinute: number,
    private readonly redis: RedisClient,
    private readonly fallback: SignInLimiter,
    private readonly log: Logger,
  ) {}

  async take(address: string): Promise<number> {
    try {
      const [tries, ttlMs] = (await this.redis.eval(TAKE_SCRIPT, 1, signInKey(address), String(SIGN_IN_WINDOW_MS))) as [number, number];
      return tries > this.perMinute ? Math.max(1, ttlMs) : 0;
    } catch (err) {
      this.log.warn("sign_in_limiter_fallback", { err });
      return this.fallback.take(address);
    }
  }
}

export function createSignInLimiter(opts: { perMinute: number; maxAddresses: number; clock: Clock; log: Logger; redis?: RedisClient }): SignInLimiter {
  const memory = new MemorySignInLimiter(opts.perMinute, opts.maxAddresses, opts.clock);
  return opts.redis ? new RedisSignInLimiter(opts.perMinute, opts.redis, memory, opts.log) : memory;
}
