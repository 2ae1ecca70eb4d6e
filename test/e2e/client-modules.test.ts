// The browser client's pure modules (public/js), run in Node: the rules the page tests only sample.
import { describe, expect, it } from "vitest";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../../public/js/${name}`, import.meta.url).href);

describe("client text rules", () => {
  it("labels days as Today, Yesterday or a date (with the year only when it differs)", async () => {
    const { dayLabel } = await load("format.js");
    const now = new Date(2026, 10, 25, 9, 30);
    expect(dayLabel(new Date(2026, 10, 25, 0, 1), now, "en-GB")).toBe("Today");
    expect(dayLabel(new Date(2026, 10, 24, 23, 59), now, "en-GB")).toBe("Yesterday");
    // ICU versions differ on the comma after the weekday.
    expect(dayLabel(new Date(2026, 10, 20, 12, 0), now, "en-GB")).toMatch(/^Friday,? 20 November$/);
    expect(dayLabel(new Date(2025, 11, 31, 12, 0), now, "en-GB")).toMatch(/^Wednesday,? 31 December 2025$/);
  });

  it("words the typing line for one, two and more people", async () => {
    const { typingText } = await load("format.js");
    expect(typingText([])).toBe("");
    expect(typingText(["Ana"])).toBe("Ana is typing…");
    expect(typingText(["Ana", "Ben"])).toBe("Ana and Ben are typing…");
    expect(typingText(["Ana", "Ben", "Cleo"])).toBe("Several people are typing…");
  });

  it("turns search highlights (code-point ranges) into marked runs without splitting an emoji", async () => {
    const { highlightRuns } = await load("format.js");
    type Mark = { text: string; isMatch: boolean };
    const marked = (text: string, ranges: [number, number][]) => (highlightRuns(text, ranges) as Mark[]).map((r) => (r.isMatch ? `[${r.text}]` : r.text)).join("");
    expect(marked("😀😀 find the needle", [[12, 18]])).toBe("😀😀 find the [needle]"); // in UTF-16 units it is 14-20
    expect(marked("a 🎉 b", [[2, 3]])).toBe("a [🎉] b");
    expect(marked("café crème", [[5, 10], [0, 4]])).toBe("[café] [crème]"); // unsorted input
    expect(marked("overlap", [[0, 4], [2, 7]])).toBe("[over][lap]"); // overlaps clipped, nothing doubled
    expect(marked("short", [[3, 99], [-5, 1], [4, 4]])).toBe("[s]ho[rt]"); // out of range clipped, empty dropped
    expect(marked("plain", [])).toBe("plain");
  });

  it("reads a permalink's message id from ?m= and nothing else", async () => {
    const { messageIdFromSearch } = await load("format.js");
    expect(messageIdFromSearch("?m=42")).toBe(42);
    expect(messageIdFromSearch("?x=1&m=7")).toBe(7);
    for (const bad of ["", "?m=", "?m=-1", "?m=1.5", "?m=abc", "?m=1e3", `?m=${"9".repeat(20)}`]) expect(messageIdFromSearch(bad)).toBe(null);
  });

  it("counts characters as code points and normalises content as the server does", async () => {
    const { codePointLength, normaliseContent } = await load("format.js");
    expect(codePointLength("😀😀")).toBe(2);
    expect(codePointLength("e\u0301")).toBe(2);
    expect(normaliseContent("  e\u0301\r\nx\r ")).toBe("é\nx");
  });

  it("round-trips room names through /r/<room> addresses", async () => {
    const { roomPath, roomFromPath } = await load("format.js");
    for (const room of ["general", "Café & Bar/ü 1?#", "100% fun", "<b>x</b>"]) expect(roomFromPath(roomPath(room))).toBe(room);
    expect(roomFromPath("/")).toBeNull();
    expect(roomFromPath("/r/%E0%A4%A")).toBeNull(); // malformed escape
    expect(roomFromPath("/r/a/b")).toBeNull();
  });

  it("keeps the people list from a whole list, then from joined/left deltas, each applied once", async () => {
    const { RoomPresence } = await load("presence.js");
    const presence = new RoomPresence();
    presence.reset(["ben", "Ana"]);
    expect(presence.names).toEqual(["Ana", "ben"]);
    expect(presence.apply({ room: "r", joined: ["Cleo", "Ana"] })).toBe(true);
    expect(presence.names).toEqual(["Ana", "ben", "Cleo"]);
    expect(presence.apply({ room: "r", joined: ["Cleo"] })).toBe(false); // overlaps the join answer: no change
    expect(presence.apply({ room: "r", left: ["ben"], joined: ["Dan"] })).toBe(true);
    expect(presence.names).toEqual(["Ana", "Cleo", "Dan"]);
    expect(presence.apply({ room: "r", left: ["nobody"] })).toBe(false);
    expect(presence.apply({ room: "r", users: ["Zed"] })).toBe(true); // a server that sends whole lists
    expect(presence.names).toEqual(["Zed"]);
  });

  it("keys names without the browser's locale: a Turkish İ does not fold to a plain i", async () => {
    const { nameKey } = await load("format.js");
    expect(nameKey("İvan")).not.toBe(nameKey("ivan"));
    expect(nameKey("IVAN")).toBe(nameKey("ivan"));
    expect(nameKey("Jose\u0301")).toBe(nameKey("JOSÉ"));
  });

  it("builds RFC 4122 version 4 UUIDs from random bytes", async () => {
    const { uuidFromRandom } = await load("uuid.js");
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(uuidFromRandom(new Uint8Array(16).fill(0xff))).toMatch(v4);
    expect(uuidFromRandom(new Uint8Array(16))).toBe("00000000-0000-4000-8000-000000000000");
  });

  it("words a file's size and kind, fits an image in a box, and sums up a message with files without its links", async () => {
    const { humanSize, fileKind, fitWithin, messageSummary, captionOf } = await load("file-info.js");
    expect([0, 1, 1023, 1024, 1536, 10 * 1024 - 1, 300_000, 25 * 1024 * 1024, 3 * 1024 ** 3].map(humanSize)).toEqual([
      "0 bytes",
      "1 byte",
      "1023 bytes",
      "1 KB",
      "1.5 KB",
      "10 KB",
      "293 KB",
      "25 MB",
      "3 GB",
    ]);
    expect(fileKind("application/pdf", "x.bin")).toBe("PDF document");
    expect(fileKind("image/png", "notes.txt")).toBe("PNG image"); // the bytes decide, not the name
    expect(fileKind("application/octet-stream", "notes.TXT")).toBe("Text file"); // text has no magic number
    expect(fileKind("application/octet-stream", "logo.svg")).toBe("SVG image");
    expect(fileKind("application/octet-stream", "data.parquet")).toBe("PARQUET file");
    expect(fileKind("application/octet-stream", "README")).toBe("File");
    expect(fileKind("audio/mpeg", "a.mp3")).toBe("MPEG audio");
    expect(fitWithin(800, 400, 320)).toEqual({ width: 320, height: 160 });
    expect(fitWithin(300, 500, 320)).toEqual({ width: 192, height: 320 });
    expect(fitWithin(40, 40, 320)).toEqual({ width: 40, height: 40 }); // never enlarged
    expect(fitWithin(10_000, 1, 320)).toEqual({ width: 320, height: 1 });
    const file = { id: "x", name: "map.pdf", type: "application/pdf", size: 9, url: "/files/x/map.pdf" };
    expect(messageSummary({ content: "see\nmap.pdf: /files/x/map.pdf", caption: "see", attachments: [file] })).toBe("see 📎 map.pdf");
    expect(messageSummary({ content: "map.pdf: /files/x/map.pdf", caption: "", attachments: [file, file] })).toBe("📎 2 files");
    expect(messageSummary({ content: "plain" })).toBe("plain");
    expect(captionOf({ content: "a\nb.png: /files/y/b.png", caption: "a" })).toBe("a");
  });

  it("cuts a reply's excerpt as the server does: one line, 100 graphemes, never splitting an emoji; a gone original reads Deleted message", async () => {
    const { excerptOf, quoteText } = await load("reply-quote.js");
    expect(excerptOf("  two\n\nlines\tand  tabs ")).toBe("two lines and tabs");
    expect(excerptOf("a".repeat(100))).toBe("a".repeat(100));
    expect(excerptOf("a".repeat(101))).toBe(`${"a".repeat(99)}…`);
    const family = "👨‍👩‍👧‍👦"; // 11 UTF-16 units, one grapheme
    const cut = excerptOf(family.repeat(101)) as string;
    expect(cut).toBe(`${family.repeat(99)}…`);
    expect(excerptOf("abcd efgh", 6)).toBe("abcd…"); // no space before the …
    expect(quoteText({ id: 1, sender: "Ana", excerpt: "hi" })).toBe("hi");
    expect(quoteText({ id: 1, sender: "Ana", excerpt: null, deleted: true })).toBe("Deleted message");
  });

  it("labels reactions, names who reacted, and merges a live update with the reader's own (the mine rule)", async () => {
    const { reactionLabel, reactionNames, mergeReactions } = await load("reactions-view.js");
    expect(reactionLabel({ emoji: "👍", count: 3, names: [], isMine: true })).toBe("👍 3 reactions, including you");
    expect(reactionLabel({ emoji: "🎉", count: 1, names: [], isMine: false })).toBe("🎉 1 reaction");
    expect(reactionNames({ emoji: "👍", count: 1, names: ["Ana"] })).toBe("Ana");
    expect(reactionNames({ emoji: "👍", count: 3, names: ["Ana", "Ben", "Cleo"] })).toBe("Ana, Ben and Cleo");
    expect(reactionNames({ emoji: "👍", count: 24, names: Array.from({ length: 20 }, (_, i) => `p${i}`) })).toMatch(/^p0, .*, p19 and 4 others$/);
    expect(reactionNames({ emoji: "👍", count: 21, names: Array.from({ length: 20 }, (_, i) => `p${i}`) })).toMatch(/ and 1 other$/);
    const before = [
      { emoji: "👍", count: 2, names: ["Ana", "Ben"], isMine: true },
      { emoji: "🎉", count: 1, names: ["Ben"], isMine: false },
    ];
    const counts = [
      { emoji: "👍", count: 3, names: ["Ana", "Ben", "Cleo"] },
      { emoji: "🚀", count: 1, names: ["Cleo"] },
    ];
    const mine = (list: { emoji: string; isMine: boolean }[]) => list.filter((r) => r.isMine).map((r) => r.emoji);
    // Someone else reacted (no `mine`): 👍 stays mine, 🎉 went, 🚀 is not mine.
    expect(mine(mergeReactions(before, { reactions: counts }))).toEqual(["👍"]);
    expect(mergeReactions(before, { reactions: counts }).map((r: { count: number }) => r.count)).toEqual([3, 1]);
    // This session reacted: `mine` decides.
    expect(mine(mergeReactions(before, { reactions: counts, mine: ["🚀"] }))).toEqual(["🚀"]);
    expect(mergeReactions(undefined, { reactions: [] })).toEqual([]);
  });

  it("reads the emoji package's groups, searches names by word prefixes, and fetches the list once", async () => {
    const { entriesFrom, searchEmoji, loadEmoji, EMOJI_DATA_URL } = await load("emoji-data.js");
    const groups = [
      { name: "Smileys & Emotion", emojis: [{ emoji: "😀", name: "grinning face" }, { emoji: "😍", name: "smiling face with heart-eyes" }] },
      { name: "Symbols", emojis: [{ emoji: "❤️", name: "red heart" }, { emoji: "💔", name: "broken heart" }, { emoji: 7, name: "bad" }] },
      "not a group",
    ];
    const entries = entriesFrom(groups);
    expect(entries.map((e: { emoji: string }) => e.emoji)).toEqual(["😀", "😍", "❤️", "💔"]);
    expect(entriesFrom(null)).toEqual([]);
    const found = (q: string) => searchEmoji(entries, q).map((e: { emoji: string }) => e.emoji);
    expect(found("heart")).toEqual(["😍", "❤️", "💔"]); // "heart-eyes" starts with heart too
    expect(found("HEA bro")).toEqual(["💔"]);
    expect(found("red heart")).toEqual(["❤️"]);
    expect(found("face")).toEqual(["😀", "😍"]);
    expect(found("smi")).toEqual(["😍"]); // "smiling"
    expect(found("  ")).toEqual([]);
    expect(found("eart")).toEqual([]); // not the middle of a word
    const asked: string[] = [];
    const get = async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(groups));
    };
    expect((await loadEmoji(get)).length).toBe(4);
    expect((await loadEmoji(get)).length).toBe(4);
    expect(asked).toEqual([EMOJI_DATA_URL]);
  });
});
