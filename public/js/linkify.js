// Message text to DOM nodes: plain text nodes, plus <a> for http(s) URLs. Never parses HTML.

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
// Sentence punctuation right after a URL belongs to the sentence, not the link.
const TRAILING_CHARS = ".,;:!?'\")]}*";

/**
 * Splits text into [text, url, text, url, ...] runs; URL runs are only http: and https: URLs.
 * @param {string} text
 * @returns {{ text: string, href?: string }[]}
 */
export function splitLinks(text) {
  /** @type {{ text: string, href?: string }[]} */
  const runs = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    if (href === null) continue;
    const start = match.index ?? 0;
    if (start > last) runs.push({ text: text.slice(last, start) });
    runs.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}

/** @param {string} url */
function trimTrailing(url) {
  let end = url.length;
  while (end > 0 && TRAILING_CHARS.includes(url[end - 1] ?? "")) {
    const kept = url.slice(0, end);
    // A closing parenthesis that closes one opened inside the URL is part of it (Wikipedia-style links).
    if (url[end - 1] === ")" && countOf(kept, "(") >= countOf(kept, ")")) break;
    end--;
  }
  return url.slice(0, end);
}

/** @param {string} text @param {string} ch */
function countOf(text, ch) {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/**
 * The URL when it parses, is http(s) and has no user:password@ part, else null. "https://bank.example@evil.example/"
 * reads as the bank and leads to evil.example: such text stays text.
 * @param {string} candidate @returns {string | null}
 */
export function safeHref(candidate) {
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.username !== "" || url.password !== "") return null;
    return url.href;
  } catch {
    return null;
  }
}

/**
 * Appends `text` to `parent`: text nodes, and links that open in a new tab without referrer or opener.
 * @param {HTMLElement} parent
 * @param {string} text
 */
export function appendLinkified(parent, text) {
  const doc = parent.ownerDocument;
  for (const run of splitLinks(text)) {
    if (run.href === undefined) {
      parent.append(doc.createTextNode(run.text));
      continue;
    }
    const a = doc.createElement("a");
    a.href = run.href;
    a.textContent = run.text;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    parent.append(a);
  }
}
