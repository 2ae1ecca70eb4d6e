// How a link's host is shown in message text: as typed, or in its ASCII (punycode) form when it could pass for
// another site. A simplified Chromium IDN display policy (docs/security.md, "Look-alike hosts in links").

import { decodePunycode } from "./punycode.js";

const ACE_PREFIX = "xn--";
// Scripts a host label may be written in; a letter of any other script shows the host as punycode (unknown = unsafe).
const SCRIPTS = [
  "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Thaana", "Devanagari", "Bengali", "Gurmukhi",
  "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar",
  "Georgian", "Hangul", "Ethiopic", "Khmer", "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han",
].map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, "u") }));
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u; // digits, hyphens, combining marks: no script of their own
// Chromium lets ASCII letters mix only with Chinese, Japanese or Korean, whose registries do the same.
const CJK_GROUPS = [new Set(["Han", "Hiragana", "Katakana"]), new Set(["Han", "Bopomofo"]), new Set(["Han", "Hangul"])];

/**
 * The host as a reader should see it: the Unicode host when it is ASCII or a genuine IDN under an IDN top-level
 * domain, else the ASCII form `new URL()` gives (`xn--pple-43d.com` for a Cyrillic "аpple.com").
 * @param {string} hostname `URL.hostname`: ASCII, IDN labels as "xn--…"
 * @returns {string}
 */
export function shownHost(hostname) {
  const labels = hostname.split(".");
  if (!labels.some((label) => label.startsWith(ACE_PREFIX))) return hostname;
  const unicode = labels.map((label) => (label.startsWith(ACE_PREFIX) ? decodePunycode(label.slice(ACE_PREFIX.length)) : label));
  if (unicode.some((label) => label === null)) return hostname;
  const decoded = /** @type {string[]} */ (unicode);
  return isLookAlike(decoded) ? hostname : decoded.join(".");
}

/**
 * Under an ASCII top-level domain (com, org, de…) any non-ASCII label could imitate an ASCII one ("аpple", "ɡoogle",
 * "gօօgle"): Chromium catches these with confusable tables and a list of top sites that the page does not ship, so
 * every such host shows as punycode. Under an IDN top-level domain (рф, 中国) each non-ASCII label must be of the
 * TLD's own script, unmixed (CJK mixes as Chromium allows).
 * @param {string[]} labels Unicode labels, the last maybe "" (a trailing dot)
 */
function isLookAlike(labels) {
  const tld = labels.filter((label) => label !== "").at(-1) ?? "";
  if (isAscii(tld)) return labels.some((label) => !isAscii(label));
  const tldScripts = scriptsOf(tld);
  return labels.some((label) => !isAscii(label) && !isOneScript(new Set([...scriptsOf(label), ...tldScripts])));
}

/**
 * The scripts of a label's letters: "ASCII" for a-z, "Unknown" for a script not in SCRIPTS.
 * @param {string} label @returns {Set<string>}
 */
function scriptsOf(label) {
  const scripts = new Set();
  for (const ch of label) {
    if (isAscii(ch)) {
      if (/[a-z]/i.test(ch)) scripts.add("ASCII");
    } else if (!NEUTRAL.test(ch)) {
      scripts.add(SCRIPTS.find((s) => s.pattern.test(ch))?.name ?? "Unknown");
    }
  }
  return scripts;
}

/**
 * One script (Latin with or without ASCII letters), or a CJK mix, which may have ASCII letters too.
 * @param {Set<string>} scripts
 */
function isOneScript(scripts) {
  const hasAscii = scripts.delete("ASCII");
  if (scripts.has("Unknown")) return false;
  if (scripts.size === 0) return true;
  if (CJK_GROUPS.some((group) => [...scripts].every((s) => group.has(s)))) return true;
  return scripts.size === 1 && (!hasAscii || scripts.has("Latin"));
}

/** @param {string} text */
function isAscii(text) {
  for (const ch of text) if (ch.charCodeAt(0) > 0x7f) return false;
  return true;
}
