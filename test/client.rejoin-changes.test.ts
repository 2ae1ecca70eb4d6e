// The page's reading of a rejoin's `changed` (public/js/rejoin-changes.js), run in Node: each changed message
// becomes the message_updated the page missed, except the ones it already shows as they are.
import { describe, expect, it } from "vitest";
import type { MessageUpdatedEvent, WireAttachment, WireMessage } from "../src/protocol.js";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../public/js/${name}`, import.meta.url).href);

interface Shown {
  content: string;
  editedAt?: string;
  deletedAt?: string;
}
interface RejoinChanges {
  updateOf(room: string, msg: WireMessage): MessageUpdatedEvent;
  missedUpdates(room: string, changed: WireMessage[] | undefined, list: { info(id: number): Shown | null }): MessageUpdatedEvent[];
}
const { updateOf, missedUpdates } = (await load("rejoin-changes.js")) as RejoinChanges;

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
