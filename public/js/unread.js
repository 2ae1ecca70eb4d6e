// Unread counting, per room, as plain values (no DOM, no storage): what a message that arrived does to a
// room's counts, what reading the room does, and the totals the title shows. Rules (docs/using.md):
// a message counts when it is newer than anything seen in the room, is not one's own, and arrives live or
// in a catch-up (never history replayed on join or paged), and is not deleted; reading a room clears its counts.
// A counted message deleted before it was read stops counting, so the room's counts keep the ids they counted.

/**
 * @typedef {{ lastReadId: number, lastSeenId: number, unread: number, mentions: number, unreadIds: number[], mentionIds: number[] }} RoomCounts
 *   unreadIds, mentionIds: the newest MAX_COUNTED_IDS of the messages counted in `unread` and `mentions`, ascending,
 *   so a delete can take one back (a count from storage written before them has none: its deletes take nothing back)
 * @typedef {"all" | "mentions" | "none"} Level
 */

/**
 * Ids kept per room for deletes to take back: a room with more unread than this counts the oldest of them even when
 * deleted. Bounds what localStorage holds for a room left unread for long (remembered.js).
 */
export const MAX_COUNTED_IDS = 500;

/** A room joined just now, its newest message `newestId` (read: the reader is looking at it). @param {number} newestId @returns {RoomCounts} */
export function freshCounts(newestId) {
  return { lastReadId: newestId, lastSeenId: newestId, unread: 0, mentions: 0, unreadIds: [], mentionIds: [] };
}

/**
 * A stored message arrived in a room.
 * @param {RoomCounts} c
 * @param {{ id: number, isMine: boolean, mentionsMe: boolean, source: "live" | "catchup" | "history", isRead: boolean, isDeleted?: boolean }} msg
 *   isRead: the room is being read right now (current, page visible, scrolled to the bottom); isDeleted: it
 *   arrives as a tombstone (a catch-up of a message deleted meanwhile), seen but nothing to read
 * @returns {RoomCounts}
 */
export function countArrival(c, msg) {
  if (msg.source === "history" || msg.id <= c.lastSeenId) return c;
  const seen = { ...c, lastSeenId: msg.id };
  if (msg.isRead) return { ...seen, lastReadId: msg.id, unread: 0, mentions: 0, unreadIds: [], mentionIds: [] };
  if (msg.isMine || msg.isDeleted === true || msg.id <= c.lastReadId) return seen;
  if (!msg.mentionsMe) return { ...seen, unread: c.unread + 1, unreadIds: withId(c.unreadIds, msg.id) };
  return { ...seen, unread: c.unread + 1, mentions: c.mentions + 1, unreadIds: withId(c.unreadIds, msg.id), mentionIds: withId(c.mentionIds, msg.id) };
}

/**
 * A message of the room was deleted (by its author or a moderator, live or in a rejoin's `changed`): when it was
 * counted and not read yet, it counts no more. Anything else (read already, own, never counted) changes nothing.
 * @param {RoomCounts} c @param {number} id
 * @returns {RoomCounts} `c` itself when nothing changed
 */
export function countDeletion(c, id) {
  if (!c.unreadIds.includes(id)) return c;
  const isMention = c.mentionIds.includes(id);
  return {
    ...c,
    unread: Math.max(0, c.unread - 1),
    mentions: isMention ? Math.max(0, c.mentions - 1) : c.mentions,
    unreadIds: c.unreadIds.filter((x) => x !== id),
    mentionIds: isMention ? c.mentionIds.filter((x) => x !== id) : c.mentionIds,
  };
}

/** `ids` and `id` (newer than all of them), the oldest dropped past the cap. @param {number[]} ids @param {number} id */
function withId(ids, id) {
  return [...ids, id].slice(-MAX_COUNTED_IDS);
}

/** The reader has seen everything in the room. @param {RoomCounts} c @returns {RoomCounts} */
export function markRead(c) {
  if (c.unread === 0 && c.mentions === 0 && c.lastReadId === c.lastSeenId && c.unreadIds.length === 0) return c;
  return { ...c, lastReadId: c.lastSeenId, unread: 0, mentions: 0, unreadIds: [], mentionIds: [] };
}

/**
 * What the title counts: unread messages of every room not muted, and whether any of them mentions the reader.
 * @param {Iterable<{ counts: RoomCounts, level: Level }>} rooms
 */
export function totals(rooms) {
  let unread = 0;
  let hasMention = false;
  for (const { counts, level } of rooms) {
    if (level === "none") continue;
    unread += counts.unread;
    if (counts.mentions > 0) hasMention = true;
  }
  return { unread, hasMention };
}

/**
 * What the tab calls the page before any count: the room on screen first (`general · Messenger Room`), so tabs
 * and the Back/Forward list (each entry keeps the title it had) tell rooms apart; `Messenger Room` alone on the
 * home page. @param {string} app @param {string | null} room the room on screen's title, null on the home page
 */
export function pageTitle(app, room) {
  return room === null ? app : `${isolate(room)} · ${app}`;
}

/**
 * A name between FSI (U+2068) and PDI (U+2069), the plain-text dir="auto" (a title holds no HTML): a Hebrew or
 * Arabic name takes its direction from its own first letter and cannot pull the count or "· Messenger Room"
 * into its run, which showed the title's parts in another order. Every name is wrapped, Latin ones too, as the
 * page gives every name dir="auto": one rule, no list of right-to-left scripts to keep, and a name starting with
 * digits or marks ("2026 ...") is judged by its first letter all the same. The marks show as nothing.
 * @param {string} name
 */
function isolate(name) {
  return `\u2068${name}\u2069`;
}

/**
 * `(3) general · Messenger Room`, or `(3) @ general · Messenger Room` when one of them mentions the reader.
 * @param {string} base @param {{ unread: number, hasMention: boolean }} t
 */
export function titleText(base, t) {
  if (t.unread === 0) return base;
  return `(${t.unread})${t.hasMention ? " @" : ""} ${base}`;
}

/**
 * What the sidebar shows beside a room: a number (and the mention badge), a dot for a muted room with
 * something new, or nothing.
 * @param {RoomCounts} c @param {Level} level
 * @returns {{ kind: "none" } | { kind: "dot" } | { kind: "count", count: number, hasMention: boolean }}
 */
export function badgeFor(c, level) {
  if (c.unread === 0) return { kind: "none" };
  if (level === "none") return { kind: "dot" };
  return { kind: "count", count: c.unread, hasMention: c.mentions > 0 };
}
