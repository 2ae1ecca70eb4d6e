// Message text to DOM nodes: plain text nodes, plus <a> for http(s) URLs. Never parses HTML.

import { shownHost } from "./link-host.js";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
// Sentence punctuation right after a URL belongs to the sentence, not the link.
const TRAILING_CHARS = ".,;:!?'\")]}*";

/**
 * Splits text into [text, url, text, url, ...] runs; URL runs are only http: and https: URLs. A URL run's `text`
 * is what was typed (its length places mentions); `shown` is the link's visible text, whose host is the one the
 * link leads to, in punycode when it could pass for another site (link-host.js).
 * @param {string} text
 * @returns {{ text: string, href?: string, shown?: string }[]}
 */
export function splitLinks(text) {
  /** @type {{ text: string, href?: string, shown?: string }[]} */
  const runs = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    if (href === null) continue;
    const start = match.index ?? 0;
    if (start > last) runs.push({ text: text.slice(last, start) });
    runs.push({ text: candidate, href, shown: shownLink(candidate, new URL(href)) });
    last = start + candidate.length;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}

/** @param {string} url */
function trimTrailing(url) {
  let end = url.length;
  // Counted once and kept as the end moves: counting again at each step made a run of ")" quadratic.
  const opened = countOf(url, "(");
  let closed = countOf(url, ")");
  while (end > 0 && TRAILING_CHARS.includes(url[end - 1] ?? "")) {
    // A closing parenthesis that closes one opened inside the URL is part of it (Wikipedia-style links).
    if (url[end - 1] === ")") {
      if (opened >= closed) break;
      closed--;
    }
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
 * reads as the bank and leads to evil.example: such text stays text. So does a URL whose text a reader (or an
 * RFC 3986 parser) would cut at another place than the browser's parser: "https://evil.example\@bank.example" leads
 * to evil.example (WHATWG URL reads "\" as "/") but reads as the bank behind a user name, and "https:///host" has
 * no host where a reader looks for it (docs/security.md).
 * @param {string} candidate @returns {string | null}
 */
export function safeHref(candidate) {
  // No host at all where a reader looks for one ("https:///аpple.com/x"): the parser skips the extra slash and finds
  // the host in what reads as the path, so the text would show the real host followed by the look-alike.
  const authority = readerAuthority(candidate);
  if (authority === "" || /[@\\]/u.test(authority)) return null;
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
 * What a reader takes for a URL's host part: from "//" to the first "/", "?" or "#" (RFC 3986's authority). The URL
 * parser ends it at a backslash too, and reads a user name before an "@": both are refused above.
 * @param {string} candidate text that starts "http://" or "https://"
 */
function readerAuthority(candidate) {
  const start = candidate.indexOf("//") + 2;
  const end = candidate.slice(start).search(/[/?#]/u);
  return end === -1 ? candidate.slice(start) : candidate.slice(start, start + end);
}

/**
 * The typed URL with its host as the reader should see it. The typed host stays when it is, but for case, the host
 * the link leads to; otherwise the real one replaces it: "https://аpple.com/x" (Cyrillic а) shows as
 * "https://xn--pple-43d.com/x", and "https://ſacebook.com" (long s, which the URL parser reads as "s") as
 * "https://sacebook.com".
 * @param {string} typed a URL that safeHref accepted, so "http(s)://" and no user:password@
 * @param {URL} url
 */
function shownLink(typed, url) {
  const hostStart = typed.indexOf("//") + 2;
  const rest = typed.slice(hostStart).search(/[/?#\\]/u);
  const hostEnd = rest === -1 ? typed.length : hostStart + rest;
  const typedHost = typed.slice(hostStart, hostEnd).replace(/:[^:\]]*$/u, ""); // without the port
  const host = shownHost(url.hostname);
  if (typedHost.toLowerCase() === host) return typed;
  return typed.slice(0, hostStart) + host + (url.port === "" ? "" : `:${url.port}`) + typed.slice(hostEnd);
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
    a.textContent = run.shown ?? run.text;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    parent.append(a);
  }
}
