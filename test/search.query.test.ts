// The search syntax, parsed in TypeScript: words, prefix, "phrases", from:, and bad syntax as plain words.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldText, highlightRanges, isEmptyQuery, locateWords, MAX_PHRASE_WORDS, MAX_QUERY_WORDS, MAX_SEARCH_TERMS, parseSearchQuery, rankByRelevance } from "../src/shared/search-query.js";
import { ftsMatchExpression } from "../src/storage/sqlite-search.js";
import { tsQueryText } from "../src/storage/postgres-search.js";

describe("parseSearchQuery", () => {
  it("makes every word a term and the last one a prefix", () => {
    expect(parseSearchQuery("Hello  World")).toEqual({ terms: [{ tokens: ["hello"], prefix: false }, { tokens: ["world"], prefix: true }] });
  });

  it("keeps a closed quote as one phrase, never a prefix", () => {
    expect(parseSearchQuery('say "Exact  phrase"')).toEqual({
      terms: [{ tokens: ["say"], prefix: false }, { tokens: ["exact", "phrase"], prefix: false }],
    });
  });

  it("reads from:name (and from:\"two words\") as the sender, not as words", () => {
    expect(parseSearchQuery("from:Ana lunch")).toEqual({ terms: [{ tokens: ["lunch"], prefix: true }], from: "Ana" });
    expect(parseSearchQuery('FROM:"Ana B" x')).toEqual({ terms: [{ tokens: ["x"], prefix: true }], from: "Ana B" });
    expect(parseSearchQuery("from:ana")).toEqual({ terms: [], from: "ana" });
  });

  it("searches bad syntax as plain words: unbalanced quotes, a lone from:, FTS operators", () => {
    expect(parseSearchQuery('"unclosed words')).toEqual({ terms: [{ tokens: ["unclosed"], prefix: false }, { tokens: ["words"], prefix: true }] });
    expect(parseSearchQuery("from: x")).toEqual({ terms: [{ tokens: ["from"], prefix: false }, { tokens: ["x"], prefix: true }] });
    expect(parseSearchQuery("a NEAR(b c) -d* OR e").terms.map((t) => t.tokens)).toEqual([["a"], ["near", "b"], ["c"], ["d"], ["or"], ["e"]]);
    expect(parseSearchQuery("don't")).toEqual({ terms: [{ tokens: ["don", "t"], prefix: true }] });
  });

  it("folds case, diacritics and compatibility forms as the index does", () => {
    expect(parseSearchQuery("CAFÉ Crème").terms.map((t) => t.tokens)).toEqual([["cafe"], ["creme"]]);
    expect(foldText("Ｃａｆｅ\u0301")).toBe("cafe");
  });

  it("has nothing to search for in punctuation alone", () => {
    expect(isEmptyQuery(parseSearchQuery("!!! * -- ()"))).toBe(true);
    expect(isEmptyQuery(parseSearchQuery('""'))).toBe(true);
  });

  it("keeps at most MAX_SEARCH_TERMS terms", () => {
    expect(parseSearchQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ")).terms).toHaveLength(MAX_SEARCH_TERMS);
  });

  it("keeps the first MAX_PHRASE_WORDS words of a phrase and MAX_QUERY_WORDS words in all: each word costs the index a read of its rows", () => {
    const phrase = parseSearchQuery(`"${Array.from({ length: 99 }, () => "a").join(" ")}"`);
    expect(phrase.terms).toEqual([{ tokens: Array(MAX_PHRASE_WORDS).fill("a"), prefix: false }]);
    const many = parseSearchQuery(Array.from({ length: 3 }, (_, p) => `"${Array.from({ length: 7 }, (_, w) => `p${p}w${w}`).join(" ")}"`).join(" "));
    expect(many.terms.map((t) => t.tokens.length)).toEqual([7, 7, 2]);
    expect(many.terms.flatMap((t) => t.tokens)).toHaveLength(MAX_QUERY_WORDS);
  });

  it("asks for the same word or phrase once, and a word typed again in quotes is exact", () => {
    expect(parseSearchQuery("a a a a").terms).toEqual([{ tokens: ["a"], prefix: true }]);
    expect(parseSearchQuery('"big plan" big plan "big plan"').terms).toEqual([
      { tokens: ["big", "plan"], prefix: false },
      { tokens: ["big"], prefix: false },
      { tokens: ["plan"], prefix: true },
    ]);
    expect(parseSearchQuery('plan "plan"').terms).toEqual([{ tokens: ["plan"], prefix: false }]);
  });

  it("never throws, and whatever it makes is quoted token by token for FTS5 and tsquery", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[\s"a-z:*()\-^NEAR]{0,30}$/)), (q) => {
        const query = parseSearchQuery(q);
        for (const t of query.terms) {
          expect(t.tokens.length).toBeGreaterThan(0);
          for (const tok of t.tokens) expect(tok).toMatch(/^[\p{L}\p{N}\p{Co}]+$/u);
        }
        expect(() => ftsMatchExpression(query.terms)).not.toThrow();
        expect(() => tsQueryText(query.terms)).not.toThrow();
        expect(() => highlightRanges(q, query)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe("highlightRanges", () => {
  it("gives code-point offsets, after an emoji (two UTF-16 units) before the match", () => {
    const content = "😀👍 I love Café au lait";
    const ranges = highlightRanges(content, parseSearchQuery("cafe"));
    expect(ranges).toEqual([[10, 14]]);
    expect([...content].slice(10, 14).join("")).toBe("Café");
  });

  it("covers a decomposed accent with its letter, and the whole word a prefix begins", () => {
    const content = "cafe\u0301 cafeteria";
    expect(highlightRanges(content, parseSearchQuery("caf"))).toEqual([[0, 5], [6, 15]]);
  });

  it("marks a phrase as one run, only where its words are consecutive", () => {
    expect(highlightRanges("big red dog, red big dog", parseSearchQuery('"red dog"'))).toEqual([[4, 11]]);
  });

  it("merges overlapping ranges and sorts them", () => {
    expect(highlightRanges("alpha beta", parseSearchQuery('beta "alpha beta"'))).toEqual([[0, 10]]);
  });

  it("locates words by code point", () => {
    expect(locateWords("𝒳 ab")).toEqual([{ word: "x", start: 0, end: 1 }, { word: "ab", start: 2, end: 4 }]);
  });
});

describe("rankByRelevance", () => {
  const page = (...contents: string[]) => contents.map((content, i) => ({ id: 100 - i, content }));
  const order = (q: string, ...contents: string[]) => rankByRelevance(page(...contents), parseSearchQuery(q)).map((m) => m.content);

  it("puts more occurrences and shorter messages first", () => {
    expect(order('"apple"', "an apple among many other words in this line", "apple apple apple", "apple")).toEqual([
      "apple apple apple",
      "apple",
      "an apple among many other words in this line",
    ]);
  });

  it("keeps newest first among equals, and for from: alone", () => {
    expect(order('"fig"', "fig tree", "fig leaf")).toEqual(["fig tree", "fig leaf"]);
    expect(rankByRelevance(page("b", "a"), parseSearchQuery("from:x")).map((m) => m.id)).toEqual([100, 99]);
  });
});

describe("query text for the stores", () => {
  it("quotes each term for FTS5, with * on the prefix term", () => {
    expect(ftsMatchExpression(parseSearchQuery('near "a b" c').terms)).toBe('"near" "a b" "c"*');
  });
  it("quotes each lexeme for tsquery, phrases with <->", () => {
    expect(tsQueryText(parseSearchQuery('near "a b" c').terms)).toBe("('near') & ('a' <-> 'b') & ('c':*)");
    // A modifier-letter apostrophe is what chat_unaccent makes of it, escaped: never a quote that ends the lexeme.
    expect(tsQueryText(parseSearchQuery('"\u043F\u02BC\u044F\u0442\u044C" hawai\u02BBi').terms)).toBe("('\u043F''\u044F\u0442\u044C') & ('hawai''i':*)");
  });
});
