// What a join answers besides presence: the room's newest page, or for a rejoin (`since`, the last id the client
// saw) the messages after `since` and, in `changed` and `reactions`, the edits, deletes and reactions of messages
// it already has that it may have missed while it was away, with the edits and deletes of the older messages its
// replies quote (docs/protocol.md, "Reconnect without gaps or duplicates").
// Both read the room's newest page, the one read a plain join makes, which the SQLite store answers from memory
// (storage/latest-pages.ts): a restart storm's rejoins each filter that page, with no read of their own, unless a
// client is more than a page behind.
import type { JoinResult, RejoinReactions, WireReaction } from "../protocol.js";
import type { ChatMessage, HistoryPage, ReactionGroup } from "../storage/repository.js";
import { readContext, toWireFor, toWireWith, type Reader } from "./message-context.js";
import { answeredIds } from "./replies.js";
import type { ChatDeps } from "./types.js";

/** The messages after `since`, oldest first, and whether older ones exist before them and newer ones after. */
export interface CatchUp {
  messages: readonly ChatMessage[];
  hasMore: boolean;
  hasMoreAfter: boolean;
}

/**
 * `wantsChanges`: the join has an ack to carry `changed` and `reactions` in (the Flask original's clients get the
 * history as `message` events and nothing else, so nothing is made for them).
 */
export async function loadJoinHistory(deps: ChatDeps, room: string, username: string, since: number | undefined, reader: Reader, wantsChanges: boolean): Promise<JoinResult> {
  const limit = deps.config.historyLimit;
  const newest = await deps.repo.page(room, { limit });
  if (since === undefined) {
    const history = await toWireFor(deps, room, newest.messages, reader, newest.messages);
    return { room, username, history, hasMore: newest.hasMore, hasMoreAfter: false, users: [] };
  }
  const caughtUp = catchUpWithin(newest, since) ?? (await catchUpFromStore(deps, room, since, limit));
  const base = { room, username, hasMore: caughtUp.hasMore, hasMoreAfter: caughtUp.hasMoreAfter, users: [] };
  if (!wantsChanges) return { ...base, history: await toWireFor(deps, room, caughtUp.messages, reader, newest.messages) };
  const had = newest.messages.filter((m) => m.id <= since);
  const older = await originalsOutside(deps, room, newest, [...caughtUp.messages, ...had]);
  const changed = [...changedOriginals(older, had), ...changedUpTo(newest, since)];
  // One read of each kind for the whole answer: quotes (none when every original is in hand), reactions.
  const listed = [...caughtUp.messages, ...changed];
  const reads = await readContext(deps, room, listed, reader, { known: [...older, ...newest.messages], reactionsAlso: had });
  const wire = toWireWith(deps, listed, reader, reads);
  const changedWire = wire.slice(caughtUp.messages.length);
  const reactions = reader.isLegacy ? undefined : reactionsOfPage(had, since, reads.reactions);
  return {
    ...base,
    history: wire.slice(0, caughtUp.messages.length),
    ...(changedWire.length > 0 ? { changed: changedWire } : {}),
    ...(reactions !== undefined ? { reactions } : {}),
  };
}

/**
 * The messages older than the newest page that the replies among `messages` answer: one read of at most a page's
 * worth of ids (the read a plain join of that page makes for its quotes), none when every original is in the page.
 */
async function originalsOutside(deps: ChatDeps, room: string, newest: HistoryPage, messages: readonly ChatMessage[]): Promise<ChatMessage[]> {
  const inPage = new Set(newest.messages.map((m) => m.id));
  const ids = answeredIds(messages).filter((id) => !inPage.has(id));
  return ids.length === 0 ? [] : deps.store.messagesById(room, ids);
}

/**
 * The originals, among `older`, of replies the client has (`had`) that were edited or deleted: what their quotes on
 * screen must follow. The page cannot tell which the client saw change, so each goes on every rejoin; they are
 * few (one per original answered from the page, at most HISTORY_LIMIT), and the page skips what it shows already.
 */
export function changedOriginals(older: readonly ChatMessage[], had: readonly ChatMessage[]): ChatMessage[] {
  const answered = new Set(answeredIds(had));
  return older.filter((m) => answered.has(m.id) && (m.editedAt !== undefined || m.deletedAt !== undefined));
}

/**
 * The reactions now of the page's messages the client has (`had`, the page's ids up to `since`): the listed ones
 * replace what it shows, and any other of that range has none. Undefined when it has none of the page.
 */
export function reactionsOfPage(had: readonly ChatMessage[], since: number, groups: ReadonlyMap<number, readonly ReactionGroup[]>): RejoinReactions | undefined {
  const first = had[0];
  if (first === undefined) return undefined;
  const messages: RejoinReactions["messages"] = [];
  for (const m of had) {
    const list = m.deletedAt === undefined ? groups.get(m.id) : undefined;
    if (list !== undefined && list.length > 0) messages.push({ id: m.id, reactions: list.map(toWireReaction) });
  }
  return { from: first.id, to: since, messages };
}

const toWireReaction = (r: ReactionGroup): WireReaction => ({ emoji: r.emoji, count: r.count, names: [...r.names], isMine: r.isMine });

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
