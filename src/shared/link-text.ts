// Message text with each URL's host as the page's link would show it (a look-alike host in punycode), for text the
// server writes itself: a push notification's excerpt (push/text.ts). Pure, no I/O.
//
// A mirror of the page's rule (public/js/linkify.js: which URLs are links; link-host.js: which hosts show as
// punycode; link-text.js: shownText), not an import of it: the page is served as plain modules and src/ is
// compiled on its own (rootDir src, no allowJs), and no server code loads public/js; push/text.ts mirrors the
// page's notification words the same way. test/link-text.test.ts runs both over the same texts, random hosts
// included, so neither can change alone. One difference in means, not in answers: Node's domainToUnicode decodes
// the "xn--" labels where the page ships its own decoder (browsers have none).
import { domainToUnicode } from "node:url";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
const TRAILING_CHARS = ".,;:!?'\")]}*";
const ACE_PREFIX = "xn--";
const SCRIPTS = [
  "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Thaana", "Devanagari", "Bengali", "Gurmukhi",
  "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar",
  "Georgian", "Hangul", "Ethiopic", "Khmer", "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han",
].map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, "u") }));
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const CJK_GROUPS = [new Set(["Han", "Hiragana", "Katakana"]), new Set(["Han", "Bopomofo"]), new Set(["Han", "Hangul"])];

/** `text` with each URL the page would link shown with that link's host; the rest as typed. */
export function shownText(text: string): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const typed = trimTrailing(match[0]);
    const url = linkTarget(typed);
    if (url === null) continue;
    const start = match.index;
    out += text.slice(last, start) + shownLink(typed, url);
    last = start + typed.length;
  }
  return out + text.slice(last);
}

/** The page's trimTrailing: sentence punctuation after a URL is not part of it; a ")" closing one inside it is. */
function trimTrailing(url: string): string {
  let end = url.length;
  const opened = countOf(url, "(");
  let closed = countOf(url, ")");
  while (end > 0 && TRAILING_CHARS.includes(url[end - 1] ?? "")) {
    if (url[end - 1] === ")") {
      if (opened >= closed) break;
      closed--;
    }
    end--;
  }
  return url.slice(0, end);
}

function countOf(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/** The page's safeHref, as the parsed URL: http(s), no user name, nothing a reader cuts elsewhere ("\", "@", no host). */
function linkTarget(typed: string): URL | null {
  const start = typed.indexOf("//") + 2;
  const end = typed.slice(start).search(/[/?#]/u);
  const authority = end === -1 ? typed.slice(start) : typed.slice(start, start + end);
  if (authority === "" || /[@\\]/u.test(authority)) return null;
  try {
    const url = new URL(typed);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.username === "" && url.password === "" ? url : null;
  } catch {
    return null;
  }
}

/** The page's shownLink: the typed URL, its host replaced by shownHost() unless that is the typed one but for case. */
function shownLink(typed: string, url: URL): string {
  const hostStart = typed.indexOf("//") + 2;
  const rest = typed.slice(hostStart).search(/[/?#\\]/u);
  const hostEnd = rest === -1 ? typed.length : hostStart + rest;
  const typedHost = typed.slice(hostStart, hostEnd).replace(/:[^:\]]*$/u, "");
  const host = shownHost(url.hostname);
  if (typedHost.toLowerCase() === host) return typed;
  return typed.slice(0, hostStart) + host + (url.port === "" ? "" : `:${url.port}`) + typed.slice(hostEnd);
}

/** The page's shownHost (link-host.js): Unicode unless it could pass for another site, then the ASCII form. */
export function shownHost(hostname: string): string {
  const labels = hostname.split(".");
  if (!labels.some((label) => label.startsWith(ACE_PREFIX))) return hostname;
  const decoded = labels.map((label) => (label.startsWith(ACE_PREFIX) ? domainToUnicode(label) : label));
  // "" is domainToUnicode's answer for what is not punycode (the page's decoder says null): shown as it is.
  if (labels.some((label, i) => label.startsWith(ACE_PREFIX) && decoded[i] === "")) return hostname;
  return isLookAlike(decoded) ? hostname : decoded.join(".");
}

function isLookAlike(labels: string[]): boolean {
  const tld = labels.filter((label) => label !== "").at(-1) ?? "";
  if (isAscii(tld)) return labels.some((label) => !isAscii(label));
  const tldScripts = scriptsOf(tld);
  return labels.some((label) => !isAscii(label) && !isOneScript(new Set([...scriptsOf(label), ...tldScripts])));
}

function scriptsOf(label: string): Set<string> {
  const scripts = new Set<string>();
  for (const ch of label) {
    if (isAscii(ch)) {
      if (/[a-z]/i.test(ch)) scripts.add("ASCII");
    } else if (!NEUTRAL.test(ch)) {
      scripts.add(SCRIPTS.find((s) => s.pattern.test(ch))?.name ?? "Unknown");
    }
  }
  return scripts;
}

function isOneScript(scripts: Set<string>): boolean {
  const hasAscii = scripts.delete("ASCII");
  if (scripts.has("Unknown")) return false;
  if (scripts.size === 0) return true;
  if (CJK_GROUPS.some((group) => [...scripts].every((s) => group.has(s)))) return true;
  return scripts.size === 1 && (!hasAscii || scripts.has("Latin"));
}

function isAscii(text: string): boolean {
  for (const ch of text) if (ch.charCodeAt(0) > 0x7f) return false;
  return true;
}
