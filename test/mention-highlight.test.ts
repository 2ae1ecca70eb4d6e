// The page's half of mentions (public/js/mention-highlight.js): where in the text are the names the server
// resolved. Same boundaries as src/chat/mentions.ts; folding by NFKC and case only, so look-alikes are not found.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveMentions } from "../src/chat/mentions.js";

interface MentionRange {
  start: number;
  end: number;
  name: string;
}
interface HighlightModule {
  findMentions(text: string, mentions: unknown): MentionRange[];
  mentionsReader(msg: { sender: string; mentions?: unknown }, me: string): boolean;
}

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = async (): Promise<HighlightModule> => (await import(new URL("../public/js/mention-highlight.js", import.meta.url).href)) as HighlightModule;

/** The text with each found mention in brackets: "hi [@Bob]". */
async function marked(text: string, mentions: string[]): Promise<string> {
  const { findMentions } = await load();
  let out = "";
  let at = 0;
  for (const r of findMentions(text, mentions)) {
    out += `${text.slice(at, r.start)}[${text.slice(r.start, r.end)}]`;
    at = r.end;
  }
  return out + text.slice(at);
}

describe("findMentions", () => {
  it.each([
    ["a name", "hi @bob", ["Bob"], "hi [@bob]"],
    ["any case", "@BOB and @bOb", ["Bob"], "[@BOB] and [@bOb]"],
    ["a name with a space, and the shorter one elsewhere", "@Ana Lopez, then @Ana.", ["Ana Lopez", "Ana"], "[@Ana Lopez], then [@Ana]."],
    ["a run of spaces inside a name", "@Ana   Lopez hi", ["Ana Lopez"], "[@Ana   Lopez] hi"],
    ["a name inside a longer word as the longer name only", "@Bob and @Bo", ["Bo", "Bob"], "[@Bob] and [@Bo]"],
    ["the longest of overlapping names", "@Bo Jackson, @Bo. @J.R.", ["Bo", "Bo Jackson", "J", "J.R."], "[@Bo Jackson], [@Bo]. [@J.R.]"],
    ["a decomposed accent (NFC)", "@Zoe\u0308 hi", ["Zoë"], "[@Zoe\u0308] hi"],
    ["compatibility forms (NFKC)", "@\u{1D5A0}\u{1D5C7}\u{1D5BA}!", ["Ana"], "[@\u{1D5A0}\u{1D5C7}\u{1D5BA}]!"],
    ["full case folding", "@STRASSE", ["Straße"], "[@STRASSE]"],
    ["a name ending in punctuation", "ask @J.R. today", ["J.R."], "ask [@J.R.] today"],
    ["a CJK name at the end", "@李小龍", ["李小龍"], "[@李小龍]"],
    ["after punctuation and a newline", "(@bob)\n@bob", ["bob"], "([@bob])\n[@bob]"],
  ])("marks %s", async (_what, text, mentions, expected) => {
    expect(await marked(text, mentions)).toBe(expected);
  });

  it.each([
    ["an email address", "write to ana@example.com", ["Ana"]],
    ["a name followed by another @", "@ana@example.com", ["Ana"]],
    ["a longer word", "@Anabel", ["Ana"]],
    ["@@", "@@Ana", ["Ana"]],
    ["an @ and a space", "@ Ana", ["Ana"]],
    ["a name the server did not resolve", "@carl", ["Ana"]],
    ["no mentions field", "@Ana", undefined],
    ["a Cyrillic look-alike the server matched by skeleton (the page cannot)", "@\u0410na", ["Ana"]],
  ])("marks nothing for %s", async (_what, text, mentions) => {
    const { findMentions } = await load();
    expect(findMentions(text, mentions)).toEqual([]);
  });

  it("returns UTF-16 offsets from the @ to the end of the name, after an emoji too", async () => {
    const { findMentions } = await load();
    expect(findMentions("😀 @Bob!", ["Bob"])).toEqual([{ start: 3, end: 7, name: "Bob" }]);
  });

  it("ignores what is not a string in mentions", async () => {
    const { findMentions } = await load();
    expect(findMentions("@Bob", [42, null, "Bob"])).toEqual([{ start: 0, end: 4, name: "Bob" }]);
  });
});

describe("mentionsReader", () => {
  it("marks a message that names the reader, not one they wrote themselves", async () => {
    const { mentionsReader } = await load();
    expect(mentionsReader({ sender: "Ana", mentions: ["Bob"] }, "bob")).toBe(true);
    expect(mentionsReader({ sender: "Ana", mentions: ["Cleo"] }, "Bob")).toBe(false);
    expect(mentionsReader({ sender: "Bob", mentions: ["Bob"] }, "Bob")).toBe(false);
    expect(mentionsReader({ sender: "Ana" }, "Bob")).toBe(false);
  });
});

// Names from letters no confusable folding changes, with spaces and punctuation, in mixed case.
const nameChar = fc.constantFrom(..."abdeABDEé _-.'");
const aName = fc
  .array(nameChar, { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join("").replace(/\s+/g, " ").trim())
  .filter((n) => /[a-zé]/i.test(n));
/** Present names where some are the start of others ("ab" and "ab de"), and text that writes them. */
const scene = fc.array(aName, { minLength: 1, maxLength: 4 }).chain((names) => {
  const present = [...names, ...names.slice(1).map((n) => `${names[0] ?? ""} ${n}`)];
  const written = fc.constantFrom(...present).chain((n) => fc.constantFrom(`@${n}`, `@${n.toUpperCase()}`, `@${n.toLowerCase()}`));
  const other = fc.oneof(fc.constantFrom("@", "@@", " ", "\n", ".", ",", "x@", "a", "é", "e\u0301", "https://x.org/@"), aName);
  return fc.tuple(fc.constant(present), fc.array(fc.oneof(written, other), { maxLength: 16 }));
});

describe("findMentions agrees with the server", () => {
  it("finds every name the server resolved, in the same order, when no look-alike is involved", async () => {
    const { findMentions } = await load();
    let withMentions = 0;
    fc.assert(
      fc.property(scene, ([present, parts]) => {
        const text = parts.join("").normalize("NFC");
        const resolved = resolveMentions(text, present);
        if (resolved.length > 0) withMentions++;
        const found = [...new Set(findMentions(text, resolved).map((r) => r.name))];
        expect(found).toEqual(resolved);
      }),
      { numRuns: 1000 },
    );
    expect(withMentions).toBeGreaterThan(300); // the property is about texts that do mention someone
  });
});
