// What a join answers besides presence: the room's newest page, or for a rejoin (`since`, the last id the client
// saw) the messages after `since` and, in `changed`, the edits and deletes of messages it already has that it
// may have missed while it was away (docs/protocol.md, "Reconnect without gaps or duplicates").
// Both read the room's newest page, the one read a plain join makes, which the SQLite store answers from memory
// (storage/latest-pages.ts): a restart storm's rejoins each filter that page, with no read of their own, unless a
// client is more than a page behind.
import type { JoinResult } from "../protocol.js";
import type { ChatMessage, HistoryPage } from "../storage/repository.js";
import { toWireFor, type Reader } from "./message-context.js";
import type { ChatDeps } from "./types.js";

/** The messages after `since`, oldest first, and whether older ones exist before them and newer ones after. */
export interface CatchUp {
  messages: readonly ChatMessage[];
  hasMore: boolean;
  hasMoreAfter: boolean;
}

/**
 * `wantsChanges`: the join has an ack to carry `changed` in (the Flask original's clients get the history as
 * `message` events and nothing else, so nothing is made for them).
 */
export async function loadJoinHistory(deps: ChatDeps, room: string, username: string, since: number | undefined, reader: Reader, wantsChanges: boolean): Promise<JoinResult> {
  const limit = deps.config.historyLimit;
  const newest = await deps.repo.page(room, { limit });
  if (since === undefined) {
    return { room, username, history: await toWireFor(deps, room, newest.messages, reader), hasMore: newest.hasMore, hasMoreAfter: false, users: [] };
  }
  const caughtUp = catchUpWithin(newest, since) ?? (await catchUpFromStore(deps, room, since, limit));
  const changed = wantsChanges ? changedUpTo(newest, since) : [];
  // One call for both lists: its reads (quotes, reactions) are made once for the whole answer.
  const wire = await toWireFor(deps, room, [...caughtUp.messages, ...changed], reader);
  const history = wire.slice(0, caughtUp.messages.length);
  const changedWire = wire.slice(caughtUp.messages.length);
  return {
    room,
    username,
    history,
    hasMore: caughtUp.hasMore,
    hasMoreAfter: caughtUp.hasMoreAfter,
    users: [],
    ...(changedWire.length > 0 ? { changed: changedWire } : {}),
  };
}

/**
 * The catch-up after `since`, taken from the room's newest page when that page holds every message after `since`
 * (it reaches back to `since`, or it is the whole room); null when the client is further behind than that.
 */
export function catchUpWithin(newest: HistoryPage, since: number): CatchUp | null {
  const first = newest.messages[0];
  if (first === undefined) return { messages: [], hasMore: false, hasMoreAfter: false }; // an empty room
  // Every message of the room from first.id up is in the page; one below it may sit anywhere under first.id.
  if (newest.hasMore && since < first.id - 1) return null;
  const after = newest.messages.filter((m) => m.id > since);
  const firstAfter = after[0]?.id ?? since + 1;
  // Older than the answer: the page's own messages below it, or the ones before the page.
  return { messages: after, hasMore: newest.hasMore || first.id < firstAfter, hasMoreAfter: false };
}

/** A client more than a page behind: the oldest HISTORY_LIMIT after `since`, read from the store. */
async function catchUpFromStore(deps: ChatDeps, room: string, since: number, limit: number): Promise<CatchUp> {
  const page = await deps.repo.page(room, { after: since, limit });
  const firstId = page.messages[0]?.id ?? since + 1;
  const older = await deps.repo.page(room, { before: firstId, limit: 1 });
  return { messages: page.messages, hasMore: older.messages.length > 0, hasMoreAfter: page.hasMore };
}

/**
 * The messages of the newest page the client already has (id up to `since`) that were edited or deleted: their
 * current state, so a rejoin shows what changed while it was away. Older messages than the page are not covered
 * (a page read again with fetch_history shows their state). Empty when the client is more than a page behind:
 * then every message of the page is newer than `since`.
 */
export function changedUpTo(newest: HistoryPage, since: number): ChatMessage[] {
  return newest.messages.filter((m) => m.id <= since && (m.editedAt !== undefined || m.deletedAt !== undefined));
}
