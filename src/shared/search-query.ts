// The search box's syntax, parsed once in TypeScript so that no user text ever reaches FTS5 or tsquery as
// syntax: words (all must match, the last one as a prefix), "exact phrases" and from:name. Anything else,
// unbalanced quotes and FTS operators included, is searched as plain words. Also the folding the indexes do,
// so highlight offsets can be computed here from the same words. Pure, no I/O.

/** One word, or a phrase of consecutive words: folded as the index folds them (below). */
export interface SearchTerm {
  tokens: string[];
  /** The last token matches any word it begins (the word being typed). */
  prefix: boolean;
}

/** Every term must match; `from` is a name as typed, matched by its name key (case and compatibility folded). */
export interface SearchQuery {
  terms: SearchTerm[];
  from?: string;
}

/** At most this many words and phrases count; the rest of a very long query is ignored. */
export const MAX_SEARCH_TERMS = 16;
/**
 * At most this many words of a phrase count, and of the whole query. SQLite's index reads every row holding each
 * word of a phrase, in every room, before the room is known: a 199-character phrase of 99 "a"s over 20,000 rows
 * of 250 "a"s elsewhere held the event loop for 1.4 s (review, 2026-12-07). A phrase is still matched on its first
 * words, which is what its reader typed first.
 */
export const MAX_PHRASE_WORDS = 8;
export const MAX_QUERY_WORDS = 16;

// What the SQLite tokenizer (unicode61, default categories "L* N* Co") keeps as token characters.
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;
const MARKS = /\p{M}/gu;
const FROM = /^from:/i;

/** One character as the indexes compare it: compatibility decomposed, marks stripped, lower case. */
function foldChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : ch; // ASCII: most text, and 10x faster
  return ch.normalize("NFKD").toLowerCase().normalize("NFKD").replace(MARKS, "");
}

/** Text folded the way the search indexes fold it: "Café" and "CAFE" both become "cafe". */
export function foldText(text: string): string {
  let out = "";
  for (const ch of text) out += foldChar(ch);
  return out;
}

/** The folded words of a text, in order. */
export function words(text: string): string[] {
  return foldText(text).match(TOKEN) ?? [];
}

/** A word of a message and where it sits: [start, end) in code points of the original text. */
export interface Located {
  word: string;
  start: number;
  end: number;
}

/** Every word of `text`, folded, with its place in the original (a trailing combining mark belongs to its word). */
export function locateWords(text: string): Located[] {
  let folded = "";
  const owner: number[] = []; // folded UTF-16 unit -> code point index in `text`
  const emptyAfter: boolean[] = []; // code point folds to nothing (a combining mark)
  let index = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    folded += f;
    for (let i = 0; i < f.length; i++) owner.push(index);
    emptyAfter[index] = f.length === 0;
    index++;
  }
  const located: Located[] = [];
  for (const m of folded.matchAll(TOKEN)) {
    const start = owner[m.index] as number;
    let end = (owner[m.index + m[0].length - 1] as number) + 1;
    while (end < index && emptyAfter[end] === true) end++;
    located.push({ word: m[0], start, end });
  }
  return located;
}

/** Splits the query into chunks: quoted phrases (only when the quote closes) and runs without spaces. */
function chunks(q: string): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q[i] as string;
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      const close = q.indexOf('"', i + 1);
      if (close !== -1) {
        out.push({ text: q.slice(i + 1, close), quoted: true });
        i = close + 1;
        continue;
      }
    }
    // A bare run; `from:"two words"` keeps its quoted name together.
    let j = i;
    while (j < q.length && !/\s/u.test(q[j] as string)) {
      if (q[j] === '"' && FROM.test(q.slice(i, j)) && j === i + 5) {
        const close = q.indexOf('"', j + 1);
        if (close !== -1) {
          j = close + 1;
          continue;
        }
      }
      j++;
    }
    out.push({ text: q.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}

/** The name of a from: chunk, or undefined when the chunk is not one (a lone "from:" is a plain word). */
function fromName(chunk: string): string | undefined {
  if (!FROM.test(chunk)) return undefined;
  let name = chunk.slice(5);
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1);
  name = name.trim();
  return name === "" ? undefined : name;
}

/**
 * The query as terms the stores can run. Never throws; a query without words or from: gives no terms (the
 * handler answers it with no hits). Several from: keep the last one (a message has one sender).
 */
export function parseSearchQuery(q: string): SearchQuery {
  const terms: SearchTerm[] = [];
  let from: string | undefined;
  let lastIsBare = false;
  for (const chunk of chunks(q)) {
    const name = chunk.quoted ? undefined : fromName(chunk.text);
    if (name !== undefined) {
      from = name;
      continue;
    }
    const room = MAX_QUERY_WORDS - terms.reduce((n, t) => n + t.tokens.length, 0);
    const tokens = words(chunk.text).slice(0, Math.min(MAX_PHRASE_WORDS, room));
    if (tokens.length === 0 || terms.length >= MAX_SEARCH_TERMS) continue;
    // The same word or phrase twice asks nothing more, and would cost the index a second read. Typed again in
    // quotes after the bare word being typed, it is an exact word after all.
    const same = terms.findIndex((t) => t.tokens.join(" ") === tokens.join(" "));
    if (same !== -1) {
      if (chunk.quoted && same === terms.length - 1) lastIsBare = false;
      continue;
    }
    terms.push({ tokens, prefix: false });
    lastIsBare = !chunk.quoted;
  }
  const last = terms.at(-1);
  if (last !== undefined && lastIsBare) last.prefix = true; // the word being typed
  return from === undefined ? { terms } : { terms, from };
}

export function isEmptyQuery(query: SearchQuery): boolean {
  return query.terms.length === 0 && query.from === undefined;
}

const matches = (word: string, wanted: string, prefix: boolean): boolean => (prefix ? word.startsWith(wanted) : word === wanted);

/** Where `term` occurs among the words: the index of each occurrence's first word. */
function occurrences(located: readonly Located[], term: SearchTerm): number[] {
  const n = term.tokens.length;
  const found: number[] = [];
  for (let i = 0; i + n <= located.length; i++) {
    if (term.tokens.every((t, k) => matches((located[i + k] as Located).word, t, term.prefix && k === n - 1))) found.push(i);
  }
  return found;
}

/** True when `content` holds every term of the query (words folded as the index folds them). */
export function matchesAllTerms(content: string, query: SearchQuery): boolean {
  const located = locateWords(content);
  return query.terms.every((term) => occurrences(located, term).length > 0);
}

/**
 * Where the query's words and phrases occur in `content`: sorted, merged [start, end) code-point ranges.
 * A word-prefix term marks every word it begins; a phrase marks its run of consecutive words.
 */
export function highlightRanges(content: string, query: SearchQuery): [number, number][] {
  const located = locateWords(content);
  const ranges: [number, number][] = [];
  for (const term of query.terms) {
    const n = term.tokens.length;
    for (const i of occurrences(located, term)) ranges.push([(located[i] as Located).start, (located[i + n - 1] as Located).end]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const prev = merged.at(-1);
    if (prev !== undefined && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

// Okapi BM25's usual constants: how fast repeats stop counting, and how much length matters.
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * The page ordered best match first: BM25 over the page's messages (term frequency, saturated, against the
 * message's length relative to the page's average), newest first among equals. The index-wide IDF is left
 * out: every message of a page holds every term, so it would only scale all scores alike, and SQLite's
 * bm25() computes it by reading every row that holds the term (75 ms for "the" in a million rows).
 */
export function rankByRelevance<T extends { id: number; content: string }>(page: readonly T[], query: SearchQuery): T[] {
  if (query.terms.length === 0) return [...page].sort((a, b) => b.id - a.id);
  const words = page.map((m) => locateWords(m.content));
  const avgLength = Math.max(1, words.reduce((sum, w) => sum + w.length, 0) / Math.max(1, page.length));
  const score = page.map((_, i) => {
    const located = words[i] as Located[];
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * located.length) / avgLength);
    return query.terms.reduce((sum, term) => {
      const tf = occurrences(located, term).length;
      return sum + (tf * (BM25_K1 + 1)) / (tf + norm);
    }, 0);
  });
  return page
    .map((m, i) => ({ m, s: score[i] as number }))
    .sort((a, b) => b.s - a.s || b.m.id - a.m.id)
    .map((x) => x.m);
}
