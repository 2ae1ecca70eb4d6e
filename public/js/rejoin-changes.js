// A rejoin's `changed` (join_chat {since}): the edits and deletes, made while the connection was down, of
// messages the page had already. Each becomes the `message_updated` event the page missed, so the room handles
// it as it handles a live one (the list, a window's waiting messages, search results, the device's copy). No DOM.
import { captionOf } from "./file-info.js";

/** @import { MessageUpdatedEvent, WireMessage } from "../../src/protocol.js" */
/** @import { MessageMeta } from "./message-view.js" */

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
