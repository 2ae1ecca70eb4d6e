// Which present names a message mentions with `@name`. Pure, no I/O: the caller passes the room's names.
// Matching is by the ownership key (names.ts), so `@ana`, `@ANA` and a look-alike `@Аna` all mention the
// "Ana" who holds that key; the result is the names as presence shows them.
import { nameKey } from "../shared/names.js";

// Letters, digits, marks and "_": an `@` after one of these is inside a word (an email, `x@y`), and a
// name followed by one is the start of a longer word ("@Anabel" does not mention Ana).
const WORD = /^[\p{L}\p{N}\p{M}_]/u;
const SPACE = /^\s/u;
// One base character with the combining marks that follow it (or a run of marks with no base): the
// smallest pieces the key folds on their own, so a match never ends halfway through "e\u0301".
const UNIT = /\P{M}\p{M}*|\p{M}+/uy;

/** Keys of names and of single characters repeat from message to message; bounded so it cannot grow without end. */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 20_000;

function cachedKey(text: string): string {
  let key = keyCache.get(text);
  if (key === undefined) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    key = nameKey(text);
    keyCache.set(text, key);
  }
  return key;
}

/** Present names by key (the first name per key, as presence holds one), with what bounds the search. */
interface NameIndex {
  byKey: Map<string, string>;
  /** First characters of the keys: an `@` followed by anything else is skipped at once. */
  firstChars: Set<string>;
  longestKey: number;
}

function indexNames(present: readonly string[]): NameIndex {
  const byKey = new Map<string, string>();
  const firstChars = new Set<string>();
  let longestKey = 0;
  for (const name of present) {
    const key = cachedKey(name);
    if (key === "" || byKey.has(key)) continue;
    byKey.set(key, name);
    firstChars.add(firstCodePoint(key));
    longestKey = Math.max(longestKey, key.length);
  }
  return { byKey, firstChars, longestKey };
}

const firstCodePoint = (text: string): string => String.fromCodePoint(text.codePointAt(0) as number);
const isWord = (ch: string | undefined): boolean => ch !== undefined && WORD.test(ch);

/** The unit (base character and its marks) starting at `at`, or undefined at the end. */
function unitAt(content: string, at: number): string | undefined {
  UNIT.lastIndex = at;
  return UNIT.exec(content)?.[0];
}

/** The code point that ends just before `at` (a surrogate pair read whole). */
function codePointBefore(content: string, at: number): string | undefined {
  if (at === 0) return undefined;
  const low = content.charCodeAt(at - 1);
  const isPair = low >= 0xdc00 && low <= 0xdfff && at >= 2;
  return isPair ? content.slice(at - 2, at) : content[at - 1];
}

/** An `@` at `at` that can start a mention: not inside a word, not `@@`, and followed by something other than space. */
function opensMention(content: string, at: number): boolean {
  const before = codePointBefore(content, at);
  if (before === "@" || isWord(before)) return false;
  const after = unitAt(content, at + 1);
  // "@" followed by a combining mark is one unit, "@\u0301", and not an @ at all.
  return after !== undefined && after !== "@" && !SPACE.test(after) && !/^\p{M}/u.test(after);
}

/** A name may end where the next unit is not `@` and the two sides are not both word characters. */
function endsAtBoundary(previous: string, next: string | undefined): boolean {
  if (next === undefined) return true;
  if (next.startsWith("@")) return false; // "@ana@example.com" is an address, not a mention
  return !isWord(next) || !isWord(previous);
}

/** Where a candidate name could end: the source offset after it, and its folded text so far. */
interface End {
  sourceEnd: number;
  folded: string;
}

/**
 * The text after an `@`, folded one unit at a time (as the key folds it; a run of white space is one
 * space) only as far as the longest present key reaches, with every place a name could end there.
 */
function candidateEnds(content: string, from: number, longestKey: number): End[] {
  const ends: End[] = [];
  let folded = "";
  let at = from;
  let previous = "";
  for (let unit = unitAt(content, at); unit !== undefined; ) {
    const isSpace = SPACE.test(unit);
    if (!(isSpace && previous !== "" && SPACE.test(previous))) folded += isSpace ? " " : cachedKey(unit);
    if (folded.length > longestKey) break;
    at += unit.length;
    const next = unitAt(content, at);
    if (!isSpace && endsAtBoundary(unit, next)) ends.push({ sourceEnd: at, folded });
    previous = unit;
    unit = next;
  }
  return ends;
}

/**
 * The longest present name that starts at `from` (right after an `@`) and ends at a word boundary, with
 * the offset after it; null when none. A hit on the folded text is confirmed with the key of the exact
 * source text, so folding unit by unit can never match what nameKey would not.
 */
function longestMatch(content: string, from: number, names: NameIndex): { name: string; end: number } | null {
  const first = unitAt(content, from) as string;
  if (!names.firstChars.has(firstCodePoint(cachedKey(first) || " "))) return null;
  const ends = candidateEnds(content, from, names.longestKey);
  for (let i = ends.length - 1; i >= 0; i--) {
    const { sourceEnd, folded } = ends[i] as End;
    const name = names.byKey.get(folded);
    if (name !== undefined && nameKey(content.slice(from, sourceEnd)) === folded) return { name, end: sourceEnd };
  }
  return null;
}

/**
 * The present names that `content` mentions, deduplicated, in the order they first appear. At each `@`
 * that opens a mention, the longest present name whose key matches the text that follows (on the folded
 * text) and ends at a word boundary wins. Work is bounded by the longest present key after each `@`.
 */
export function resolveMentions(content: string, present: readonly string[]): string[] {
  if (!content.includes("@") || present.length === 0) return [];
  const names = indexNames(present);
  const found: string[] = [];
  for (let at = content.indexOf("@"); at !== -1; at = content.indexOf("@", at + 1)) {
    if (!opensMention(content, at)) continue;
    const match = longestMatch(content, at + 1, names);
    if (match === null) continue;
    if (!found.includes(match.name)) found.push(match.name);
    at = match.end - 1; // the name is used up: an "@" inside it starts nothing
  }
  return found;
}
