// Which present names a message mentions with `@name`. Pure, no I/O: the caller passes the room's names.
// Matching is by the ownership key (names.ts), so `@ana`, `@ANA` and a look-alike `@Аna` all mention the
// "Ana" who holds that key; the result is the names as presence shows them.
import { nameKey } from "./names.js";

// Letters, digits, marks and "_": an `@` after one of these is inside a word (an email, `x@y`), and a
// name followed by one is the start of a longer word ("@Anabel" does not mention Ana).
const WORD = /^[\p{L}\p{N}\p{M}_]/u;
const SPACE = /^\s/u;
// One base character with the combining marks that follow it (or a run of marks with no base): the
// smallest pieces the key folds on their own, so a match never ends halfway through "e\u0301".
const UNIT = /\P{M}\p{M}*|\p{M}+/gu;

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

/** The content cut into units and folded: `folded` is the text in key space, with where each unit starts in it. */
interface FoldedText {
  units: string[];
  /** Offset of unit k in the source; one more entry, the source's length. */
  sourceStart: number[];
  /** Offset of unit k in `folded`; one more entry, folded.length. */
  foldedStart: number[];
  folded: string;
  /** folded offset -> the first unit that starts there (several do when a unit folds to nothing). */
  unitAt: Map<number, number>;
}

function foldText(content: string): FoldedText {
  const units = content.match(UNIT) ?? [];
  const sourceStart: number[] = [];
  const foldedStart: number[] = [];
  const unitAt = new Map<number, number>();
  let folded = "";
  let source = 0;
  let wasSpace = false;
  for (const [k, unit] of units.entries()) {
    sourceStart.push(source);
    foldedStart.push(folded.length);
    if (!unitAt.has(folded.length)) unitAt.set(folded.length, k);
    const isSpace = SPACE.test(unit);
    // As in the key, a run of white space is one space.
    if (isSpace) folded += wasSpace ? "" : " ";
    else folded += cachedKey(unit);
    wasSpace = isSpace;
    source += unit.length;
  }
  sourceStart.push(source);
  foldedStart.push(folded.length);
  if (!unitAt.has(folded.length)) unitAt.set(folded.length, units.length);
  return { units, sourceStart, foldedStart, folded, unitAt };
}

/** Present names by the first character of their key, longest key first: the greedy order. */
function candidatesByFirstChar(present: readonly string[]): Map<string, { key: string; name: string }[]> {
  const byFirst = new Map<string, { key: string; name: string }[]>();
  const seen = new Set<string>();
  for (const name of present) {
    const key = cachedKey(name);
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    const first = String.fromCodePoint(key.codePointAt(0) as number);
    const list = byFirst.get(first) ?? [];
    list.push({ key, name });
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.key.length - a.key.length);
  return byFirst;
}

const isWordUnit = (unit: string | undefined): boolean => unit !== undefined && WORD.test(unit);

/** An `@` that can start a mention: not inside a word, not `@@`, and followed by something other than space. */
function opensMention(t: FoldedText, k: number): boolean {
  if (t.units[k] !== "@") return false;
  const before = t.units[k - 1];
  if (before !== undefined && (before === "@" || isWordUnit(before))) return false;
  const after = t.units[k + 1];
  return after !== undefined && after !== "@" && !SPACE.test(after);
}

/** A match may end here: at the end, before a non-word character (not another `@`), or after a non-word one. */
function endsAtBoundary(t: FoldedText, end: number): boolean {
  const next = t.units[end];
  if (next === undefined) return true;
  if (next.startsWith("@")) return false; // "@ana@example.com" is an address, not a mention
  return !isWordUnit(next) || !isWordUnit(t.units[end - 1]);
}

/**
 * The present names that `content` mentions, deduplicated, in the order they first appear. At each `@`
 * that opens a mention, the longest present name whose key matches the text that follows (on the folded
 * text) and ends at a word boundary wins; the match is confirmed with the key of the exact source text.
 */
export function resolveMentions(content: string, present: readonly string[]): string[] {
  if (!content.includes("@") || present.length === 0) return [];
  const t = foldText(content);
  const byFirst = candidatesByFirstChar(present);
  const found: string[] = [];
  for (let k = 0; k < t.units.length; k++) {
    if (!opensMention(t, k)) continue;
    const start = t.foldedStart[k + 1] as number;
    const first = t.folded.codePointAt(start);
    if (first === undefined) continue;
    for (const { key, name } of byFirst.get(String.fromCodePoint(first)) ?? []) {
      if (!t.folded.startsWith(key, start)) continue;
      const end = t.unitAt.get(start + key.length);
      if (end === undefined || end <= k + 1 || !endsAtBoundary(t, end)) continue;
      if (cachedKey(content.slice(t.sourceStart[k + 1], t.sourceStart[end])) !== key) continue;
      if (!found.includes(name)) found.push(name);
      k = end - 1; // the name is used up: an "@" inside it starts nothing
      break;
    }
  }
  return found;
}
