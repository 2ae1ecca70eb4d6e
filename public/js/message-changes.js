// Changes to stored messages a list shows, applied in place: an edit or a delete (message_updated, the ack of
// one's own, the same message again in a page of history), new reactions (reactions_updated), and the quotes of
// replies on screen following their original, whether that original is shown or not (older than the list, or
// trimmed from it). The reader's place stays where it was. The list itself is message-list.js's.
import { fillReactionsOf } from "./message-view.js";
import { mergeReactions } from "./reactions-view.js";
import { excerptAfter } from "./reply-quote.js";
import { captionOf, filesOf } from "./file-info.js";

/** @import { MessageUpdatedEvent, ReactionsUpdatedEvent, WireMessage, WireQuote } from "../../src/protocol.js" */
/** @import { MessageMeta } from "./message-view.js" */
/** @import { MessageList } from "./message-list.js" */

/**
 * A deleted message keeps its place, sender and time, and nothing of what it said: text, mentions, files, the
 * quote it made, its reactions. @param {MessageMeta} m @param {string} deletedAt
 */
export function toTombstone(m, deletedAt) {
  m.deletedAt = deletedAt;
  m.content = "";
  m.mentions = undefined;
  m.attachments = undefined;
  m.replyTo = undefined;
  m.reactions = undefined;
}

/**
 * @param {MessageList} list @param {MessageUpdatedEvent | WireMessage} ev
 * @returns {boolean} whether the message is on screen
 */
export function applyUpdate(list, ev) {
  const li = list.byId.get(ev.id);
  const m = li ? list.meta.get(li) : undefined;
  if (!li || m?.kind !== "message") {
    // Not shown, but replies on screen may quote it: a rejoin's `changed` carries such originals on purpose.
    const excerpt = excerptAfter(ev);
    if (excerpt !== undefined) requote(list, ev.id, excerpt);
    return false;
  }
  const was = drawnState(m);
  if (typeof ev.deletedAt === "string") {
    toTombstone(m, ev.deletedAt);
    if (was !== drawnState(m)) requote(list, ev.id, null);
  } else if (typeof ev.content === "string") {
    m.content = captionOf(ev);
    // An edit carries its mentions when it has (or had) some; none given means none.
    m.mentions = ev.mentions;
    if (typeof ev.editedAt === "string") m.editedAt = ev.editedAt;
  }
  // A whole message says which files it has (none when absent); an update only when they changed.
  if ("sender" in ev || ev.attachments !== undefined) m.attachments = m.deletedAt === undefined ? filesOf(ev) : undefined;
  if ("mine" in ev && ev.mine === true) m.isMine = true;
  // A whole message says what it answers and its reactions (absent: none); an update only the quote of an edited
  // reply (reactions change through applyReactions).
  if ("sender" in ev) {
    m.replyTo = m.deletedAt === undefined ? ev.replyTo : undefined;
    m.reactions = m.deletedAt === undefined ? ev.reactions : undefined;
  } else if (ev.replyTo !== undefined && m.deletedAt === undefined) {
    m.replyTo = ev.replyTo;
  }
  // A file gone, a caption longer or shorter: the message changes size, the reader's place does not. The
  // same state again (a page of history overlapping what is shown) draws nothing and measures nothing.
  if (drawnState(m) !== was) {
    list.keepAnchor(() => list.fillBody(li, m), list.isAnchor);
    // Replies on screen quote the edited text, as the next read of them would.
    const excerpt = m.deletedAt === undefined ? excerptAfter(ev) : undefined;
    if (excerpt !== undefined) requote(list, ev.id, excerpt);
  }
  list.decorate(li, m);
  return true;
}

/**
 * A message's reactions changed: only its reactions are drawn again.
 * @param {MessageList} list @param {Pick<ReactionsUpdatedEvent, "id" | "reactions" | "mine">} ev
 * @returns {boolean} whether the message is on screen
 */
export function applyReactions(list, ev) {
  const li = list.byId.get(ev.id);
  const m = li ? list.meta.get(li) : undefined;
  if (!li || m?.kind !== "message" || m.deletedAt !== undefined) return false;
  m.reactions = mergeReactions(m.reactions, ev);
  list.keepAnchor(() => fillReactionsOf(li, m), list.isAnchor);
  return true;
}

/**
 * The original of replies on screen was edited (`excerpt`) or deleted (null): their quotes follow, as the next
 * read of them would.
 * @param {MessageList} list @param {number} id @param {string | null} excerpt
 */
function requote(list, id, excerpt) {
  for (const li of list.byId.values()) {
    const m = list.meta.get(li);
    if (m?.kind !== "message" || m.replyTo?.id !== id) continue;
    /** @type {WireQuote} */
    const quote = excerpt === null ? { id, sender: m.replyTo.sender, excerpt: null, deleted: true } : { id, sender: m.replyTo.sender, excerpt };
    if (JSON.stringify(quote) === JSON.stringify(m.replyTo)) continue;
    m.replyTo = quote;
    list.keepAnchor(() => list.fillBody(li, m), list.isAnchor);
  }
}

/** What fillBody draws from, as one comparable string. @param {MessageMeta} m */
function drawnState(m) {
  return JSON.stringify([m.content, m.editedAt, m.deletedAt, m.mentions, m.attachments?.map((a) => a.id), m.replyTo, m.reactions]);
}
