// Unread counting, per room, as plain values (no DOM, no storage): what a message that arrived does to a
// room's counts, what reading the room does, and the totals the title shows. Rules (docs/using.md):
// a message counts when it is newer than anything seen in the room, is not one's own, and arrives live or
// in a catch-up (never history replayed on join or paged); reading a room clears its counts.

/**
 * @typedef {{ lastReadId: number, lastSeenId: number, unread: number, mentions: number }} RoomCounts
 * @typedef {"all" | "mentions" | "none"} Level
 */

/** A room joined just now, its newest message `newestId` (read: the reader is looking at it). @param {number} newestId @returns {RoomCounts} */
export function freshCounts(newestId) {
  return { lastReadId: newestId, lastSeenId: newestId, unread: 0, mentions: 0 };
}

/**
 * A stored message arrived in a room.
 * @param {RoomCounts} c
 * @param {{ id: number, isMine: boolean, mentionsMe: boolean, source: "live" | "catchup" | "history", isRead: boolean }} msg
 *   isRead: the room is being read right now (current, page visible, scrolled to the bottom)
 * @returns {RoomCounts}
 */
export function countArrival(c, msg) {
  if (msg.source === "history" || msg.id <= c.lastSeenId) return c;
  const seen = { ...c, lastSeenId: msg.id };
  if (msg.isRead) return { ...seen, lastReadId: msg.id, unread: 0, mentions: 0 };
  if (msg.isMine || msg.id <= c.lastReadId) return seen;
  return { ...seen, unread: c.unread + 1, mentions: c.mentions + (msg.mentionsMe ? 1 : 0) };
}

/** The reader has seen everything in the room. @param {RoomCounts} c @returns {RoomCounts} */
export function markRead(c) {
  if (c.unread === 0 && c.mentions === 0 && c.lastReadId === c.lastSeenId) return c;
  return { ...c, lastReadId: c.lastSeenId, unread: 0, mentions: 0 };
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
 * `(3) Messenger Room`, or `(3) @ Messenger Room` when one of them mentions the reader.
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
