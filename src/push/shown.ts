// Which message each browser session's push notification for a room quotes now, remembered for
// PUSH_TAKE_BACK_MS, so a delete (or an edit, or a lost access) can take that notification back from the device
// (take-back.ts). A room's notifications share one tag, so a session shows at most one per room: the record is
// one id per (session, room), replaced by the next push. A take-back claims the record (forgets it), so a flood
// of deletes and edits sends at most one take-back per push that was sent: bounded by the pushes themselves,
// which the throttle already bounds (one per session and room per NOTIFY_INTERVAL_MS). One node keeps the records
// in memory (below); several share them in Redis (cluster/redis-shown.ts).

/**
 * One session's notification for a room. `shownAs` is the room name the notification was shown under (its tag and
 * the `room` its data holds, which is what the service worker matches a take-back by): the room itself, or the
 * public name it had before it was made private and its records followed it (move).
 */
export interface ShownRecord {
  id: number;
  untilMs: number;
  shownAs: string;
}

/** A record that moved with its room (ShownNotes.move): whose it is, and what it holds now at the new address. */
export interface MovedRecord {
  sessionKey: string;
  record: ShownRecord;
}

/** A claimed record's session and the room name its notification was shown under. */
export interface ShownClaim {
  sessionKey: string;
  shownAs: string;
}

export interface ShownNotes {
  /**
   * The session's notification for the room now quotes message `id` (the push that shows it is on its way).
   * Resolves to the live record it replaced (the older notification's), or null.
   */
  remember(sessionKey: string, room: string, id: number): Promise<ShownRecord | null>;
  /**
   * A push remembered as quoting `replacedId` was not sent after all: the record it replaced comes back, so the older
   * notification (still on screen) can still be taken back. Only while the session's record still quotes
   * `replacedId` or is gone (a delete of that never-shown message claimed it); a newer push's record stays.
   * Resolves to whether it came back.
   */
  putBack(sessionKey: string, room: string, replacedId: number, previous: ShownRecord): Promise<boolean>;
  /** The sessions whose notification for the room quotes message `id`, each forgotten (only one take-back per push). */
  claimQuoting(room: string, id: number): Promise<ShownClaim[]>;
  /**
   * The record of the session's notification for the room, forgotten; null when it was pushed nothing (lately). With
   * `quoting`, only while the record quotes that message: a newer push's record (another message) stays.
   */
  claimSession(sessionKey: string, room: string, quoting?: number): Promise<ShownRecord | null>;
  /**
   * The room moved from `from` to `to` (made private) and these sessions were let in: their records follow it, so a
   * delete or edit at `to` finds them; each keeps the name its notification was shown under. Resolves to the records
   * that moved (the caller reads their messages again: a change at `to` before a record got there found nothing).
   */
  move(from: string, to: string, sessionKeys: readonly string[]): Promise<MovedRecord[]>;
}

/**
 * At most this many records on one node, whatever PUSH_TAKE_BACK_MS says: the oldest goes first (its
 * notification is then the one least likely still on screen). A record is ~200 bytes: 100,000 is ~20 MB at worst.
 */
export const MAX_SHOWN_RECORDS = 100_000;

interface Record {
  sessionKey: string;
  room: string;
  id: number;
  untilMs: number;
  shownAs: string;
}

const keyOf = (sessionKey: string, room: string): string => `${sessionKey}\u0000${room}`;
const quoteKey = (room: string, id: number): string => `${room}\u0000${id}`;

/** One node: records in insertion order (so expiry and the bound drop from the front), indexed by what they quote. */
export function createMemoryShownNotes(windowMs: number, now: () => number, maxRecords = MAX_SHOWN_RECORDS): ShownNotes {
  const records = new Map<string, Record>();
  const byQuote = new Map<string, Set<string>>();

  const drop = (key: string): Record | undefined => {
    const record = records.get(key);
    if (record === undefined) return undefined;
    records.delete(key);
    const q = quoteKey(record.room, record.id);
    const sessions = byQuote.get(q);
    sessions?.delete(record.sessionKey);
    if (sessions?.size === 0) byQuote.delete(q);
    return record;
  };

  /** Expired ones from the front (all have the same window, so insertion order is expiry order), then the bound. */
  const prune = (): void => {
    const t = now();
    for (const [key, record] of records) {
      if (record.untilMs > t && records.size <= maxRecords) break;
      drop(key);
    }
  };

  const live = (record: Record | undefined): record is Record => record !== undefined && record.untilMs > now();
  const shownOf = ({ id, untilMs, shownAs }: Record): ShownRecord => ({ id, untilMs, shownAs });

  /**
   * Inserted at the end. A moved or put-back record keeps its own end, earlier than the newest's, so insertion order
   * is then only nearly expiry order: such a record is pruned a little late, and never claimed past its end (live).
   */
  const insert = (sessionKey: string, room: string, shown: ShownRecord): void => {
    records.set(keyOf(sessionKey, room), { sessionKey, room, ...shown });
    const q = quoteKey(room, shown.id);
    byQuote.set(q, (byQuote.get(q) ?? new Set()).add(sessionKey));
    prune();
  };

  return {
    remember(sessionKey, room, id) {
      if (windowMs === 0) return Promise.resolve(null);
      const replaced = drop(keyOf(sessionKey, room)); // re-inserted at the end: the newest
      insert(sessionKey, room, { id, untilMs: now() + windowMs, shownAs: room });
      return Promise.resolve(live(replaced) ? shownOf(replaced) : null);
    },
    putBack(sessionKey, room, replacedId, previous) {
      const key = keyOf(sessionKey, room);
      const current = records.get(key);
      if (current !== undefined && current.id !== replacedId) return Promise.resolve(false);
      drop(key);
      if (previous.untilMs <= now()) return Promise.resolve(false);
      insert(sessionKey, room, previous);
      return Promise.resolve(true);
    },
    claimQuoting(room, id) {
      const claimed: ShownClaim[] = [];
      for (const sessionKey of [...(byQuote.get(quoteKey(room, id)) ?? [])]) {
        const record = drop(keyOf(sessionKey, room));
        if (live(record)) claimed.push({ sessionKey, shownAs: record.shownAs });
      }
      return Promise.resolve(claimed);
    },
    claimSession(sessionKey, room, quoting) {
      const key = keyOf(sessionKey, room);
      if (quoting !== undefined && records.get(key)?.id !== quoting) return Promise.resolve(null);
      const record = drop(key);
      return Promise.resolve(live(record) ? shownOf(record) : null);
    },
    move(from, to, sessionKeys) {
      // One synchronous step: no change can come between the claim at `from` and the write at `to` here (with Redis
      // it can). A change at `to` before the move was called still found nothing: the caller reads again.
      const moved: MovedRecord[] = [];
      for (const sessionKey of sessionKeys) {
        const record = drop(keyOf(sessionKey, from));
        if (!live(record)) continue;
        drop(keyOf(sessionKey, to)); // a new private address has none; the moved one is what is on screen anyway
        insert(sessionKey, to, shownOf(record));
        moved.push({ sessionKey, record: shownOf(record) });
      }
      return Promise.resolve(moved);
    },
  };
}
