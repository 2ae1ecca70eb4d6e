// The "Active rooms" list of the home page and /api/rooms: the busiest few, never a sort of every room.
import type { Clock } from "../clock.js";
import type { RoomSummary } from "../http-api.js";
import type { PresenceStore } from "./presence.js";

/** Rooms shown on the home page and in /api/rooms. */
export const ROOM_LIST_MAX = 50;
/** How stale the list may be: a page load or an /api/rooms poll costs one pass over the rooms at most this often. */
export const ROOM_LIST_REFRESH_MS = 1000;

export interface RoomListing {
  /** The busiest rooms, most people first, then by name. */
  rooms: RoomSummary[];
  /** Every room with someone present. */
  total: number;
}

export interface RoomDirectory {
  busiest(): RoomListing;
}

// One collator for every comparison: localeCompare with options builds a new one each time.
const byName = new Intl.Collator(undefined, { sensitivity: "base" }).compare;

/** Negative when `a` ranks before `b`: more people first, then by name. */
const rank = (a: RoomSummary, b: RoomSummary): number => b.users - a.users || byName(a.room, b.room);

/**
 * The `limit` best-ranked rooms in one pass, O(n log limit): a heap of the best so far whose root is the
 * worst of them, replaced whenever a better room comes along.
 */
export function selectBusiest(rooms: Iterable<RoomSummary>, limit: number): RoomSummary[] {
  const heap: RoomSummary[] = [];
  const worse = (i: number, j: number): boolean => rank(heap[i] as RoomSummary, heap[j] as RoomSummary) > 0;
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j] as RoomSummary, heap[i] as RoomSummary];
  };
  for (const room of rooms) {
    if (heap.length < limit) {
      heap.push(room);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (limit > 0 && rank(room, heap[0] as RoomSummary) < 0) {
      heap[0] = room;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let worst = i;
        if (l < heap.length && worse(l, worst)) worst = l;
        if (r < heap.length && worse(r, worst)) worst = r;
        if (worst === i) break;
        swap(i, worst);
        i = worst;
      }
    }
  }
  return heap.sort(rank);
}

/** The busiest rooms from `presence`, recomputed at most once per `refreshMs`. */
export function createRoomDirectory(presence: PresenceStore, clock: Clock, refreshMs = ROOM_LIST_REFRESH_MS, limit = ROOM_LIST_MAX): RoomDirectory {
  let cached: { atMs: number; listing: RoomListing } | null = null;
  return {
    busiest() {
      const now = clock.monotonicMs();
      if (cached === null || now - cached.atMs >= refreshMs) {
        cached = { atMs: now, listing: { rooms: selectBusiest(presence.roomSizes(), limit), total: presence.roomCount() } };
      }
      return cached.listing;
    },
  };
}
