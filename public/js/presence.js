// Who is in the room, as this page knows it: the full list from the join answer (or from a presence
// event of a server that still sends whole lists), kept current with presence deltas {joined, left}.
/** @import { PresenceEvent } from "../../src/protocol.js" */
/**
 * A presence event from either kind of server: deltas, or (before issue 9) the whole list as `users`.
 * @typedef {PresenceEvent & { users?: string[] }} AnyPresenceEvent
 */

// Sorted as the server sorts (case-insensitively); one collator, built on the first list (not at the page's load,
// which it would cost a few ms on a phone before anyone is in a room).
/** @type {((a: string, b: string) => number) | null} */
let compare = null;
/** @param {string} a @param {string} b */
const byName = (a, b) => (compare ??= new Intl.Collator(undefined, { sensitivity: "base" }).compare)(a, b);

export class RoomPresence {
  constructor() {
    /** @type {string[]} */
    this.names = [];
  }

  /** A full list (join answer, or a whole-list presence event): replaces what was known. @param {string[]} users */
  reset(users) {
    this.names = [...new Set(users.map(String))].sort(byName);
  }

  /**
   * Applies a presence event: a whole list replaces, deltas add and remove (each idempotent, so an event
   * that overlaps the join answer's list changes nothing twice).
   * @param {AnyPresenceEvent} ev
   * @returns {boolean} whether the list changed
   */
  apply(ev) {
    const before = this.names.join("\n");
    if (Array.isArray(ev.users)) {
      this.reset(ev.users);
    } else {
      const names = new Set(this.names);
      for (const name of Array.isArray(ev.left) ? ev.left : []) names.delete(String(name));
      for (const name of Array.isArray(ev.joined) ? ev.joined : []) names.add(String(name));
      this.names = [...names].sort(byName);
    }
    return this.names.join("\n") !== before;
  }
}
