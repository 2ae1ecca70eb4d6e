// A rejoin's `changed` and `reactions` (join_chat {since}): the edits, deletes and reactions, made while the
// connection was down, of messages the page had already (and the edits and deletes of older messages its replies
// quote). Each becomes the `message_updated` or `reactions_updated` event the page missed, so the room handles it
// as it handles a live one (the list, a window's waiting messages, search results, the device's copy). No DOM.
import { captionOf } from "./file-info.js";

/** @import { MessageUpdatedEvent, ReactionsUpdatedEvent, RejoinReactions, WireReaction } from "../../src/protocol.js" */
/** @import { WireMessage } from "../../src/protocol.js" */
/** @import { MessageMeta } from "./message-view.js" */

/** The most ids a rejoin lists in `shown`: the server's LIMITS.rejoinShownMaxIds (src/protocol.ts). */
export const SHOWN_MAX_IDS = 500;

/**
 * The join's `shown`: the messages the list shows up to `since`, newest first, at most SHOWN_MAX_IDS, so the server
 * tells their deletes, edits and reactions made while away whatever their age (a page that slept through more
 * than the server's page would otherwise keep showing a deleted message). Tombstones never change: left out.
 * @param {{ info(id: number): MessageMeta | null, idsBetween(from: number, to: number): number[] }} list
 * @param {number} since
 * @returns {number[]}
 */
export function shownIds(list, since) {
  const live = list.idsBetween(1, since).filter((id) => list.info(id)?.deletedAt === undefined);
  return live.sort((a, b) => b - a).slice(0, SHOWN_MAX_IDS);
}

/**
 * The events to replay for `changed`, in its order: every message but the ones the list already shows as they
 * are now (a change seen live before the connection dropped: the server cannot tell which those were).
 * @param {string} room
 * @param {WireMessage[] | undefined} changed absent from older servers' answers
 * @param {{ info(id: number): MessageMeta | null }} list
 * @returns {MessageUpdatedEvent[]}
 */
export function missedUpdates(room, changed, list) {
  if (!Array.isArray(changed)) return [];
  return changed.filter((msg) => !isShownAsIs(msg, list.info(msg.id))).map((msg) => updateOf(room, msg));
}

/** @param {WireMessage} msg @param {MessageMeta | null} shown */
function isShownAsIs(msg, shown) {
  if (shown === null) return false;
  if (msg.deletedAt !== undefined) return shown.deletedAt !== undefined;
  return shown.deletedAt === undefined && shown.editedAt === msg.editedAt && shown.content === captionOf(msg);
}

/**
 * The `message_updated` the server broadcast for `msg`'s last change (chat/edits.ts): a delete's tombstone, or an
 * edit's text, mentions, files, caption and reply quote. The files always: a message's whole list names them all,
 * and none left (`[]`) must take away the ones shown.
 * @param {string} room
 * @param {WireMessage} msg
 * @returns {MessageUpdatedEvent}
 */
export function updateOf(room, msg) {
  if (msg.deletedAt !== undefined) return { room, id: msg.id, content: "", deletedAt: msg.deletedAt };
  /** @type {MessageUpdatedEvent} */
  const ev = { room, id: msg.id, content: msg.content, attachments: msg.attachments ?? [] };
  if (msg.editedAt !== undefined) ev.editedAt = msg.editedAt;
  if (msg.mentions !== undefined) ev.mentions = msg.mentions;
  if (msg.caption !== undefined) ev.caption = msg.caption;
  if (msg.replyTo !== undefined) ev.replyTo = msg.replyTo;
  return ev;
}

/**
 * The `reactions_updated` events to replay for a rejoin's `reactions`: each message of its range (and of its `ids`) that
 * the list shows with other reactions than it has now gets its whole list, and `mine` (the reader's own may have changed in
 * another tab), so it replaces what is shown; one not listed has none now. Listed ones not shown go too (a window's
 * waiting messages take them).
 * @param {string} room
 * @param {RejoinReactions | undefined} reactions absent from older servers' answers
 * @param {{ info(id: number): { reactions?: WireReaction[] } | null, idsBetween(from: number, to: number): number[] }} list
 * @returns {ReactionsUpdatedEvent[]}
 */
export function missedReactions(room, reactions, list) {
  if (!reactions || !Array.isArray(reactions.messages) || typeof reactions.from !== "number" || typeof reactions.to !== "number") return [];
  /** @type {Map<number, WireReaction[]>} */
  const now = new Map(reactions.messages.map((m) => [m.id, m.reactions]));
  // `ids`: the older messages the join listed in `shown` (absent from older servers' answers).
  const listed = Array.isArray(reactions.ids) ? reactions.ids.filter((id) => typeof id === "number") : [];
  const ids = [...new Set([...now.keys(), ...list.idsBetween(reactions.from, reactions.to), ...listed])].sort((a, b) => a - b);
  /** @type {ReactionsUpdatedEvent[]} */
  const events = [];
  for (const id of ids) {
    const current = now.get(id) ?? [];
    const shown = list.info(id);
    if (shown !== null && sameReactions(shown.reactions ?? [], current)) continue;
    const counts = current.map((r) => ({ emoji: r.emoji, count: r.count, names: r.names }));
    events.push({ room, id, reactions: counts, mine: current.filter((r) => r.isMine).map((r) => r.emoji) });
  }
  return events;
}

/** @param {readonly WireReaction[]} a @param {readonly WireReaction[]} b */
function sameReactions(a, b) {
  const key = (/** @type {readonly WireReaction[]} */ list) => JSON.stringify(list.map((r) => [r.emoji, r.count, r.names, r.isMine]));
  return key(a) === key(b);
}
