// What the push throttle holds (src/push/held.ts): ids only, bounded, and a summary built from the messages as
// they are when it leaves. Pure: the end-to-end side is test/push.summary.test.ts.
import { describe, expect, it } from "vitest";
import { hold, MAX_HELD_REFS, summarize, type HeldBatch, type Judge } from "../src/push/held.js";
import type { ChatMessage } from "../src/storage/repository.js";

const aMessage = (id: number, content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, room: "general", sender: "ana", content, sentAt: new Date(0), clientId: null, ...extra });
const everything: Judge = (m) => ({ isMention: m.content.includes("@bob") });
const mentionsOnly: Judge = (m) => (m.content.includes("@bob") ? { isMention: true } : null);

function heldOf(ids: number[], mentionIds: number[] = []): HeldBatch {
  return ids.reduce<HeldBatch | null>((held, id) => hold(held, { id, isMention: mentionIds.includes(id) }), null) as HeldBatch;
}

describe("a held batch", () => {
  it("keeps the first id and the newest ones, at most MAX_HELD_REFS, and counts every message held", () => {
    const held = heldOf(Array.from({ length: MAX_HELD_REFS + 5 }, (_, i) => i + 1), [2, 3]);
    expect(held.count).toBe(MAX_HELD_REFS + 5);
    expect(held.mentions).toBe(2);
    expect(held.refs.map((r) => r.id)).toEqual([1, ...Array.from({ length: MAX_HELD_REFS - 1 }, (_, i) => i + 7)]);
  });
});

describe("the summary of a held batch", () => {
  it("shows the newest message's text as it is now, and opens at the first", () => {
    const batch = summarize(heldOf([1, 2]), [aMessage(1, "one"), aMessage(2, "edited since", { editedAt: new Date(1) })], everything, true);
    expect(batch).toEqual({ count: 2, mentions: 0, firstId: 1, last: { id: 2, sender: "ana", excerpt: "edited since", isMention: false } });
  });

  it("leaves out a deleted message (a tombstone, or a row that is gone) and opens at the first one left", () => {
    const current = [aMessage(1, "", { deletedAt: new Date(1) }), aMessage(2, "kept")];
    expect(summarize(heldOf([1, 2, 3]), current, everything, true)).toMatchObject({ count: 1, firstId: 2, last: { id: 2, excerpt: "kept" } });
  });

  it("is null when nothing held is left", () => {
    expect(summarize(heldOf([1]), [aMessage(1, "", { deletedAt: new Date(1) })], everything, true)).toBeNull();
  });

  it("keeps to a mentions-only level: only mentions, counted ones too, and not a mention an edit took out", () => {
    const ids = Array.from({ length: MAX_HELD_REFS + 3 }, (_, i) => i + 1);
    const current = ids.map((id) => aMessage(id, id === ids.length ? "@bob look" : "chatter"));
    // 2 is only counted (past the bound) and was a mention; 10 was one when stored, and an edit took it out.
    const batch = summarize(heldOf(ids, [2, 10, ids.length]), current, mentionsOnly, false);
    expect(batch).toMatchObject({ count: 2, mentions: 2, firstId: ids.length, last: { id: ids.length, excerpt: "@bob look", isMention: true } });
  });
});
