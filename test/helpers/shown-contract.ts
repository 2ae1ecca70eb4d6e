// What push/shown.ts promises, run over the memory records (test/push.shown.test.ts) and the Redis ones
// (test/cluster/push.nodes.test.ts) alike: a room made private carries the records of those let in to its new
// address, and a push not sent after all gives the older notification's record back.
import { describe, expect, it } from "vitest";
import type { ShownClaim, ShownNotes } from "../../src/push/shown.js";

/** The sessions of claimed records, sorted. */
export const sessionsOf = (claims: readonly ShownClaim[]): string[] => claims.map((c) => c.sessionKey).sort();

const must = <T>(value: T | null): T => {
  if (value === null) throw new Error("expected a record");
  return value;
};

export function shownNotesContract(label: string, make: (windowMs: number, now: () => number) => Promise<ShownNotes>): void {
  describe(`what a notification quotes, ${label}: moves and put-backs`, () => {
    it("moves the records of the sessions let in to the room's new address, keeping the name they were shown under", async () => {
      let t = 1_000;
      const shown = await make(60_000, () => t);
      await shown.remember("in", "general", 5);
      await shown.remember("out", "general", 5);
      await shown.remember("in", "other", 5);
      t += 1_000;
      expect(await shown.move("general", "p:new", ["in", "never-pushed"])).toEqual([{ sessionKey: "in", record: { id: 5, untilMs: 61_000, shownAs: "general" } }]);

      expect(await shown.claimQuoting("general", 5)).toEqual([{ sessionKey: "out", shownAs: "general" }]);
      expect(await shown.claimQuoting("p:new", 5)).toEqual([{ sessionKey: "in", shownAs: "general" }]);
      expect(await shown.claimSession("in", "other")).toEqual({ id: 5, untilMs: 61_000, shownAs: "other" });
      // A moved record keeps its end: past it, there is nothing to claim.
      await shown.remember("late", "general", 6);
      await shown.move("general", "p:new", ["late"]);
      t = 61_999;
      expect(await shown.claimSession("late", "p:new")).toEqual({ id: 6, untilMs: 62_000, shownAs: "general" });
      await shown.remember("gone", "general", 7);
      await shown.move("general", "p:new", ["gone"]);
      t += 60_000;
      expect(await shown.claimQuoting("p:new", 7)).toEqual([]);
    });

    it("gives back the older record when a push is not sent after all, unless a newer push's record stands", async () => {
      const shown = await make(60_000, () => 1_000);
      expect(await shown.remember("s1", "general", 1)).toBeNull();
      const older = await shown.remember("s1", "general", 2);
      expect(older).toEqual({ id: 1, untilMs: 61_000, shownAs: "general" });
      expect(await shown.putBack("s1", "general", 2, must(older))).toBe(true);
      expect(await shown.claimQuoting("general", 2)).toEqual([]);
      expect(await shown.claimQuoting("general", 1)).toEqual([{ sessionKey: "s1", shownAs: "general" }]);

      await shown.remember("s2", "general", 1);
      const replaced = await shown.remember("s2", "general", 2);
      await shown.remember("s2", "general", 3); // a newer push went meanwhile: its record is what is on screen
      expect(await shown.putBack("s2", "general", 2, must(replaced))).toBe(false);
      expect(await shown.claimSession("s2", "general")).toMatchObject({ id: 3 });

      await shown.remember("s3", "general", 1);
      const beforeClaim = await shown.remember("s3", "general", 2);
      expect(await shown.claimQuoting("general", 2)).toHaveLength(1); // a delete of the message never shown claimed it
      expect(await shown.putBack("s3", "general", 2, must(beforeClaim))).toBe(true);
      expect(await shown.claimSession("s3", "general")).toMatchObject({ id: 1 });
    });

    it("claims a session's record only while it quotes the message asked for, when one is asked for", async () => {
      const shown = await make(60_000, () => 1_000);
      await shown.remember("s1", "general", 1);
      await shown.remember("s1", "general", 2); // a newer push's record: a late check of message 1 must leave it
      expect(await shown.claimSession("s1", "general", 1)).toBeNull();
      expect(await shown.claimSession("s1", "general", 2)).toEqual({ id: 2, untilMs: 61_000, shownAs: "general" });
      expect(await shown.claimSession("s1", "general", 2)).toBeNull();
      await shown.remember("s2", "general", 12);
      expect(await shown.claimSession("s2", "general", 1)).toBeNull(); // 1 is a prefix of 12: still another message
      expect(await shown.claimQuoting("general", 12)).toEqual([{ sessionKey: "s2", shownAs: "general" }]);
    });

    it("gives back a moved record with the name it was shown under", async () => {
      const shown = await make(60_000, () => 1_000);
      await shown.remember("s1", "general", 1);
      await shown.move("general", "p:new", ["s1"]);
      const older = await shown.remember("s1", "p:new", 2);
      expect(older).toEqual({ id: 1, untilMs: 61_000, shownAs: "general" });
      await shown.putBack("s1", "p:new", 2, must(older));
      expect(await shown.claimQuoting("p:new", 1)).toEqual([{ sessionKey: "s1", shownAs: "general" }]);
    });
  });
}
