// Who is in which room. Several tabs of one browser session under one name are one presence, and a name
// whose last tab dropped can be held for its owner for a while (name grace) before it is given up.
// In memory today; the interface is what a Redis-backed store would implement for several nodes (issue 10),
// so every call that changes or reads a room is async.
import type { RoomSummary } from "../http-api.js";
import { nameKey } from "../shared/names.js";
import { isPrivateAddress } from "../access/room-address.js";

/** `isNew`: the name was not present (announce it); false for a further tab or an owner back within the grace. */
export type PresenceJoin = { ok: true; isNew: boolean } | { ok: false; reason: "name_taken" };

/**
 * What a socket's leaving did to its name: other tabs keep it (`stays`), it is gone (`left`: announce the
 * departure under `name`, the name as the room knows it), or it is held for its owner (`held`, until
 * release(room, name, hold) or the owner's return).
 */
export type PresenceLeave = { state: "stays" } | { state: "left"; name: string } | { state: "held"; hold: number };

/** A shared presence store (Redis, several nodes) cannot answer: names cannot be checked, so joins wait for it. */
export class PresenceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PresenceUnavailableError";
  }
}

export interface PresenceStore {
  /**
   * Adds a socket to a name's presence; refuses a name (by nameKey) that another session holds. `ownerKey` (the
   * session's key) lets a browser session take back a name restored after a restart (issue 19).
   */
  join(room: string, name: string, sessionId: string, socketId: string, ownerKey?: string): Promise<PresenceJoin>;
  /** Removes a socket; with `hold`, a name's last socket leaves it held instead of gone. */
  leave(room: string, name: string, socketId: string, hold: boolean): Promise<PresenceLeave>;
  /** Ends a hold nobody came back for; the departed name, or null when its owner came back (or it was released). */
  release(room: string, name: string, hold: number): Promise<string | null>;
  /** Every name present (held ones too), sorted ignoring case as people read a list. */
  users(room: string): Promise<string[]>;
  /** Who holds `name` (by its key) in the room, held names too: the name as listed and its session; null for nobody. */
  holder(room: string, name: string): Promise<Holding | null>;
  /** Every holder of the room, held names too. */
  holders(room: string): Promise<Holding[]>;
  /** The room's names held for their owners (no tab left), each with its hold: what a room's move ends (membership.ts). */
  holds(room: string): Promise<HeldName[]>;
  /**
   * The public rooms with someone present (private rooms and direct conversations are never listed, issue 17).
   * Synchronous for the home page and the active-rooms gauge; a shared store serves it from a cache.
   */
  rooms(): RoomSummary[];
  /** How many public rooms have someone present, in O(1) (the mr_active_rooms gauge). */
  roomCount(): number;
  /** Every active public room with its number of present names, unsorted (room-directory.ts picks the busiest). */
  roomSizes(): Iterable<RoomSummary>;
}

/** A browser session's name in a room, as a snapshot keeps it across a restart (issue 19): by its key, never its cookie. */
export interface PresenceEntry {
  room: string;
  name: string;
  ownerKey: string;
}

/**
 * One node's presence across its own restart (issue 19). A snapshot lists every browser session's name (held ones
 * too); a restart restores them as held for their owners, so an owner who comes back within NAME_GRACE_MS takes its
 * name back silently, as after a reload, instead of arriving again in front of the whole room.
 */
export interface PresenceSnapshots {
  snapshot(): PresenceEntry[];
  /** The entries as held names (no socket yet); each one's hold, for its grace timer. Names taken meanwhile are left. */
  restore(entries: readonly PresenceEntry[]): { room: string; name: string; hold: number }[];
  /** Presence changed since the last snapshot(). */
  isDirty(): boolean;
}

/** What a restored name's holder has instead of a session id until its owner is back. */
const RESTORED = "";

/** A name held in a room and the browser session (or cookie-less connection) holding it. */
export interface Holding {
  name: string;
  sessionId: string;
}

/** A name held in its grace, and its hold (what release() takes). */
export interface HeldName {
  name: string;
  hold: number;
}

interface Holder {
  name: string;
  sessionId: string;
  /** The browser session's key, when it has one: how a restored name knows its owner. */
  ownerKey?: string;
  sockets: Set<string>;
  /** Set while the name is held for its owner after the last socket dropped. */
  hold: number | null;
}

interface RoomPresence {
  byKey: Map<string, Holder>;
  /** Kept sorted by name on every change, so a join's list is a copy rather than a sort of the whole room. */
  sorted: Holder[];
}

// One collator for every sort: localeCompare with options builds a new one per comparison (~80x slower).
const byName = new Intl.Collator(undefined, { sensitivity: "base" }).compare;

/** First index whose name sorts after `name`: equal names keep their arrival order, as a stable sort would. */
function upperBound(sorted: Holder[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byName((sorted[mid] as Holder).name, name) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeSorted(sorted: Holder[], holder: Holder): void {
  let i = upperBound(sorted, holder.name) - 1;
  while (i >= 0 && sorted[i] !== holder) i--;
  if (i >= 0) sorted.splice(i, 1);
}

export function createMemoryPresence(): PresenceStore & PresenceSnapshots {
  const rooms = new Map<string, RoomPresence>();
  let lastHold = 0;
  /** Counts changes of who holds what; a snapshot remembers the count it saw. */
  let changes = 0;
  let snapshotAt = 0;
  /** Rooms of `rooms` that are private addresses: kept out of every listing and count. */
  let privateRooms = 0;

  const drop = (room: string, state: RoomPresence, key: string, holder: Holder): void => {
    changes++;
    state.byKey.delete(key);
    removeSorted(state.sorted, holder);
    if (state.byKey.size > 0) return;
    rooms.delete(room);
    if (isPrivateAddress(room)) privateRooms--;
  };
  const roomState = (room: string): RoomPresence => {
    let state = rooms.get(room);
    if (!state) {
      rooms.set(room, (state = { byKey: new Map(), sorted: [] }));
      if (isPrivateAddress(room)) privateRooms++;
    }
    return state;
  };
  const add = (state: RoomPresence, key: string, holder: Holder): void => {
    changes++;
    state.byKey.set(key, holder);
    state.sorted.splice(upperBound(state.sorted, holder.name), 0, holder);
  };
  const publicEntries = function* (): Generator<[string, RoomPresence]> {
    for (const entry of rooms) if (!isPrivateAddress(entry[0])) yield entry;
  };

  return {
    join(room, name, sessionId, socketId, ownerKey) {
      const state = roomState(room);
      const key = nameKey(name);
      const holder = state.byKey.get(key);
      if (holder === undefined) {
        add(state, key, { name, sessionId, ...(ownerKey !== undefined ? { ownerKey } : {}), sockets: new Set([socketId]), hold: null });
        return Promise.resolve({ ok: true, isNew: true });
      }
      const isOwner = holder.sessionId === sessionId || (holder.sessionId === RESTORED && ownerKey !== undefined && holder.ownerKey === ownerKey);
      if (!isOwner) return Promise.resolve({ ok: false, reason: "name_taken" });
      holder.sessionId = sessionId;
      holder.sockets.add(socketId);
      holder.hold = null; // the owner is back: the name was never given up
      return Promise.resolve({ ok: true, isNew: false });
    },
    leave(room, name, socketId, hold) {
      const state = rooms.get(room);
      const key = nameKey(name);
      const holder = state?.byKey.get(key);
      if (!state || !holder || !holder.sockets.delete(socketId) || holder.sockets.size > 0) return Promise.resolve({ state: "stays" });
      if (hold) {
        holder.hold = ++lastHold;
        return Promise.resolve({ state: "held", hold: holder.hold });
      }
      drop(room, state, key, holder);
      return Promise.resolve({ state: "left", name: holder.name });
    },
    release(room, name, hold) {
      const state = rooms.get(room);
      const key = nameKey(name);
      const holder = state?.byKey.get(key);
      if (!state || !holder || holder.hold !== hold || holder.sockets.size > 0) return Promise.resolve(null);
      drop(room, state, key, holder);
      return Promise.resolve(holder.name);
    },
    users(room) {
      return Promise.resolve((rooms.get(room)?.sorted ?? []).map((h) => h.name));
    },
    holder(room, name) {
      const h = rooms.get(room)?.byKey.get(nameKey(name));
      return Promise.resolve(h === undefined ? null : { name: h.name, sessionId: h.sessionId });
    },
    holders(room) {
      return Promise.resolve((rooms.get(room)?.sorted ?? []).map((h) => ({ name: h.name, sessionId: h.sessionId })));
    },
    holds(room) {
      const held: HeldName[] = [];
      for (const h of rooms.get(room)?.sorted ?? []) if (h.hold !== null && h.sockets.size === 0) held.push({ name: h.name, hold: h.hold });
      return Promise.resolve(held);
    },
    rooms() {
      return [...publicEntries()].map(([room, state]) => ({ room, users: state.byKey.size })).sort((a, b) => b.users - a.users || byName(a.room, b.room));
    },
    roomCount: () => rooms.size - privateRooms,
    snapshot() {
      snapshotAt = changes;
      const entries: PresenceEntry[] = [];
      for (const [room, state] of rooms) {
        for (const h of state.sorted) if (h.ownerKey !== undefined && (h.sessionId.startsWith("s:") || h.sessionId === RESTORED)) entries.push({ room, name: h.name, ownerKey: h.ownerKey });
      }
      return entries;
    },
    restore(entries) {
      const held: { room: string; name: string; hold: number }[] = [];
      for (const e of entries) {
        const state = roomState(e.room);
        const key = nameKey(e.name);
        if (state.byKey.has(key)) continue;
        const hold = ++lastHold;
        add(state, key, { name: e.name, sessionId: RESTORED, ownerKey: e.ownerKey, sockets: new Set(), hold });
        held.push({ room: e.room, name: e.name, hold });
      }
      return held;
    },
    isDirty: () => changes !== snapshotAt,
    *roomSizes() {
      for (const [room, state] of publicEntries()) yield { room, users: state.byKey.size };
    },
  };
}
