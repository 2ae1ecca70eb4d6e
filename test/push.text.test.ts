// The words of a push (src/push/text.ts) are the page's desktop notification's (public/js/notifications.js):
// both run over the same messages here, so neither can change alone.
import { describe, expect, it } from "vitest";
import { excerpt, noteText, type PushBatch, type PushItem } from "../src/push/text.js";

interface Item {
  id: number;
  sender: string;
  content: string;
  isMention: boolean;
}
interface PageNotifications {
  noteFor(room: string, items: Item[], place?: { title: string; isDirect: boolean }): { title: string; body: string; id: number; tag: string };
  excerpt(text: string): string;
}
// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const page = (): Promise<PageNotifications> => import(new URL("../public/js/notifications.js", import.meta.url).href) as Promise<PageNotifications>;

function batchOf(items: Item[]): PushBatch {
  const [first, last] = [items[0], items.at(-1)];
  if (first === undefined || last === undefined) throw new Error("a batch has at least one message");
  const toItem = (i: Item): PushItem => ({ id: i.id, sender: i.sender, excerpt: excerpt(i.content), isMention: i.isMention });
  return { count: items.length, mentions: items.filter((i) => i.isMention).length, firstId: first.id, last: toItem(last) };
}

const m = (id: number, content: string, isMention = false, sender = "ana"): Item => ({ id, sender, content, isMention });

const CASES: [string, Item[], { title: string; isDirect: boolean }][] = [
  ["one message", [m(1, "hello")], { title: "general", isDirect: false }],
  ["one mention", [m(1, "@bob hi", true)], { title: "general", isDirect: false }],
  ["three messages, one a mention", [m(1, "a"), m(2, "b @bob", true), m(3, "c")], { title: "general", isDirect: false }],
  ["two mentions", [m(1, "@bob", true), m(2, "@bob again", true)], { title: "Project X", isDirect: false }],
  ["a direct conversation", [m(1, "psst", true), m(2, "you there?", true)], { title: "Ana", isDirect: true }],
  ["a long text over lines, with emoji", [m(1, `line one\nline two ${"🎉".repeat(150)}`)], { title: "general", isDirect: false }],
  ["look-alike hosts in links", [m(1, "log in at https://аpple.com/login or https://ſacebook.com, not https://пример.рф")], { title: "general", isDirect: false }],
];

describe("push text and the page's notification text agree", () => {
  it.each(CASES)("%s", async (_name, items, place) => {
    const { noteFor } = await page();
    const note = noteFor("room-address", items, place);
    expect(noteText(batchOf(items), place)).toEqual({ title: note.title, body: note.body });
    expect(note.id).toBe(batchOf(items).firstId);
  });

  it("shows a link's look-alike host as the page's link does (punycode), the rest of the text as typed", () => {
    const batch = batchOf([m(1, "log in at https://аpple.com/login (Cyrillic а), or https://evil.com\\@apple.com")]);
    expect(noteText(batch, { title: "general", isDirect: false }).body).toBe(
      "ana: log in at https://xn--pple-43d.com/login (Cyrillic а), or https://evil.com\\@apple.com",
    );
  });

  it("cut excerpts the same way", async () => {
    const { excerpt: pageExcerpt } = await page();
    for (const text of ["short", " spaced\t\nout ", "x".repeat(101), "👩‍👩‍👧".repeat(40), `${"a".repeat(99)} b`, `${"a".repeat(80)} https://аpple.com/x`]) expect(excerpt(text)).toBe(pageExcerpt(text));
  });
});
