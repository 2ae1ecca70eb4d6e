// What a join answers besides presence: the room's newest page, or for a rejoin (`since`, the last id the client
// saw) the messages after `since` and, in `changed` and `reactions`, the edits, deletes and reactions of messages
// it already has that it may have missed while it was away, with the edits and deletes of the older messages its
// replies quote (docs/protocol.md, "Reconnect without gaps or duplicates").
// With `shown` (the page's older messages on screen), those too, whatever their age (shown-messages.ts).
// Both read the room's newest page, the one read a plain join makes, which the SQLite store answers from memory
// (storage/latest-pages.ts): a restart storm's rejoins each filter that page, with no read of their own, unless a
// client is more than a page behind.
import type { JoinResult, RejoinReactions, WireReaction } from "../protocol.js";
import type { ChatMessage, HistoryPage, ReactionGroup } from "../storage/repository.js";
import { readContext, toWireFor, toWireWith, type Reader } from "./message-context.js";
import { answeredIds } from "./replies.js";
import { answeredByShown, changedIds, liveIds, shownOutsidePage } from "./shown-messages.js";
import type { ChatDeps } from "./types.js";

/** The messages after `since`, oldest first, and whether older ones exist before them and newer ones after. */
export interface CatchUp {
  messages: readonly ChatMessage[];
  hasMore: boolean;
  hasMoreAfter: boolean;
}

/** Where a join starts: with `since`, a rejoin after the client's last message; `shown`, its older messages on screen. */
export interface JoinFrom {
  since: number | undefined;
  shown?: readonly number[] | undefined;
}

/**
 * `wantsChanges`: the join has an ack to carry `changed` and `reactions` in (the Flask original's clients get the
 * history as `message` events and nothing else, so nothing is made for them).
 */
export async function loadJoinHistory(deps: ChatDeps, room: string, username: string, from: JoinFrom, reader: Reader, wantsChanges: boolean): Promise<JoinResult> {
  const { since } = from;
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
  const shown = await shownOutsidePage(deps, room, newest, since, from.shown);
  // The originals the page's replies quote, and the listed older messages that changed: one read for both.
  const answered = new Set([...answeredIds(had), ...answeredByShown(shown)]);
  const shownChanged = new Set(changedIds(shown));
  const older = await messagesOutside(deps, room, newest, [...answeredIds([...caughtUp.messages, ...had]), ...answered, ...shownChanged]);
  const changed = [...changedOlder(older, answered, shownChanged), ...changedUpTo(newest, since)];
  // One read of each kind for the whole answer: quotes (none when every original is in hand), reactions.
  const listed = [...caughtUp.messages, ...changed];
  const shownLive = liveIds(shown);
  const reads = await readContext(deps, room, listed, reader, { known: [...older, ...newest.messages], reactionsAlso: had, reactionIdsAlso: shownLive });
  const wire = toWireWith(deps, listed, reader, reads);
  const changedWire = wire.slice(caughtUp.messages.length);
  const reactions = reader.isLegacy ? undefined : rejoinReactions(had, since, from.shown === undefined ? undefined : shownLive, reads.reactions);
  return {
    ...base,
    history: wire.slice(0, caughtUp.messages.length),
    ...(changedWire.length > 0 ? { changed: changedWire } : {}),
    ...(reactions !== undefined ? { reactions } : {}),
  };
}

/**
 * The messages older than the newest page with these ids: one read of at most a page's worth of originals and the
 * join's `shown` cap (the read a plain join of that page makes for its quotes), none when every one is in the page.
 */
async function messagesOutside(deps: ChatDeps, room: string, newest: HistoryPage, wanted: readonly number[]): Promise<ChatMessage[]> {
  const inPage = new Set(newest.messages.map((m) => m.id));
  const ids = [...new Set(wanted)].filter((id) => !inPage.has(id));
  return ids.length === 0 ? [] : deps.store.messagesById(room, ids);
}

/**
 * Among `older`, the edited or deleted ones the client shows: the originals its replies answer (`answered`: what
 * their quotes on screen must follow) and the messages its `shown` listed that changed. The page cannot tell which
 * the client saw change, so each goes on every rejoin; they are few (at most a page's originals and the `shown`
 * cap), and the page skips what it shows already.
 */
export function changedOlder(older: readonly ChatMessage[], answered: ReadonlySet<number>, shownChanged: ReadonlySet<number> = new Set()): ChatMessage[] {
  return older.filter((m) => (answered.has(m.id) || shownChanged.has(m.id)) && (m.editedAt !== undefined || m.deletedAt !== undefined));
}

/**
 * The reactions now of the page's messages the client has (`had`, the page's ids up to `since`) and of the live
 * messages it listed in `shown` outside the page (`shownLive`, absent when it listed none): the listed ones replace
 * what it shows, and any other of that range or of `ids` has none. Undefined when it has none of either.
 */
export function rejoinReactions(had: readonly ChatMessage[], since: number, shownLive: readonly number[] | undefined, groups: ReadonlyMap<number, readonly ReactionGroup[]>): RejoinReactions | undefined {
  if (had.length === 0 && (shownLive === undefined || shownLive.length === 0)) return undefined;
  const messages: RejoinReactions["messages"] = [];
  for (const id of shownLive ?? []) addGroups(messages, id, groups);
  for (const m of had) if (m.deletedAt === undefined) addGroups(messages, m.id, groups);
  // No message of the page in hand: an empty range, so only `ids` says which have none.
  const from = had[0]?.id ?? since + 1;
  return { from, to: since, messages, ...(shownLive !== undefined ? { ids: [...shownLive] } : {}) };
}

function addGroups(into: RejoinReactions["messages"], id: number, groups: ReadonlyMap<number, readonly ReactionGroup[]>): void {
  const list = groups.get(id);
  if (list !== undefined && list.length > 0) into.push({ id, reactions: list.map(toWireReaction) });
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
