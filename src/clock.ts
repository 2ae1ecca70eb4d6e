export interface Clock {
  /** Wall-clock time, for timestamps. */
  now(): Date;
  /** Monotonic milliseconds, for rate limits and durations. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** A clock tests move by hand. */
export function createManualClock(start = new Date("2026-01-02T03:04:05.678Z")): Clock & { advance(ms: number): void } {
  let wall = start.getTime();
  let mono = 0;
  return {
    now: () => new Date(wall),
    monotonicMs: () => mono,
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
  };
}
