// The stall checks' turn clock (src/cluster/late-turns.ts): a turn more than half an interval late is one that came
// after a blocked event loop, and judges nothing. The whole node's behaviour: test/cluster/redis.late-turn.test.ts.
import { describe, expect, it } from "vitest";
import { turnClock } from "../src/cluster/late-turns.js";

describe("turnClock", () => {
  it("calls a turn late only when it comes half an interval or more after the one before", () => {
    let now = 1000;
    const turns = turnClock(200, () => now);
    now += 200;
    expect(turns.isLate()).toBe(false); // on time
    now += 290;
    expect(turns.isLate()).toBe(false); // a busy loop's jitter
    now += 300;
    expect(turns.isLate()).toBe(true); // the loop was blocked
    now += 200;
    expect(turns.isLate()).toBe(false); // counted from the late turn, not from the schedule
  });
});
