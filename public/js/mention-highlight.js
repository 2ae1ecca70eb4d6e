// Mentions in a message's text: each `@name` the server resolved (the message's `mentions`) becomes a
// <span class="mention">@<bdi>name</bdi></span>, and `mention mention--me` when it names the reader. The server decides who is
// mentioned; the page only finds where, by the same rules as src/chat/mentions.ts (an `@` not inside a word,
// the longest name that follows, ending at a word boundary), folding with NFKC and case only. A look-alike
// the server matched by its confusable skeleton (Cyrillic "А" for Latin "A") is therefore not found here and
// stays plain text; the row is still marked, since that follows `mentions`, not the text. Builds nodes only.
import { appendLinkified, splitLinks } from "./linkify.js";
import { nameKey } from "./format.js";
import { mentionsMe } from "./mentions.js";

// Letters, digits, marks and "_", as on the server: an `@` after one is inside a word (an email address),
// and a name followed by one is the start of a longer word ("@Anabel" does not mention Ana).
// WORD and UNIT are made on first use, not when the page loads: a Unicode-property pattern costs a few ms to build on a
// phone's CPU, and a page with no message to draw yet (the join form) never needs them.
/** @type {RegExp | null} */
let WORD = null;
const SPACE = /^\s/u;
// One base character with its combining marks: a match never ends halfway through "e\u0301".
/** @type {RegExp | null} */
let UNIT = null;

/**
 * The page's key for matching a name in text: compatibility forms (NFKC: "𝖠𝗇𝖺" is "Ana"), case (upper
 * then lower, so "STRASSE" meets "Straße" as the server's full case folding does), runs of white space as one.
 * @param {string} text
 */
export function mentionKey(text) {
  return nameKey(text.normalize("NFKC").toUpperCase()).normalize("NFC").replace(/\s+/gu, " ").trim();
}

/** @typedef {{ start: number, end: number, name: string }} MentionRange `start` at the "@", `end` after the name (UTF-16 offsets) */

/** @param {string | undefined} ch */
const isWord = (ch) => ch !== undefined && (WORD ??= /^[\p{L}\p{N}\p{M}_]/u).test(ch);

/** @param {string} text @param {number} at @returns {string | undefined} */
function unitAt(text, at) {
  const unit = (UNIT ??= /\P{M}\p{M}*|\p{M}+/uy);
  unit.lastIndex = at;
  return unit.exec(text)?.[0];
}

/** The code point just before `at` (a surrogate pair read whole). @param {string} text @param {number} at */
function codePointBefore(text, at) {
  if (at === 0) return undefined;
  const low = text.charCodeAt(at - 1);
  return low >= 0xdc00 && low <= 0xdfff && at >= 2 ? text.slice(at - 2, at) : text[at - 1];
}

/** An `@` that can start a mention: not inside a word, not `@@`, followed by neither space nor mark. @param {string} text @param {number} at */
function opensMention(text, at) {
  const before = codePointBefore(text, at);
  if (before === "@" || isWord(before)) return false;
  const after = unitAt(text, at + 1);
  return after !== undefined && after !== "@" && !SPACE.test(after) && !/^\p{M}/u.test(after);
}

/** A name may end where the next unit is not `@` and not a word character continuing a word. @param {string} previous @param {string | undefined} next */
function endsAtBoundary(previous, next) {
  if (next === undefined) return true;
  if (next.startsWith("@")) return false; // "@ana@example.com" is an address
  return !isWord(next) || !isWord(previous);
}

/**
 * The longest of `byKey`'s names written right after an `@` at `from`, ending at a boundary, or null.
 * @param {string} text @param {number} from @param {Map<string, string>} byKey @param {number} longestKey
 */
function longestAt(text, from, byKey, longestKey) {
  /** @type {{ name: string, end: number } | null} */
  let best = null;
  let at = from;
  for (let unit = unitAt(text, at); unit !== undefined; ) {
    at += unit.length;
    const next = unitAt(text, at);
    if (!SPACE.test(unit) && endsAtBoundary(unit, next)) {
      const key = mentionKey(text.slice(from, at));
      if (key.length > longestKey) break; // only longer from here on
      const name = byKey.get(key);
      if (name !== undefined) best = { name, end: at };
    }
    unit = next;
  }
  return best;
}

/**
 * Where `text` writes the names in `mentions` (the ones the server resolved), in order. At each `@` that
 * opens a mention the longest of those names that follows wins ("@Bob" is Bob, not Bo), and the name is used
 * up (an `@` inside it starts nothing). A name the page's key cannot find in the text is left out.
 * @param {string} text
 * @param {unknown} mentions
 * @returns {MentionRange[]}
 */
export function findMentions(text, mentions) {
  if (!Array.isArray(mentions) || mentions.length === 0 || !text.includes("@")) return [];
  /** @type {Map<string, string>} */
  const byKey = new Map();
  for (const name of mentions) {
    if (typeof name !== "string") continue;
    const key = mentionKey(name);
    if (key !== "" && !byKey.has(key)) byKey.set(key, name);
  }
  if (byKey.size === 0) return [];
  const longestKey = Math.max(...[...byKey.keys()].map((k) => k.length));
  /** @type {MentionRange[]} */
  const found = [];
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    if (!opensMention(text, at)) continue;
    const match = longestAt(text, at + 1, byKey, longestKey);
    if (match === null) continue;
    found.push({ start: at, end: match.end, name: match.name });
    at = match.end - 1;
  }
  return found;
}

/**
 * The name to mark as the reader's in a message: "" for the reader's own messages (nobody needs telling
 * that they wrote their own name), else `me`.
 * @param {string} sender @param {string} me
 */
export function readerOf(sender, me) {
  return me !== "" && nameKey(sender) === nameKey(me) ? "" : me;
}

/**
 * Whether a message row is marked as mentioning the reader: the server's `mentions` name them, and they
 * did not write it. Found or not in the text (a look-alike), the row says so.
 * @param {{ sender: string, mentions?: unknown }} msg @param {string} me
 */
export function mentionsReader(msg, me) {
  const reader = readerOf(msg.sender, me);
  return reader !== "" && mentionsMe({ mentions: Array.isArray(msg.mentions) ? msg.mentions : undefined }, reader);
}

/**
 * Appends `text` to `parent`: the parts inside `ranges` as mention spans, the parts between them, and each
 * span's inside, through `fill(target, start, end)` (which appends `text.slice(start, end)` to `target`).
 * @param {HTMLElement} parent @param {string} text @param {MentionRange[]} ranges @param {string} me the reader ("" for none)
 * @param {(target: HTMLElement, start: number, end: number) => void} fill
 */
export function appendWithSpans(parent, text, ranges, me, fill) {
  const doc = parent.ownerDocument;
  const meKey = me === "" ? "" : mentionKey(me);
  let cursor = 0;
  for (const r of ranges) {
    if (r.start < cursor || r.end > text.length) continue;
    if (r.start > cursor) fill(parent, cursor, r.start);
    const span = doc.createElement("span");
    span.className = meKey !== "" && mentionKey(r.name) === meKey ? "mention mention--me" : "mention";
    // The mention is isolated (mentions.css) in its line's own direction, "@" first, so the "@" comes before the name
    // as the line reads: "@محمد" in an English line has it on the left, "@Ana" in a Hebrew one on the right. The name
    // is a <bdi> of its own direction. With dir="auto" on the whole span, an Arabic name took the "@" to its right
    // even in an English line.
    const name = doc.createElement("bdi");
    fill(span, r.start, r.start + 1);
    fill(name, r.start + 1, r.end);
    span.append(name);
    parent.append(span);
    cursor = r.end;
  }
  if (cursor < text.length) fill(parent, cursor, text.length);
}

/**
 * A message's text with its links and mention spans. A link wins over a mention inside it
 * ("https://example.com/@bob" stays one link).
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {unknown} mentions the message's `mentions`
 * @param {string} me the reader's name, "" when the reader wrote it (see readerOf)
 */
export function appendMentioned(parent, text, mentions, me) {
  const ranges = findMentions(text, mentions);
  if (ranges.length === 0) {
    appendLinkified(parent, text);
    return;
  }
  /** @type {[number, number][]} */
  const links = [];
  let offset = 0;
  for (const run of splitLinks(text)) {
    if (run.href !== undefined) links.push([offset, offset + run.text.length]);
    offset += run.text.length;
  }
  const outsideLinks = ranges.filter((r) => !links.some(([s, e]) => r.start < e && s < r.end));
  appendWithSpans(parent, text, outsideLinks, me, (target, start, end) => appendLinkified(target, text.slice(start, end)));
}
