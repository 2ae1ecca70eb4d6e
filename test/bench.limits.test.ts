// Issue 20 compares the servers with every feature and limit of the app on: the main bench's workloads start the app
// with its limiters' ceilings out of reach (bench/server-process.ts), not switched off. A value the app refused, or
// one that turned a limiter off (0), would make the bench measure a lighter app than the one that ships.
import { describe, expect, it } from "vitest";
import { LIMITS_OUT_OF_REACH_ENV } from "../bench/server-process.js";
import { loadConfig } from "../src/config.js";

describe("the main bench's limits", () => {
  it("are accepted by the app and leave every limiter on, out of reach of the bench's load", () => {
    const config = loadConfig({ ...LIMITS_OUT_OF_REACH_ENV });
    const { rateLimits } = config;
    for (const kind of ["send", "join", "history", "typing"] as const) {
      expect(rateLimits[kind].perSec, kind).toBe(1_000_000);
      expect(rateLimits[kind].burst, kind).toBe(1_000_000);
    }
    expect(rateLimits.maxConnectionsPerIp).toBe(1_000_000);
    expect(rateLimits.handshakesPerMinutePerIp).toBe(1_000_000);
    expect(rateLimits.disconnectAfter).toBeGreaterThan(0);
  });
});
