// The newest page of the rooms joined lately, kept in memory (issue 20). Reading it was the largest single cost of
// a join (about 0.5 ms of a 1.1 ms join into a room of 100,000 messages: 101 rows through the index, twelve
// columns each, timestamps parsed, files looked up), and a restart storm reads the same hundred pages thousands of
// times. A page is kept until anything may have changed it:
// - an append commits in its room: the repository takes the room's page out inside the transaction, before its
//   COMMIT, and after the COMMIT puts it back with the new rows at its end (a restart storm's rooms each take a
//   message a second while their members come back: reading the page again after each one was most of the
//   catch-up's cost). A message with files is not added: the page is read again, files and all;
// - any other write through this connection commits (edits, deletes, files, moderation, room moves: rare, so
//   all pages go rather than each write saying which rooms it touched), except the writes that change no message
//   row (reactions, presence snapshots every 2 s, push settings), which say so;
// - another connection commits to the file (the Flask app beside this one): SQLite's `PRAGMA data_version`;
// - the connection is replaced (a reopen after the file was replaced or became read-only).
// A catch-up (`after` an id) into a room with no kept page reads and keeps the room's newest page first: after a
// restart every page comes back with `join_chat {since}`, and without this none of those joins kept anything, so
// each of the thousands read the file.
// The pages handed out are frozen: every reader shares them.
import type { ChatMessage, HistoryPage, PageQuery } from "./repository.js";

/** What must not change while a page is kept: the connection's statements, PRAGMA data_version, this connection's write count. */
export interface PageStamp {
  connection: object;
  dataVersion: number;
  writes: number;
}

/** Whether nothing a kept read depends on moved between two stamps (null: nothing kept yet). */
export const sameStamp = (a: PageStamp | null, b: PageStamp): boolean =>
  a !== null && a.connection === b.connection && a.dataVersion === b.dataVersion && a.writes === b.writes;

export class LatestPages {
  /** Room -> its newest page for `limit` rows; Map order is use order (the oldest use first, dropped first). */
  private readonly pages = new Map<string, { limit: number; page: HistoryPage }>();
  private stamp: PageStamp | null = null;
  /** Counts every drop of all pages: a page taken out before one cannot be put back after it. */
  private generation = 0;

  /**
   * `maxRooms`: how many rooms' pages are kept at most (0 keeps none). `maxRows`: the largest page kept (a join's,
   * HISTORY_LIMIT); a longer one asked for by a client's fetch_history is read and handed out, not kept.
   */
  constructor(
    private readonly maxRooms: number,
    private readonly maxRows: number,
  ) {}

  /** Drops every page when the stamp moved since the last call. */
  check(stamp: PageStamp): void {
    if (sameStamp(this.stamp, stamp)) return;
    this.pages.clear();
    this.generation++;
    this.stamp = stamp;
  }

  /**
   * The page `query` asks for, when the kept newest page holds all of it: the newest page itself, a catch-up after
   * an id inside it (a page that comes back after a restart joins with `since`), or an older page that lies inside it.
   * Otherwise undefined, and the caller reads the file.
   */
  answer(room: string, query: PageQuery): HistoryPage | undefined {
    const entry = this.pages.get(room);
    if (entry === undefined) return undefined;
    this.pages.delete(room); // most recently used goes last
    this.pages.set(room, entry);
    const { messages, hasMore: hasOlder } = entry.page;
    if ("after" in query) {
      // Every message of the room above the kept page's first id is in the kept page.
      const first = messages[0];
      if (hasOlder && first !== undefined && query.after < first.id - 1) return undefined;
      const newer = messages.filter((m) => m.id > query.after);
      return { messages: newer.slice(0, query.limit), hasMore: newer.length > query.limit };
    }
    if (query.before === undefined && query.limit === entry.limit) return entry.page;
    const before = query.before ?? Number.POSITIVE_INFINITY;
    const older = messages.filter((m) => m.id < before);
    if (older.length > query.limit) return { messages: older.slice(older.length - query.limit), hasMore: true };
    // All of the kept page's messages below `before`, and either nothing older exists or there are just enough.
    if (!hasOlder || older.length === query.limit) return { messages: older, hasMore: hasOlder };
    return undefined;
  }

  /**
   * Keeps `page` (frozen: callers must not change it) and returns it. `areMessagesFrozen`: its messages are already
   * (extend: the kept ones were, the new ones it froze), so only the page itself is frozen.
   */
  put(room: string, limit: number, page: HistoryPage, areMessagesFrozen = false): HistoryPage {
    if (this.maxRooms === 0 || limit > this.maxRows) return page;
    const frozen = areMessagesFrozen ? freezeShell(page) : freezePage(page);
    this.pages.delete(room);
    this.pages.set(room, { limit, page: frozen });
    if (this.pages.size > this.maxRooms) this.pages.delete(this.pages.keys().next().value as string);
    return frozen;
  }

  /** The longest page kept (0: none is): a catch-up that misses keeps the room's newest page of this length. */
  get rowsKept(): number {
    return this.maxRooms === 0 ? 0 : this.maxRows;
  }

  has(room: string): boolean {
    return this.pages.has(room);
  }

  forget(room: string): void {
    this.pages.delete(room);
  }

  /**
   * Takes `room`'s page out while an append writes to the room (inside its transaction, before the COMMIT), so no
   * read can get the page without the new rows; `extend` puts it back after the COMMIT.
   */
  take(room: string): TakenPage | undefined {
    const entry = this.pages.get(room);
    if (entry === undefined) return undefined;
    this.pages.delete(room);
    return { ...entry, generation: this.generation };
  }

  /**
   * Puts a taken page back with `added` (the room's committed rows, in id order) at its end, as a read of the file
   * would now give it. Not when anything could have made it stale meanwhile: all pages dropped since it was taken,
   * or a read already kept a newer page of the room.
   */
  extend(room: string, taken: TakenPage, added: readonly ChatMessage[]): void {
    if (taken.generation !== this.generation || this.pages.has(room)) return;
    const last = taken.page.messages.at(-1)?.id ?? 0;
    const newer = added.filter((m) => m.id > last).map(copyMessage);
    for (const m of newer) freezeMessage(m);
    const all = [...taken.page.messages, ...newer];
    const messages = all.slice(Math.max(0, all.length - taken.limit));
    this.put(room, taken.limit, { messages, hasMore: taken.page.hasMore || all.length > taken.limit }, true);
  }
}

/** A page out of the map while an append commits (take, extend). */
export interface TakenPage {
  limit: number;
  page: HistoryPage;
  generation: number;
}

/** A message of the append's result, which its caller goes on using: the page keeps (and freezes) its own copy. */
function copyMessage(m: ChatMessage): ChatMessage {
  const copy = { ...m };
  if (m.mentions) copy.mentions = [...m.mentions];
  return copy;
}

function freezePage(page: HistoryPage): HistoryPage {
  for (const m of page.messages) freezeMessage(m);
  return freezeShell(page);
}

/** The page and its list, not the messages in it. */
function freezeShell(page: HistoryPage): HistoryPage {
  Object.freeze(page.messages);
  return Object.freeze(page);
}

function freezeMessage(m: ChatMessage): void {
  if (m.mentions) Object.freeze(m.mentions);
  if (m.attachments) {
    for (const a of m.attachments) Object.freeze(a);
    Object.freeze(m.attachments);
  }
  Object.freeze(m);
}
