// The page's reading of a rejoin's `changed` and `reactions` (public/js/rejoin-changes.js), run in Node: each
// changed message becomes the message_updated the page missed, each message of the reactions' range shown with
// other reactions the reactions_updated it missed, except what the page already shows as it is; and what a
// quote says of its original after such an update (reply-quote.js's excerptAfter).
import { describe, expect, it } from "vitest";
import { LIMITS, type MessageUpdatedEvent, type ReactionsUpdatedEvent, type RejoinReactions, type WireAttachment, type WireMessage, type WireReaction } from "../src/protocol.js";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../public/js/${name}`, import.meta.url).href);

interface Shown {
  content: string;
  editedAt?: string;
  deletedAt?: string;
}
interface ShownReactions {
  info(id: number): { reactions?: WireReaction[] } | null;
  idsBetween(from: number, to: number): number[];
}
interface RejoinChanges {
  updateOf(room: string, msg: WireMessage): MessageUpdatedEvent;
  missedUpdates(room: string, changed: WireMessage[] | undefined, list: { info(id: number): Shown | null }): MessageUpdatedEvent[];
  missedReactions(room: string, reactions: RejoinReactions | undefined, list: ShownReactions): ReactionsUpdatedEvent[];
  shownIds(list: { info(id: number): Shown | null; idsBetween(from: number, to: number): number[] }, since: number): number[];
  SHOWN_MAX_IDS: number;
}
const { updateOf, missedUpdates, missedReactions, shownIds, SHOWN_MAX_IDS } = (await load("rejoin-changes.js")) as RejoinChanges;
const { excerptAfter } = (await load("reply-quote.js")) as { excerptAfter(ev: MessageUpdatedEvent | WireMessage): string | null | undefined };

const T = "2026-01-02T03:04:05.000Z";
const T2 = "2026-01-02T03:09:00.000Z";
const aMessage = (over: Partial<WireMessage> = {}): WireMessage => ({ id: 7, room: "general", sender: "ana", content: "hello", timestamp: "2026-01-02 03:04:05", sentAt: T, ...over });

describe("updateOf", () => {
  it("makes a deleted message the tombstone event a delete broadcasts", () => {
    expect(updateOf("general", aMessage({ content: "", deletedAt: T2 }))).toEqual({ room: "general", id: 7, content: "", deletedAt: T2 });
  });

  it("makes an edited message the edit's event: text, mark, mentions, and no files left as []", () => {
    expect(updateOf("general", aMessage({ content: "hi @Bo", editedAt: T2, mentions: ["Bo"] }))).toEqual({
      room: "general",
      id: 7,
      content: "hi @Bo",
      editedAt: T2,
      mentions: ["Bo"],
      attachments: [],
    });
  });

  it("carries a reply's quote and caption, and a message's files", () => {
    const replyTo = { id: 3, sender: "bo", excerpt: "the original" };
    const attachments: WireAttachment[] = [{ id: "f1", name: "a.png", type: "image/png", size: 10, url: "/files/f1/a.png" }];
    const ev = updateOf("general", aMessage({ content: "> bo: the original\nsee this", caption: "see this", editedAt: T2, replyTo, attachments }));
    expect(ev).toMatchObject({ content: "> bo: the original\nsee this", caption: "see this", replyTo, attachments });
  });
});

describe("missedUpdates", () => {
  const shownAs = (shown: Record<number, Shown>) => ({ info: (id: number): Shown | null => shown[id] ?? null });

  it("skips what the page shows as it is now, and keeps the rest in order (the ones not shown too: the room's handler decides)", () => {
    const changed = [
      aMessage({ id: 1, content: "seen live", editedAt: T2 }),
      aMessage({ id: 2, content: "new text", editedAt: T2 }),
      aMessage({ id: 3, content: "", deletedAt: T2 }),
      aMessage({ id: 4, content: "", deletedAt: T2 }),
      aMessage({ id: 5, content: "not on screen", editedAt: T2 }),
    ];
    const list = shownAs({ 1: { content: "seen live", editedAt: T2 }, 2: { content: "old text" }, 3: { content: "", deletedAt: T2 }, 4: { content: "abusive" } });
    expect(missedUpdates("general", changed, list).map((ev) => [ev.id, ev.content, ev.deletedAt ?? null])).toEqual([
      [2, "new text", null],
      [4, "", T2],
      [5, "not on screen", null],
    ]);
  });

  it("is empty for an answer without changed (an older server)", () => {
    expect(missedUpdates("general", undefined, shownAs({}))).toEqual([]);
  });
});

describe("missedReactions", () => {
  const thumbs = (count: number, isMine: boolean): WireReaction => ({ emoji: "👍", count, names: ["ana", "bo"].slice(0, count), isMine });
  const heart: WireReaction = { emoji: "❤️", count: 1, names: ["ana"], isMine: false };
  const shownWith = (shown: Record<number, WireReaction[] | undefined>): ShownReactions => ({
    info: (id) => (id in shown ? { ...(shown[id] !== undefined ? { reactions: shown[id] } : {}) } : null),
    idsBetween: (from, to) => Object.keys(shown).map(Number).filter((id) => id >= from && id <= to),
  });

  it("replaces each shown message's reactions that differ, with the reader's own as mine, and clears the range's shown ones not listed", () => {
    const list = shownWith({ 3: [thumbs(1, false)], 4: [thumbs(1, true)], 5: undefined, 6: [heart], 7: [heart], 9: [heart] });
    const reactions: RejoinReactions = { from: 4, to: 8, messages: [{ id: 4, reactions: [thumbs(2, true)] }, { id: 6, reactions: [heart] }, { id: 8, reactions: [heart] }] };
    expect(missedReactions("general", reactions, list)).toEqual([
      { room: "general", id: 4, reactions: [{ emoji: "👍", count: 2, names: ["ana", "bo"] }], mine: ["👍"] },
      { room: "general", id: 7, reactions: [], mine: [] }, // in the range, listed with none: they all went
      { room: "general", id: 8, reactions: [{ emoji: "❤️", count: 1, names: ["ana"] }], mine: [] }, // not shown: a window's waiting copy may take it
    ]); // 3 and 9 lie outside the range, 5 has none still, 6 is shown as it is
  });

  it("tells a reaction the reader took back in another tab: same counts, no longer its own", () => {
    const list = shownWith({ 4: [thumbs(2, true)] });
    expect(missedReactions("general", { from: 4, to: 4, messages: [{ id: 4, reactions: [thumbs(2, false)] }] }, list)).toEqual([
      { room: "general", id: 4, reactions: [{ emoji: "👍", count: 2, names: ["ana", "bo"] }], mine: [] },
    ]);
  });

  it("is empty for an answer without reactions (an older server, a client more than a page behind)", () => {
    expect(missedReactions("general", undefined, shownWith({ 4: [heart] }))).toEqual([]);
  });

  it("covers the ids a join's shown brought back outside an empty range: listed ones replace, the others have none now", () => {
    const list = shownWith({ 2: [heart], 3: undefined, 5: [thumbs(1, false)], 9: [heart] });
    const reactions: RejoinReactions = { from: 10, to: 9, messages: [{ id: 3, reactions: [heart] }], ids: [2, 3, 5] };
    expect(missedReactions("general", reactions, list)).toEqual([
      { room: "general", id: 2, reactions: [], mine: [] },
      { room: "general", id: 3, reactions: [{ emoji: "❤️", count: 1, names: ["ana"] }], mine: [] },
      { room: "general", id: 5, reactions: [], mine: [] },
    ]); // 9 is neither in the (empty) range nor in ids
  });
});

describe("shownIds", () => {
  const listOf = (shown: Record<number, Shown>) => ({
    info: (id: number) => shown[id] ?? null,
    idsBetween: (from: number, to: number) => Object.keys(shown).map(Number).filter((id) => id >= from && id <= to),
  });

  it("lists the shown messages up to since, newest first, without tombstones (they never change again)", () => {
    const list = listOf({ 3: { content: "a" }, 5: { content: "", deletedAt: T }, 8: { content: "b", editedAt: T }, 12: { content: "newer" } });
    expect(shownIds(list, 10)).toEqual([8, 3]);
  });

  it("lists at most the server's cap, the newest ones", () => {
    const many: Record<number, Shown> = {};
    for (let id = 1; id <= SHOWN_MAX_IDS + 20; id++) many[id] = { content: "x" };
    const ids = shownIds(listOf(many), SHOWN_MAX_IDS + 20);
    expect(SHOWN_MAX_IDS).toBe(LIMITS.rejoinShownMaxIds);
    expect(ids).toHaveLength(SHOWN_MAX_IDS);
    expect([ids[0], ids.at(-1)]).toEqual([SHOWN_MAX_IDS + 20, 21]);
  });
});

describe("excerptAfter", () => {
  it("quotes an edited original's new text, a deleted one as gone, and a change of no text as nothing", () => {
    expect(excerptAfter({ room: "general", id: 7, content: "> ana: hi\nhello   world", caption: "hello   world", editedAt: T2 })).toBe("hello world");
    expect(excerptAfter({ room: "general", id: 7, content: "", attachments: [{ id: "f", name: "a.png", type: "image/png", size: 1, url: "/f" }] })).toBe("a.png");
    expect(excerptAfter({ room: "general", id: 7, content: "", deletedAt: T2 })).toBeNull();
    expect(excerptAfter({ room: "general", id: 7, reactions: [] })).toBeUndefined();
  });
});
