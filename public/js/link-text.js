// Message text in places that show it as plain text (desktop notifications, search hits, reply quotes): each URL that
// the message view would make a link reads with the host that link would show (linkify.js, link-host.js), so
// "https://аpple.com/login" (Cyrillic а) reads "https://xn--pple-43d.com/login" there too. Everything else stays as
// typed, and it stays text: callers set textContent. The server's push text does the same (src/shared/link-text.ts).

import { splitLinks } from "./linkify.js";

/** @typedef {{ start: number, end: number, shown: string }} HostEdit typed text[start, end) reads as `shown` */

/**
 * Where the text's URLs read otherwise than typed: each link's typed host and what replaces it. Only the part that
 * differs (the host, with its port) is an edit, so marks and mentions elsewhere in the URL keep their places.
 * @param {string} text @returns {HostEdit[]}
 */
export function hostEdits(text) {
  /** @type {HostEdit[]} */
  const edits = [];
  let offset = 0;
  for (const run of splitLinks(text)) {
    if (run.shown !== undefined && run.shown !== run.text) edits.push(differingPart(run.text, run.shown, offset));
    offset += run.text.length;
  }
  return edits;
}

/**
 * `typed` and `shown` differ in one stretch (the host): its place in the text, and what shows there.
 * @param {string} typed @param {string} shown @param {number} offset where `typed` starts in the text
 * @returns {HostEdit}
 */
function differingPart(typed, shown, offset) {
  let head = 0;
  while (head < typed.length && head < shown.length && typed[head] === shown[head]) head++;
  let tail = 0;
  while (tail < typed.length - head && tail < shown.length - head && typed.at(-1 - tail) === shown.at(-1 - tail)) tail++;
  return { start: offset + head, end: offset + typed.length - tail, shown: shown.slice(head, shown.length - tail) };
}

/**
 * `text[from, to)` as it reads: a host edit shows whole in the slice holding its first character, none of it in
 * another, so slices drawn one after another (a search hit's marked words) read as shownText(text).
 * @param {string} text @param {HostEdit[]} edits from hostEdits(text) @param {number} from @param {number} to
 */
export function shownSlice(text, edits, from, to) {
  let out = "";
  let at = from;
  for (const edit of edits) {
    // An edit that only inserts, at the text's very end ("http://10.0" reads "http://10.0.0.0"), has no character to
    // follow: it shows in the slice that ends the text.
    const endsText = edit.start === edit.end && edit.start === to && to === text.length;
    if (!endsText && (edit.end <= from || edit.start >= to)) {
      if (edit.start === from && edit.end === from) out += edit.shown; // an edit that only inserts, at the slice's start
      continue;
    }
    if (edit.start > at) out += text.slice(at, edit.start);
    if (edit.start >= from) out += edit.shown;
    at = Math.min(edit.end, to);
  }
  return at < to ? out + text.slice(at, to) : out;
}

/**
 * A search hit's pieces (one after another over the text, some marked) cut at each host edit's ends, and a host's
 * pieces all marked when the query matched any part of it: the host shows whole in the piece holding its first
 * character (shownSlice), so a mark that began later inside it ("bücher" in "my-bücher.de", which reads
 * "xn--my-bcher-95a.de" from its "m") would show on nothing.
 * @param {{ start: number, end: number, isMatch: boolean }[]} runs @param {HostEdit[]} edits from hostEdits(text)
 */
export function markWholeHosts(runs, edits) {
  if (edits.length === 0) return runs;
  const cuts = edits.flatMap((edit) => [edit.start, edit.end]); // in order: edits are sorted and apart
  /** @type {{ start: number, end: number, isMatch: boolean }[]} */
  const pieces = [];
  for (const run of runs) {
    let start = run.start;
    for (const cut of cuts) {
      if (cut <= start || cut >= run.end) continue;
      pieces.push({ start, end: cut, isMatch: run.isMatch });
      start = cut;
    }
    pieces.push({ start, end: run.end, isMatch: run.isMatch });
  }
  for (const edit of edits) {
    const host = pieces.filter((p) => p.start >= edit.start && p.end <= edit.end && p.start < p.end);
    if (host.some((p) => p.isMatch)) for (const p of host) p.isMatch = true;
  }
  return pieces;
}

/** The whole text as it reads: each URL with the host its link would show. @param {string} text */
export function shownText(text) {
  return shownSlice(text, hostEdits(text), 0, text.length);
}
