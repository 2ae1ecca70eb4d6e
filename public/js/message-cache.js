// The last messages of each public room as the page showed them (issue 23 §1), kept in IndexedDB for the
// offline view. Private rooms and direct conversations (addresses starting with `~`) keep no message content on
// the device: the offline view lists them by title only. Edits and deletes seen by the page are applied, so
// a deleted message does not live on here.
import { MESSAGES, inStore } from "./device-store.js";
import { messageSummary } from "./file-info.js";

/** Per room: enough to read where the conversation was, little enough to keep for every room. */
export const CACHED_PER_ROOM = 50;
const WRITE_DELAY_MS = 500;

/** @import { MessageUpdatedEvent, WireMessage } from "../../src/protocol.js" */
/** @typedef {{ id: number, sender: string, text: string, sentAt: string, edited: boolean }} CachedMessage */

/** Whether a room's messages may be kept on the device: public rooms only. @param {string} room */
export function isCacheable(room) {
  return !room.startsWith("~");
}

/** The newest `CACHED_PER_ROOM` of `list` plus `msg` (replacing a copy of it), oldest first. @param {CachedMessage[]} list @param {CachedMessage} msg */
export function withMessage(list, msg) {
  const next = list.filter((m) => m.id !== msg.id);
  next.push(msg);
  next.sort((a, b) => a.id - b.id);
  return next.slice(-CACHED_PER_ROOM);
}

/** @param {WireMessage} msg @returns {CachedMessage} */
function toCached(msg) {
  // A Flask row whose stored time is not a date and time keeps none here: its `sentAt` is the epoch or rolled over.
  return { id: msg.id, sender: String(msg.sender), text: messageSummary(msg), sentAt: msg.storedTimestamp === undefined ? msg.sentAt : "", edited: msg.editedAt !== undefined };
}

export function createMessageCache() {
  /** Rooms read from the database or changed on this page, by room. @type {Map<string, CachedMessage[]>} */
  const rooms = new Map();
  /** @type {Set<string>} */
  const dirty = new Set();
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  /**
   * How often each room was forgotten: a read or change that started before a forget must not put the room
   * back (in memory, or in IndexedDB at the next flush) once it answers. @type {Map<string, number>}
   */
  const forgets = new Map();
  const forgetsOf = (/** @type {string} */ room) => forgets.get(room) ?? 0;

  /** @param {string} room @returns {Promise<CachedMessage[]>} */
  async function read(room) {
    const known = rooms.get(room);
    if (known) return known;
    if (!isCacheable(room)) return [];
    const before = forgetsOf(room);
    const row = /** @type {{ room: string, messages: CachedMessage[] } | null | undefined} */ (await inStore(MESSAGES, "readonly", (s) => s.get(room)));
    if (forgetsOf(room) !== before) return [];
    const list = Array.isArray(row?.messages) ? row.messages : [];
    if (!rooms.has(room)) rooms.set(room, list);
    return rooms.get(room) ?? list;
  }

  /** @param {string} room @param {(list: CachedMessage[]) => CachedMessage[]} change */
  async function change(room, change) {
    if (!isCacheable(room)) return;
    const before = forgetsOf(room);
    const list = await read(room);
    if (forgetsOf(room) !== before) return;
    rooms.set(room, change(list));
    dirty.add(room);
    timer ??= setTimeout(flush, WRITE_DELAY_MS);
  }

  function flush() {
    timer = null;
    const rows = [...dirty].map((room) => ({ room, messages: rooms.get(room) ?? [] }));
    dirty.clear();
    void inStore(MESSAGES, "readwrite", (s) => {
      for (const row of rows) s.put(row);
    });
  }

  return {
    read,
    /** A message the page showed (live, caught up or from history). @param {string} room @param {WireMessage} msg */
    note(room, msg) {
      if (typeof msg.id !== "number" || !isCacheable(room)) return;
      if (msg.deletedAt !== undefined) void change(room, (list) => list.filter((m) => m.id !== msg.id));
      else void change(room, (list) => withMessage(list, toCached(msg)));
    },
    /** An edit or a delete the page saw. @param {string} room @param {MessageUpdatedEvent} ev */
    update(room, ev) {
      if (!isCacheable(room)) return;
      void change(room, (list) =>
        ev.deletedAt ? list.filter((m) => m.id !== ev.id) : list.map((m) => (m.id === ev.id && typeof ev.content === "string" ? { ...m, text: ev.caption ?? ev.content, edited: true } : m)),
      );
    },
    /** The room was left: nothing of it stays. @param {string} room */
    forget(room) {
      forgets.set(room, forgetsOf(room) + 1);
      rooms.delete(room);
      dirty.delete(room);
      void inStore(MESSAGES, "readwrite", (s) => s.delete(room));
    },
  };
}

/** @typedef {ReturnType<typeof createMessageCache>} MessageCache */
