// What each session's notification for a room quotes (push/shown.ts), on one node: one record per (session, room),
// claimed once, forgotten after PUSH_TAKE_BACK_MS, and never more than its bound, so memory stays bounded whatever
// the traffic. The Redis twin is test/cluster/push.shown.test.ts.
import { describe, expect, it } from "vitest";
import { createMemoryShownNotes } from "../src/push/shown.js";
import { sessionsOf, shownNotesContract } from "./helpers/shown-contract.js";

const clock = () => {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe("what a notification quotes, in memory", () => {
  it("keeps one record per session and room: a newer push replaces what the older one quoted", async () => {
    const shown = createMemoryShownNotes(60_000, clock().now);
    await shown.remember("s1", "general", 1);
    await shown.remember("s1", "general", 2);
    await shown.remember("s2", "general", 2);
    await shown.remember("s2", "other", 2);
    expect(await shown.claimQuoting("general", 1)).toEqual([]);
    expect(sessionsOf(await shown.claimQuoting("general", 2))).toEqual(["s1", "s2"]);
    expect(await shown.claimQuoting("general", 2)).toEqual([]); // claimed: one take-back per push
    expect(await shown.claimSession("s2", "other")).toMatchObject({ id: 2, shownAs: "other" });
    expect(await shown.claimSession("s2", "other")).toBeNull();
  });

  it("forgets a record after the window", async () => {
    const c = clock();
    const shown = createMemoryShownNotes(60_000, c.now);
    await shown.remember("s1", "general", 1);
    await shown.remember("s2", "general", 1);
    c.advance(60_000);
    expect(await shown.claimQuoting("general", 1)).toEqual([]);
    expect(await shown.claimSession("s2", "general")).toBeNull();
  });

  it("holds at most its bound of records, dropping the oldest", async () => {
    const shown = createMemoryShownNotes(60_000, clock().now, 3);
    for (let i = 1; i <= 5; i++) await shown.remember(`s${i}`, "general", i);
    expect(await shown.claimSession("s1", "general")).toBeNull();
    expect(await shown.claimSession("s2", "general")).toBeNull();
    expect(sessionsOf(await shown.claimQuoting("general", 3))).toEqual(["s3"]);
    expect(sessionsOf(await shown.claimQuoting("general", 5))).toEqual(["s5"]);
  });

  it("remembers nothing with PUSH_TAKE_BACK_MS=0", async () => {
    const shown = createMemoryShownNotes(0, clock().now);
    await shown.remember("s1", "general", 1);
    expect(await shown.claimQuoting("general", 1)).toEqual([]);
  });
});

shownNotesContract("in memory", (windowMs, now) => Promise.resolve(createMemoryShownNotes(windowMs, now)));
