// Completing `@name` in the composer (public/js/mention-complete.js): which `@` is being typed, and which
// names are offered for it. The keys and the list are exercised in Chromium (test/e2e/mentions.test.ts).
import { describe, expect, it } from "vitest";

interface CompleteModule {
  mentionQueryAt(text: string, caret: number): { at: number; query: string } | null;
  matchNames(names: readonly string[], query: string, max?: number): string[];
}

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = async (): Promise<CompleteModule> => (await import(new URL("../public/js/mention-complete.js", import.meta.url).href)) as CompleteModule;

describe("mentionQueryAt", () => {
  it.each([
    ["an @ alone", "@", { at: 0, query: "" }],
    ["letters after @", "hi @bo", { at: 3, query: "bo" }],
    ["a name with a space so far", "(@Ana Lo", { at: 1, query: "Ana Lo" }],
    ["the last @ before the caret", "@Ana and @b", { at: 9, query: "b" }],
  ])("finds %s", async (_what, text, expected) => {
    const { mentionQueryAt } = await load();
    expect(mentionQueryAt(text, text.length)).toEqual(expected);
  });

  it.each([
    ["no @", "hello"],
    ["an email address", "ana@exa"],
    ["@@", "@@b"],
    ["an @ and a space", "@ b"],
    ["a new line after the @", "@ana\nhi"],
  ])("finds nothing for %s", async (_what, text) => {
    const { mentionQueryAt } = await load();
    expect(mentionQueryAt(text, text.length)).toBeNull();
  });

  it("looks only before the caret", async () => {
    const { mentionQueryAt } = await load();
    expect(mentionQueryAt("@bo and more", 3)).toEqual({ at: 0, query: "bo" });
  });
});

describe("matchNames", () => {
  const present = ["Ana", "Ana Lopez", "Anabel", "Bo", "Bob", "Carlos Bo", "Zoë"];

  it("offers names starting with the query in any case, then names with a later word starting with it", async () => {
    const { matchNames } = await load();
    expect(matchNames(present, "bo")).toEqual(["Bo", "Bob", "Carlos Bo"]);
    expect(matchNames(present, "LO")).toEqual(["Ana Lopez"]);
    expect(matchNames(present, "zoe\u0308")).toEqual(["Zoë"]);
  });

  it("keeps a typed space: 'ana ' is Ana Lopez, not Anabel", async () => {
    const { matchNames } = await load();
    expect(matchNames(present, "ana ")).toEqual(["Ana Lopez"]);
    expect(matchNames(present, "ana")).toEqual(["Ana", "Ana Lopez", "Anabel"]);
  });

  it("offers everyone for a bare @, at most the maximum", async () => {
    const { matchNames } = await load();
    expect(matchNames(present, "")).toHaveLength(7);
    expect(matchNames(present, "", 3)).toEqual(["Ana", "Ana Lopez", "Anabel"]);
  });
});
