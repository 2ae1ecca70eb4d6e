// The message being answered (issue 22), each room its own: "Reply" in a message's actions, or R on a message
// (its actions or the message itself, focused), shows it above the message box (its sender and an excerpt, and a
// cancel button); Escape in the message box or the cancel button drops it; the composer sends it with the next
// message (composer.js, then the outbox keeps it through retries). Clicking a quote in the list opens its original
// (reply-quote.js). Builds nodes only: a name and an excerpt are text.
/* global Element */
import { excerptOf, quoteText } from "./reply-quote.js";

/** @import { WireQuote } from "../../src/protocol.js" */
/** @import { MessageMeta } from "./message-list.js" */

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   info: (id: number) => MessageMeta | null,
 *   currentRoom: () => string | null,
 *   announce: (text: string) => void,
 *   focusComposer: () => void,
 * }} deps
 */
export function createReplyDraft({ doc, els, info, currentRoom, announce, focusComposer }) {
  /** The quote waiting in each room. @type {Map<string, WireQuote>} */
  const drafts = new Map();

  /** Starts answering message `id` of the room on screen. @param {number} id @returns {boolean} */
  function start(id) {
    const room = currentRoom();
    const m = info(id);
    if (room === null || !m || m.id === null || m.deletedAt !== undefined) return false;
    const files = (m.attachments ?? []).map((f) => f.name).join(", ");
    const quote = { id, sender: m.sender, excerpt: excerptOf(m.content !== "" ? m.content : files) };
    drafts.set(room, quote);
    show(room);
    focusComposer();
    announce(`Replying to ${m.sender}. Escape cancels the reply.`);
    return true;
  }

  /** Draws the quote of `room` above the message box, or hides the bar. @param {string | null} room */
  function show(room) {
    const quote = room === null ? undefined : drafts.get(room);
    els.replyDraft.hidden = !quote;
    const describedBy = (els.content.getAttribute("aria-describedby") ?? "").split(" ").filter((t) => t !== "" && t !== "reply-draft-text");
    if (!quote) {
      els.replyDraftText.replaceChildren();
      els.content.setAttribute("aria-describedby", describedBy.join(" "));
      return;
    }
    const lead = doc.createElement("span");
    lead.className = "reply-draft__lead";
    lead.textContent = "Replying to ";
    const sender = doc.createElement("strong");
    sender.className = "reply-draft__sender";
    sender.textContent = quote.sender;
    const text = doc.createElement("span");
    text.className = "reply-draft__excerpt";
    text.textContent = quoteText(quote); // a look-alike host reads as punycode, as in the quote the reply will carry
    els.replyDraftText.replaceChildren(lead, sender, " ", text);
    // The message box is described by what it answers, so a screen reader hears it on focus.
    els.content.setAttribute("aria-describedby", ["reply-draft-text", ...describedBy].join(" "));
  }

  /** Drops the reply of the room on screen. @returns {boolean} whether there was one */
  function dismiss() {
    const room = currentRoom();
    if (room === null || !drafts.has(room)) return false;
    drafts.delete(room);
    show(room);
    announce("Reply cancelled.");
    return true;
  }

  els.replyCancel.addEventListener("click", () => {
    dismiss();
    focusComposer();
  });

  // R on a message, or on one of its buttons: reply to it. Not while typing (the editor) or with a modifier.
  els.scroller.addEventListener("keydown", (event) => {
    if ((event.key !== "r" && event.key !== "R") || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!target || target.closest("textarea, input, select, [contenteditable], .msg__editor")) return;
    const id = Number(target.closest("li.msg")?.getAttribute("data-id"));
    if (!Number.isSafeInteger(id) || id <= 0) return;
    if (start(id)) event.preventDefault();
  });

  return {
    start,
    dismiss,
    /** The quote to send with the next message in `room`, if any. @param {string} room */
    current: (room) => drafts.get(room) ?? null,
    /** Sent: the room's reply is done. @param {string} room */
    clear(room) {
      if (!drafts.delete(room)) return;
      if (room === currentRoom()) show(room);
    },
    /** Another room on screen (or none): its own reply shows. */
    showCurrent: () => show(currentRoom()),
    /** A room left: its reply goes. @param {string} room */
    forget: (room) => void drafts.delete(room),
  };
}

/** @typedef {ReturnType<typeof createReplyDraft>} ReplyDraft */
