// Pure text helpers: no DOM, no globals beyond Intl, so they read the same in any test runner.
/** @import { WireMessage } from "../../src/protocol.js" */

/** Unicode code points, as the server counts characters. @param {string} text */
export function codePointLength(text) {
  return Array.from(text).length;
}

/** C0/C1 control characters, DEL and the line/paragraph separators: refused in names and rooms. @param {string} text */
export function hasControlChars(text) {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** What the server will store: CRLF/CR become LF, then NFC and trim. @param {string} text */
export function normaliseContent(text) {
  return text.replace(/\r\n?/g, "\n").normalize("NFC").trim();
}

/** Local calendar day as "YYYY-M-D"; two times on the same local day share a key. @param {Date} date */
export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/**
 * "Today", "Yesterday", or a date in the reader's locale (the year only when it is not this year).
 * @param {Date} date
 * @param {Date} now
 * @param {string | undefined} [locale]
 */
export function dayLabel(date, now, locale) {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  // Calendar days, not 24-hour spans, so a daylight-saving change does not shift the label.
  const diffDays = Math.round((today.getTime() - day.getTime()) / 86_400_000);
  if (diffDays === 0) return "Today";
  if (diffDays === 1) return "Yesterday";
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { weekday: "long", day: "numeric", month: "long" };
  if (date.getFullYear() !== now.getFullYear()) options.year = "numeric";
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/**
 * Local time of day, e.g. "14:05" or "2:05 PM" depending on the reader's locale.
 * @param {Date} date
 * @param {string | undefined} [locale]
 */
export function timeLabel(date, locale) {
  return formatter(locale, "time", { hour: "numeric", minute: "2-digit" }).format(date);
}

/**
 * Full local date and time, for the tooltip of a message time.
 * @param {Date} date
 * @param {string | undefined} [locale]
 */
export function fullDateLabel(date, locale) {
  return formatter(locale, "full", { dateStyle: "full", timeStyle: "short" }).format(date);
}

/**
 * The server's texts name a time in ISO 8601 UTC ("banned from this room until 2026-12-07T13:53:45.290Z"): each is
 * shown as the reader's own date and time, as the page shows every other time.
 * @param {string} text @param {string} [locale]
 */
export function localTimesIn(text, locale) {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z/g, (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : fullDateLabel(date, locale);
  });
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const formatters = new Map();

/**
 * Building an Intl formatter costs far more than using one; a page renders hundreds of times.
 * @param {string | undefined} locale @param {string} kind @param {Intl.DateTimeFormatOptions} options
 */
function formatter(locale, kind, options) {
  const key = `${locale ?? ""}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/**
 * The typing line for the people typing now (in the order they started).
 * @param {string[]} names
 */
export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

/**
 * Case- and form-insensitive key for a name. Locale-free on purpose: toLocaleLowerCase() in a Turkish
 * browser lowercases "İvan" to "ivan", another person's name; toLowerCase() maps the same everywhere.
 * @param {string} name
 */
export function nameKey(name) {
  return name.normalize("NFC").toLowerCase();
}

/** Stored timestamps longer than this show no time at all: a time label is a few characters. */
const MAX_SHOWN_STORED_TIMESTAMP = 40;

/**
 * How the time of a message reads when its stored timestamp is not a date and time (`storedTimestamp`: rows of the
 * Flask original): a date alone as that local calendar day, with no time; anything else as its text (nothing when
 * it is none or too long), with no date. Null for every other message: its time is sentDate(msg).
 * @param {Pick<WireMessage, "storedTimestamp">} msg
 * @param {string | undefined} [locale]
 * @returns {{ day: Date | null, text: string } | null}
 */
export function unreadableTime(msg, locale) {
  if (typeof msg.storedTimestamp !== "string") return null;
  const stored = msg.storedTimestamp.trim();
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(stored);
  if (parts) {
    const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    const day = new Date(y, m - 1, d);
    // A date that exists (no 2024-02-31 rolled into March): local midnight, so it lands on that day wherever the reader is.
    if (day.getFullYear() === y && day.getMonth() === m - 1 && day.getDate() === d) return { day, text: formatter(locale, "day", { dateStyle: "medium" }).format(day) };
  }
  return { day: null, text: stored.length <= MAX_SHOWN_STORED_TIMESTAMP ? stored : "" };
}

/**
 * The date a message was sent: `sentAt` (ISO) when present, else the original's UTC `timestamp`. For a stored
 * timestamp that is not a date and time (unreadableTime): the day it names, or an Invalid Date when it names none.
 * @param {Pick<WireMessage, "sentAt" | "timestamp" | "storedTimestamp">} msg
 */
export function sentDate(msg) {
  const unreadable = unreadableTime(msg);
  if (unreadable !== null) return unreadable.day ?? new Date(Number.NaN);
  if (typeof msg.sentAt === "string") {
    const d = new Date(msg.sentAt);
    if (!Number.isNaN(d.getTime())) return d;
  }
  if (typeof msg.timestamp === "string") {
    // "YYYY-MM-DD HH:MM:SS" in UTC, the Flask app's format.
    const d = new Date(`${msg.timestamp.replace(" ", "T")}Z`);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date();
}

/** "1 person", "3 people". @param {number} n */
export function peopleCount(n) {
  return `${n} ${n === 1 ? "person" : "people"}`;
}

/** A room's address: /r/<encoded name>. @param {string} room */
export function roomPath(room) {
  return `/r/${encodeURIComponent(room)}`;
}

/**
 * The room named by a /r/<room> path, or null for any other path (or an undecodable one).
 * @param {string} pathname
 * @returns {string | null}
 */
export function roomFromPath(pathname) {
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] ?? "");
  } catch {
    return null;
  }
}

/** Two-letter initials for an avatar ("Ana Lopez" -> "AL", "ben" -> "B"). @param {string} name */
export function initials(name) {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => [...w][0] ?? "");
  return letters.join("").toLocaleUpperCase() || "?";
}

/** A stable small number for a name (FNV-1a), to pick its avatar colour. @param {string} name @param {number} buckets */
export function nameHue(name, buckets) {
  let h = 0x811c9dc5;
  for (const ch of nameKey(name)) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}

/**
 * Splits `text` into runs, marking the search highlights: `ranges` are [start, end) offsets in code
 * points (as the server counts), turned into string indices here so an emoji before a match does not
 * shift the mark. Out-of-range, empty and overlapping ranges are clipped and merged.
 * @param {string} text
 * @param {[number, number][]} ranges
 * @returns {{ text: string, isMatch: boolean }[]}
 */
export function highlightRuns(text, ranges) {
  /** UTF-16 index of each code point, and the length at the end. */
  const index = [];
  let at = 0;
  for (const ch of text) {
    index.push(at);
    at += ch.length;
  }
  index.push(at);
  const last = index.length - 1;
  const clipped = ranges
    .filter((r) => Array.isArray(r) && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]))
    .map(([s, e]) => [Math.max(0, Math.min(s, last)), Math.max(0, Math.min(e, last))])
    .filter(([s, e]) => (s ?? 0) < (e ?? 0))
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  /** @type {{ text: string, isMatch: boolean }[]} */
  const runs = [];
  let cursor = 0; // in code points
  for (const [s = 0, e = 0] of clipped) {
    const start = Math.max(s, cursor);
    if (e <= start) continue;
    if (start > cursor) runs.push({ text: text.slice(index[cursor], index[start]), isMatch: false });
    runs.push({ text: text.slice(index[start], index[e]), isMatch: true });
    cursor = e;
  }
  if (cursor < last) runs.push({ text: text.slice(index[cursor]), isMatch: false });
  return runs;
}

/** The message id of a permalink's `?m=<id>`, or null. @param {string} search location.search */
export function messageIdFromSearch(search) {
  const raw = new URLSearchParams(search).get("m");
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
