// Which message each browser session's push notification for a room quotes now, remembered for
// PUSH_TAKE_BACK_MS, so a delete (or an edit, or a lost access) can take that notification back from the device
// (take-back.ts). A room's notifications share one tag, so a session shows at most one per room: the record is
// one id per (session, room), replaced by the next push. A take-back claims the record (forgets it), so a flood
// of deletes and edits sends at most one take-back per push that was sent: bounded by the pushes themselves,
// which the throttle already bounds (one per session and room per NOTIFY_INTERVAL_MS). One node keeps the records
// in memory (below); several share them in Redis (cluster/redis-shown.ts).

export interface ShownNotes {
  /** The session's notification for the room now quotes message `id` (the push that shows it is on its way). */
  remember(sessionKey: string, room: string, id: number): Promise<void>;
  /** The sessions whose notification for the room quotes message `id`, each forgotten (only one take-back per push). */
  claimQuoting(room: string, id: number): Promise<string[]>;
  /** The id the session's notification for the room quotes, forgotten; null when it was pushed nothing quoting one (lately). */
  claimSession(sessionKey: string, room: string): Promise<number | null>;
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

  return {
    remember(sessionKey, room, id) {
      if (windowMs === 0) return Promise.resolve();
      const key = keyOf(sessionKey, room);
      drop(key); // re-inserted at the end: the newest
      records.set(key, { sessionKey, room, id, untilMs: now() + windowMs });
      const q = quoteKey(room, id);
      byQuote.set(q, (byQuote.get(q) ?? new Set()).add(sessionKey));
      prune();
      return Promise.resolve();
    },
    claimQuoting(room, id) {
      const claimed: string[] = [];
      for (const sessionKey of [...(byQuote.get(quoteKey(room, id)) ?? [])]) {
        if (live(drop(keyOf(sessionKey, room)))) claimed.push(sessionKey);
      }
      return Promise.resolve(claimed);
    },
    claimSession(sessionKey, room) {
      const record = drop(keyOf(sessionKey, room));
      return Promise.resolve(live(record) ? record.id : null);
    },
  };
}
