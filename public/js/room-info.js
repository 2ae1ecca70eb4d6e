// What the page knows about each room beyond its address (issue 17): the title to show, its kind (public,
// private, direct) and what this browser may do there (invite, manage), gathered from join answers, my_rooms,
// create_room, update_room, room_moved, room_added and what the browser remembered. The one place that turns
// an address into the words the page shows: a private room's or a conversation's `~…` address never is.
/** @import { RoomInfo, RoomKind } from "../../src/protocol.js" */

/** `~` and 22 base64url characters (src/access/room-address.ts): a private room's or a conversation's address. */
const PRIVATE_ADDRESS = /^~[A-Za-z0-9_-]{22}$/;

/** @param {string} room */
export function isPrivateAddress(room) {
  return PRIVATE_ADDRESS.test(room);
}

/** What is shown for a private address nothing is known about yet (it is never shown itself). */
export const UNKNOWN_PRIVATE_TITLE = "Private room";

/**
 * @param {{ room: string, title?: string, kind?: RoomKind }[]} remembered the rooms the browser remembers, some
 *   with a title and kind: named at once, before any connection (a link to one of them from elsewhere, say)
 */
export function createRoomInfo(remembered = []) {
  /** @type {Map<string, RoomInfo>} */
  const known = new Map();
  for (const r of remembered) {
    if (r.title !== undefined && r.kind !== undefined) known.set(r.room, { room: r.room, title: r.title, kind: r.kind });
  }
  /** @type {Set<(room: string) => void>} */
  const listeners = new Set();

  /** @param {string} room @returns {RoomInfo} */
  function get(room) {
    const info = known.get(room);
    if (info) return info;
    return isPrivateAddress(room) ? { room, title: UNKNOWN_PRIVATE_TITLE, kind: "private" } : { room, title: room, kind: "public" };
  }

  return {
    get,
    /** What the server said about `room`, or undefined when it has said nothing yet. @param {string} room */
    known: (room) => known.get(room),
    /** The words that name `room` on the page: a public room's name, a private room's title, the other person's name. @param {string} room */
    titleOf: (room) => get(room).title,
    /** @param {string} room @returns {RoomKind} */
    kindOf: (room) => get(room).kind,
    /** @param {string} room */
    isDirect: (room) => get(room).kind === "direct",
    /**
     * What the server said about a room (anything it left out keeps what was known: my_rooms and the join
     * answer say the same things, a remembered entry only the title and kind).
     * @param {RoomInfo} info
     */
    set(info) {
      if (!info || typeof info.room !== "string" || typeof info.title !== "string") return;
      const before = known.get(info.room);
      const next = { ...before, ...info };
      if (before && JSON.stringify(before) === JSON.stringify(next)) return;
      known.set(info.room, next);
      for (const fn of listeners) fn(info.room);
    },
    /** Told whenever what is known about a room changes. @param {(room: string) => void} fn */
    onChange(fn) {
      listeners.add(fn);
    },
  };
}

/** @typedef {ReturnType<typeof createRoomInfo>} RoomInfos */
