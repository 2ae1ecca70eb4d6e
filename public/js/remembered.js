// What the browser remembers for the page (localStorage, shared by every tab): the name last joined with,
// and the rooms joined.

import { MAX_COUNTED_IDS } from "./unread.js";

const NAME_KEY = "messenger-room:name";

/** @param {string} name */
export function rememberName(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Storage can be off (private mode, policy): the name is simply not remembered.
  }
}

/** @returns {string} the remembered name, or "" */
export function recallName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return ""; // no storage: nothing remembered
  }
}

// The rooms this browser has joined (issue 13): which, under which name, and how far each was read, so the
// next visit rejoins them all with `since` and the unread counts survive a night away; with a private room's
// or a conversation's title and kind (issue 17), so the page names it before the server answers (entries from
// before have neither). One list for the browser (every tab shares localStorage; the last tab to change it wins).
const ROOMS_KEY = "messenger-room:rooms";
/** More than the server's default per-connection limit would be refused anyway; a corrupt list is cut short. */
const MAX_REMEMBERED = 100;

/** @typedef {import("../../src/protocol.js").RoomKind} RoomKind */
/**
 * rejoinToken: the room's last join answer's (a public room), so a reload's rejoin still follows the room if it was
 * made private meanwhile, though the page had seen no message there.
 * @typedef {{ room: string, name: string, title?: string, kind?: RoomKind, rejoinToken?: string } & import("./unread.js").RoomCounts} RememberedRoom
 */

/** @type {readonly RoomKind[]} */
const KINDS = ["public", "private", "direct"];
/** The only shape the server gives (and accepts: anything else is refused invalid_payload). See src/payloads.ts REJOIN_TOKEN. */
const REJOIN_TOKEN = /^\d{1,15}\.[A-Za-z0-9_-]{22}$/;
/** A title longer than any the server gives is not one. */
const MAX_TITLE_CHARS = 200;

/**
 * The remembered list, from whatever localStorage holds: anything malformed (not JSON, not a list, an entry
 * without a room or name, a negative id) is left out rather than trusted, and each room counts once.
 * @param {string | null} raw
 * @returns {RememberedRoom[]}
 */
export function parseRememberedRooms(raw) {
  if (raw === null || raw === "") return [];
  /** @type {unknown} */
  let data;
  try {
    data = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  /** @type {RememberedRoom[]} */
  const rooms = [];
  const seen = new Set();
  for (const entry of data.slice(0, MAX_REMEMBERED)) {
    const r = parseEntry(entry);
    if (r === null || seen.has(r.room)) continue;
    seen.add(r.room);
    rooms.push(r);
  }
  return rooms;
}

/** @param {unknown} entry @returns {RememberedRoom | null} */
function parseEntry(entry) {
  if (typeof entry !== "object" || entry === null) return null;
  const e = /** @type {Record<string, unknown>} */ (entry);
  if (typeof e.room !== "string" || typeof e.name !== "string") return null;
  const room = e.room.normalize("NFC").trim();
  const name = e.name.normalize("NFC").trim();
  if (room === "" || name === "") return null;
  const lastSeenId = count(e.lastSeenId);
  // Read past what was seen cannot be: clamp, so the counts stay consistent.
  const lastReadId = Math.min(count(e.lastReadId), lastSeenId);
  const unread = count(e.unread);
  // Only ids the counts could have counted (unread, seen), once each, ascending; a mention is one of them.
  const unreadIds = ids(e.unreadIds).filter((id) => id > lastReadId && id <= lastSeenId);
  const mentionIds = ids(e.mentionIds).filter((id) => unreadIds.includes(id));
  /** @type {RememberedRoom} */
  const r = { room, name, lastReadId, lastSeenId, unread, mentions: Math.min(count(e.mentions), unread), unreadIds, mentionIds };
  const title = typeof e.title === "string" ? e.title.normalize("NFC").trim() : "";
  const kind = KINDS.find((k) => k === e.kind);
  if (title !== "" && title.length <= MAX_TITLE_CHARS && kind !== undefined) {
    r.title = title;
    r.kind = kind;
  }
  if (typeof e.rejoinToken === "string" && REJOIN_TOKEN.test(e.rejoinToken)) r.rejoinToken = e.rejoinToken;
  return r;
}

/** Whole numbers > 0, ascending and once each (at most MAX_COUNTED_IDS, the newest), from a list; else none. @param {unknown} v @returns {number[]} */
function ids(v) {
  if (!Array.isArray(v)) return [];
  const good = v.filter((id) => typeof id === "number" && Number.isSafeInteger(id) && id > 0);
  return [...new Set(good)].sort((a, b) => a - b).slice(-MAX_COUNTED_IDS);
}

/** A whole number ≥ 0, else 0. @param {unknown} v */
function count(v) {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** @returns {RememberedRoom[]} */
export function recallRooms() {
  try {
    return parseRememberedRooms(localStorage.getItem(ROOMS_KEY));
  } catch {
    return []; // no storage: nothing remembered
  }
}

/** @param {RememberedRoom[]} rooms */
export function rememberRooms(rooms) {
  try {
    localStorage.setItem(ROOMS_KEY, JSON.stringify(rooms));
  } catch {
    // Storage can be off or full: the rooms are simply not remembered for next time.
  }
}
