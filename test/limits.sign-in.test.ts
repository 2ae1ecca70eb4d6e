// The moderator sign-in limiter (sign-in-limiter.ts): MODERATOR_LOGIN_PER_MINUTE tries per address, O(1) work per
// try and bounded memory under a spray of distinct addresses (counted: entries kept, Map entries visited) (before, past 10,000 addresses every try scanned the
// whole table, and nothing was forgotten while the spray stayed within a minute).
import { describe, expect, it } from "vitest";
import { createManualClock } from "../src/clock.js";
import type { RedisClient } from "../src/cluster/redis.js";
import { createCapturingLogger } from "../src/log.js";
import { MemorySignInLimiter, RedisSignInLimiter } from "../src/http/sign-in-limiter.js";

const SPRAY = 100_000;
const MAX_ADDRESSES = 10_000;

const addressNo = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/**
 * Runs `work` with every Map iterator counting its steps: the entries a limiter visits, whatever loop it uses.
 * Throws once the count passes `cap`, so a limiter that scans fails fast instead of running for minutes.
 */
function countMapSteps(cap: number, work: () => void): number {
  const proto = Map.prototype as unknown as Record<string | symbol, (this: Map<unknown, unknown>) => Iterator<unknown>>;
  const names = ["keys", "values", "entries", Symbol.iterator] as const;
  const originals = names.map((n) => proto[n] as (this: Map<unknown, unknown>) => Iterator<unknown>);
  let steps = 0;
  names.forEach((name, i) => {
    const original = originals[i] as (this: Map<unknown, unknown>) => Iterator<unknown>;
    proto[name] = function (this: Map<unknown, unknown>) {
      const inner = original.call(this);
      const counted = {
        next: () => {
          if (++steps > cap) throw new Error(`more than ${cap} map entries visited`);
          return inner.next();
        },
        [Symbol.iterator]: () => counted,
      };
      return counted;
    };
  });
  try {
    work();
  } finally {
    names.forEach((name, i) => (proto[name] = originals[i] as (this: Map<unknown, unknown>) => Iterator<unknown>));
  }
  return steps;
}

describe("moderator sign-in limiter, one node", () => {
  it("allows perMinute tries per address in a minute from its first, then says how long to wait", () => {
    const clock = createManualClock();
    const limiter = new MemorySignInLimiter(2, MAX_ADDRESSES, clock);
    expect(limiter.takeNow("1.2.3.4")).toBe(0);
    clock.advance(10_000);
    expect(limiter.takeNow("1.2.3.4")).toBe(0);
    expect(limiter.takeNow("1.2.3.4")).toBe(50_000);
    expect(limiter.takeNow("5.6.7.8")).toBe(0); // another address has its own minute
    clock.advance(50_000);
    expect(limiter.takeNow("1.2.3.4")).toBe(0);
  });

  it(`under ${SPRAY} distinct addresses in one minute keeps at most MODERATOR_LOGIN_MAX_ADDRESSES and never walks a table`, () => {
    const limiter = new MemorySignInLimiter(5, MAX_ADDRESSES, createManualClock());
    // No Map iteration at all: besides a scan, that rules out "forget the Map's first key", which in V8 walks past
    // every entry deleted since the last rehash (thousands a try, so 100,000 addresses took 30 times 20,000's time).
    const steps = countMapSteps(SPRAY, () => {
      for (let i = 0; i < SPRAY; i++) expect(limiter.takeNow(addressNo(i))).toBe(0);
    });
    expect(limiter.size).toBe(MAX_ADDRESSES);
    expect(steps).toBe(0);
  });

  it("keeps refusing an address that goes on trying while a spray of other addresses passes through", () => {
    const limiter = new MemorySignInLimiter(1, 100, createManualClock());
    expect(limiter.takeNow("9.9.9.9")).toBe(0);
    for (let i = 0; i < 1000; i++) {
      limiter.takeNow(addressNo(i));
      if (i % 50 === 0) expect(limiter.takeNow("9.9.9.9")).toBeGreaterThan(0);
    }
  });
});

describe("moderator sign-in limiter with Redis", () => {
  it("falls back to the node's own counts while Redis fails, and logs it", async () => {
    const down = { eval: () => Promise.reject(new Error("connection is closed")) } as unknown as RedisClient;
    const log = createCapturingLogger();
    const limiter = new RedisSignInLimiter(1, down, new MemorySignInLimiter(1, MAX_ADDRESSES, createManualClock()), log);
    expect(await limiter.take("1.2.3.4")).toBe(0);
    expect(await limiter.take("1.2.3.4")).toBe(60_000);
    expect(log.lines.filter((l) => l.event === "sign_in_limiter_fallback")).toHaveLength(2);
  });
});
