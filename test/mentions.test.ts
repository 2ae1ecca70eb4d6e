// resolveMentions: `@name` against the names present, by the ownership key, greedy, at word boundaries.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveMentions } from "../src/chat/mentions.js";
import { nameKey } from "../src/shared/names.js";

const PRESENT = ["Ana", "Ana Lopez", "bob", "Zoë", "J.R.", "李小龍"];
const mentions = (content: string, present: readonly string[] = PRESENT): string[] => resolveMentions(content, present);

describe("resolveMentions", () => {
  it.each([
    ["a present name", "hi @Ana", ["Ana"]],
    ["folded case", "@ana and @BOB", ["Ana", "bob"]],
    ["a name with a space, greedily", "@Ana Lopez, lunch?", ["Ana Lopez"]],
    ["a run of spaces inside the name, as the key collapses it", "@Ana   Lopez", ["Ana Lopez"]],
    ["the shorter name when the longer one does not follow", "@Ana Lo and @Ana", ["Ana"]],
    ["punctuation after the name", "(@Ana), @bob! @Ana's turn.", ["Ana", "bob"]],
    ["a name ending in punctuation", "ask @J.R. today", ["J.R."]],
    ["a Cyrillic look-alike (TR39 skeleton)", "@\u0410na", ["Ana"]],
    ["compatibility forms (NFKC)", "@\u{1D5A0}\u{1D5C7}\u{1D5BA}", ["Ana"]],
    ["a decomposed accent", "@Zoe\u0308 hi", ["Zoë"]],
    ["a name with no spaces between words (CJK) at the end", "@李小龍", ["李小龍"]],
    ["at the very start and end, after a newline", "@bob\n@Ana", ["bob", "Ana"]],
  ])("resolves %s", (_what, content, expected) => {
    expect(mentions(content)).toEqual(expected);
  });

  it.each([
    ["a name that is not present", "@carl hello"],
    ["@@", "@@Ana"],
    ["an email address", "write to ana@example.com"],
    ["an @ inside a word", "x@Ana"],
    ["a longer word", "@Anabel and @bobby"],
    ["an @ followed by a space", "@ Ana"],
    ["a name followed by another @", "@Ana@example.com"],
    ["a lone @", "@"],
    ["no @ at all", "Ana bob"],
  ])("resolves nothing for %s", (_what, content) => {
    expect(mentions(content)).toEqual([]);
  });

  it("deduplicates by name, in the order of first appearance", () => {
    expect(mentions("@bob @Ana @BOB @ana @Ana Lopez")).toEqual(["bob", "Ana", "Ana Lopez"]);
  });

  it("answers with the names as presence lists them, not as typed", () => {
    expect(mentions("@ANA LOPEZ")).toEqual(["Ana Lopez"]);
  });

  it("resolves nothing when nobody is present", () => {
    expect(mentions("@Ana", [])).toEqual([]);
  });
});

// Names for the properties: letters, digits and inner spaces, as people pick them, some in other scripts.
const nameChar = fc.constantFrom(..."abcABCxyzáéØ0189 _-.'Аа李");
const aName = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join("").replace(/\s+/g, " ").trim())
  .filter((n) => n.length > 0 && nameKey(n) !== "");
/** Present names as presence holds them: one per key. */
const presentNames = fc.array(aName, { maxLength: 8 }).map((names) => [...new Map(names.map((n) => [nameKey(n), n])).values()]);
const messageText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.oneof(fc.constantFrom("@", "@@", " ", "\n", ".", "a", "А", "\u0301", "\u{1D5A0}", "x@y"), aName), { maxLength: 30 }).map((p) => p.join("")),
);

describe("resolveMentions properties", () => {
  it("never throws; every name it returns is present; no name twice", () => {
    fc.assert(
      fc.property(messageText, presentNames, (content, present) => {
        const found = resolveMentions(content, present);
        expect(found.every((n) => present.includes(n))).toBe(true);
        expect(new Set(found).size).toBe(found.length);
      }),
      { numRuns: 500 },
    );
  });

  it("finds each name written as `@name` between spaces, in order of first appearance", () => {
    // Names built only from letters and digits, so one can never run into the next.
    const plainName = fc.stringMatching(/^[a-zA-Z0-9]{1,10}$/);
    const present = fc.uniqueArray(plainName, { minLength: 1, maxLength: 6, selector: nameKey });
    fc.assert(
      fc.property(
        present.chain((names) => fc.tuple(fc.constant(names), fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 10 }))),
        ([names, said]) => {
          const content = said.map((n) => `@${n.toUpperCase()}`).join(" and ");
          expect(resolveMentions(content, names)).toEqual([...new Set(said)]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
