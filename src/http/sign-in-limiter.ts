// Token tries at POST /moderate, per address: MODERATOR_LOGIN_PER_MINUTE in a minute that starts at the address's
// first try. Each try costs O(1) whatever the number of addresses: no table is ever scanned. On one node the
// counts live in at most MODERATOR_LOGIN_MAX_ADDRESSES entries (the least recently tried address is forgotten
// first); with Redis they live there, so a try on any node counts on every node, and the node's own counts stand
// in while Redis is away.
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

/** An address's window, in a list from least to most recently tried. */
interface Entry {
  address: string;
  window: Window;
  older: Entry | null;
  newer: Entry | null;
}

/** One node's counts, in at most `maxAddresses` entries. */
export class MemorySignInLimiter implements SignInLimiter {
  // Recency is a linked list, not a Map's insertion order: V8 leaves a hole for every deleted Map entry until it
  // rehashes, and keys().next() walks past them, so "forget the first key" cost up to thousands of steps a try
  // (100,000 addresses took 2.5 s, 20,000 took 57 ms). The list makes touching and forgetting O(1) for real.
  private readonly entries = new Map<string, Entry>();
  private oldest: Entry | null = null;
  private newest: Entry | null = null;

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses: number,
    private readonly clock: Clock,
  ) {}

  /** How many addresses are remembered (at most maxAddresses). */
  get size(): number {
    return this.entries.size;
  }

  take(address: string): Promise<number> {
    return Promise.resolve(this.takeNow(address));
  }

  takeNow(address: string): number {
    const now = this.clock.monotonicMs();
    const entry = this.touch(address);
    if (entry.window.endsAtMs <= now) entry.window = { tries: 0, endsAtMs: now + SIGN_IN_WINDOW_MS };
    if (entry.window.tries >= this.perMinute) return entry.window.endsAtMs - now;
    entry.window.tries++;
    return 0;
  }

  /** The address's entry, made the most recent (a new one starts with an ended window). */
  private touch(address: string): Entry {
    const found = this.entries.get(address);
    if (found !== undefined) {
      this.unlink(found);
      this.append(found);
      return found;
    }
    const entry: Entry = { address, window: { tries: 0, endsAtMs: 0 }, older: null, newer: null };
    this.entries.set(address, entry);
    this.append(entry);
    if (this.entries.size > this.maxAddresses) this.forgetLeastRecent();
    return entry;
  }

  /**
   * Forgetting an address gives it a fresh minute; reaching it takes maxAddresses other addresses trying since,
   * and those already have maxAddresses × perMinute tries of their own, so forgetting buys a spray nothing.
   */
  private forgetLeastRecent(): void {
    const oldest = this.oldest;
    if (oldest === null) return;
    this.unlink(oldest);
    this.entries.delete(oldest.address);
  }

  private unlink(entry: Entry): void {
    if (entry.older !== null) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer !== null) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }

  private append(entry: Entry): void {
    entry.older = this.newest;
    if (this.newest !== null) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
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
