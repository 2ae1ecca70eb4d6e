// How one message is drawn: its avatar, sender, time, the quote of the message it answers (reply-quote.js), text
// (links and mentions; with files, the caption alone), its files (attachment-view.js), its reactions
// (reactions-view.js), "(edited)", the tombstone of a deleted one, and the status line of one still on its way
// (Sending…, Not sent with Retry). Where a message sits among the others (order, days,
// grouping, scrolling) is message-list.js's. Builds nodes only.
import { fillFiles } from "./attachment-view.js";
import { fillQuote } from "./reply-quote.js";
import { fillReactions } from "./reactions-view.js";
import { appendLinkified } from "./linkify.js";
import { appendMentioned, mentionsReader, readerOf } from "./mention-highlight.js";
import { fullDateLabel, initials, nameHue, timeLabel } from "./format.js";

const AVATAR_COLOURS = 8;

/** @import { WireAttachment, WireQuote, WireReaction } from "../../src/protocol.js" */

/**
 * What the list knows of a message on screen. `content` is the text drawn: with files, the caption alone (the
 * wire's `content` then also holds a line per file with its link, for the original's clients, never drawn).
 * @typedef {{ kind: "message", id: number | null, sender: string, time: Date, isLocal: boolean,
 *   content: string, isMine: boolean, editedAt?: string, deletedAt?: string, mentions?: string[],
 *   attachments?: WireAttachment[], replyTo?: WireQuote, reactions?: WireReaction[] }} MessageMeta
 * @typedef {"sending" | "waiting" | "failed"} LocalState
 */

/**
 * A message's item, with its text linkified, its files and the quote of the message it answers (mentions and
 * reactions come with fillBody).
 * @param {Document} d
 * @param {{ sender: string, content: string, time: Date, id: number | null, isLocal: boolean, isOwn: boolean,
 *   attachments?: WireAttachment[], replyTo?: WireQuote }} msg
 * @returns {HTMLLIElement}
 */
export function renderMessage(d, { sender, content, time, id, isLocal, isOwn, attachments, replyTo }) {
  const li = d.createElement("li");
  li.className = "msg";
  if (isOwn) li.classList.add("msg--own");
  if (isLocal) li.classList.add("msg--local", "msg--pending");
  if (id !== null) li.dataset.id = String(id);

  const avatar = d.createElement("span");
  avatar.className = `avatar avatar--${nameHue(sender, AVATAR_COLOURS)}`;
  avatar.setAttribute("aria-hidden", "true");
  avatar.textContent = initials(sender);

  const bubble = d.createElement("div");
  bubble.className = "msg__bubble";
  const name = d.createElement("p");
  name.className = "msg__sender";
  name.textContent = sender;
  // Hebrew or Arabic reads right to left: each name and text takes its direction from its own first letters.
  name.dir = "auto";
  const text = d.createElement("p");
  text.className = "msg__text";
  text.dir = "auto";
  appendLinkified(text, content);
  const foot = d.createElement("p");
  foot.className = "msg__foot";
  const when = d.createElement("time");
  when.className = "msg__time";
  const status = d.createElement("span");
  status.className = "msg__status";
  foot.append(when, status);
  const actions = d.createElement("div");
  actions.className = "msg__actions";
  bubble.append(name, text, foot, actions);
  li.append(avatar, bubble);

  fillFiles(li, attachments);
  fillQuote(li, replyTo);
  setTime(li, time);
  if (isLocal) status.textContent = "Sending…";
  return li;
}

/**
 * The quote, the text, the files, the reactions, "(edited)" and the tombstone of a message, from its meta; `me` is
 * the reader's name (mentions of them are marked; a reply to them is one).
 * @param {HTMLLIElement} li @param {MessageMeta} m @param {string} me
 */
export function fillBody(li, m, me) {
  const d = li.ownerDocument;
  const text = li.querySelector(".msg__text");
  if (text instanceof HTMLElement) {
    text.replaceChildren();
    if (m.deletedAt !== undefined) text.textContent = "message deleted";
    else appendMentioned(text, m.content, m.mentions, readerOf(m.sender, me));
  }
  const isLive = m.deletedAt === undefined;
  fillFiles(li, isLive ? m.attachments : undefined);
  fillQuote(li, isLive ? m.replyTo : undefined);
  fillReactions(li, isLive ? m.reactions : undefined);
  li.classList.toggle("msg--deleted", m.deletedAt !== undefined);
  li.classList.toggle("msg--mentions-me", m.deletedAt === undefined && mentionsReader(m, me));
  let edited = li.querySelector(".msg__edited");
  if (m.editedAt !== undefined && m.deletedAt === undefined) {
    if (!edited) {
      edited = d.createElement("span");
      edited.className = "msg__edited";
      li.querySelector(".msg__time")?.after(edited);
    }
    edited.textContent = " (edited)";
    const at = new Date(m.editedAt);
    if (edited instanceof HTMLElement) edited.title = Number.isNaN(at.getTime()) ? "Edited" : `Edited ${fullDateLabel(at)}`;
  } else {
    edited?.remove();
  }
}

/** Only the reactions of a message (a live update): nothing else is drawn again. @param {HTMLLIElement} li @param {MessageMeta} m */
export function fillReactionsOf(li, m) {
  fillReactions(li, m.deletedAt === undefined ? m.reactions : undefined);
}

/**
 * The time under a message. `unreadable` (format.js unreadableTime) is for a stored timestamp that is not a date and
 * time: its day alone, or its text, never a time made up from it.
 * @param {Element} li @param {Date} time @param {{ day: Date | null, text: string } | null} [unreadable]
 */
export function setTime(li, time, unreadable = null) {
  const el = li.querySelector("time");
  if (!el) return;
  if (unreadable !== null || Number.isNaN(time.getTime())) {
    const day = unreadable?.day ?? null;
    if (day !== null) el.dateTime = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
    else el.removeAttribute("datetime");
    el.title = day !== null ? "Only the date was recorded" : "The time was not recorded as a date";
    el.textContent = unreadable?.text ?? "";
    return;
  }
  el.dateTime = time.toISOString();
  el.title = fullDateLabel(time);
  el.textContent = timeLabel(time);
}

/**
 * The status line of an own message on its way: Sending…, Waiting for connection…, or Not sent with Retry.
 * @param {HTMLLIElement} li a local item
 * @param {LocalState} state
 * @param {{ error?: string, onRetry?: () => void }} [opts]
 */
export function setLocalState(li, state, opts = {}) {
  li.classList.toggle("msg--pending", state !== "failed");
  li.classList.toggle("msg--failed", state === "failed");
  const status = li.querySelector(".msg__status");
  if (!status) return;
  status.replaceChildren();
  if (state === "sending") status.textContent = "Sending…";
  else if (state === "waiting") status.textContent = "Waiting for connection…";
  else {
    const d = li.ownerDocument;
    const why = d.createElement("span");
    why.textContent = `Not sent: ${opts.error ?? "something went wrong"}`;
    const retry = d.createElement("button");
    retry.type = "button";
    retry.className = "btn btn--retry";
    retry.textContent = "Retry";
    if (opts.onRetry) retry.addEventListener("click", opts.onRetry, { once: true });
    status.append(why, " ", retry);
  }
}

/** A stored message on screen, no longer local: its id, its time as stored, no status line. @param {HTMLLIElement} li @param {number} id @param {Date} time */
export function markStored(li, id, time) {
  li.dataset.id = String(id);
  li.classList.remove("msg--pending", "msg--failed", "msg--local");
  li.querySelector(".msg__status")?.replaceChildren();
  setTime(li, time);
}
