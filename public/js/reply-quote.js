// A reply's quote (issue 22): the original's sender and the server's excerpt of its text, drawn above the reply's
// own text as a button that opens the original (scrolled to and flashed, or the history around it when it is not
// loaded: what a permalink does); "Deleted message", not a button, once the original is gone. Also the excerpt the
// page makes itself for a reply on its way, before the server's comes back. Builds nodes only: names and excerpts
// are always text.

import { captionOf } from "./file-info.js";
import { shownText } from "./link-text.js";

/* global Element, HTMLButtonElement */
/** @import { MessageUpdatedEvent, WireMessage, WireQuote } from "../../src/protocol.js" */

/** The server's limit on an excerpt, in graphemes (user-perceived characters). */
export const EXCERPT_MAX = 100;

// Made on first use, not at load: building a Segmenter loads ICU's break rules, measured at 35 ms of the page's
// start (a quarter of a phone-profile second, all of it before anyone has a long text to cut).
/** @type {Intl.Segmenter | null} */
let graphemes = null;

/**
 * One line of at most `max` graphemes, as the server cuts it: white space runs become one space, a longer text
 * keeps `max - 1` graphemes and ends with "…", never splitting an emoji or a letter with its accent.
 * @param {string} text @param {number} [max]
 */
export function excerptOf(text, max = EXCERPT_MAX) {
  const line = text.replace(/\s+/gu, " ").trim();
  if (line.length <= max) return line;
  /** @type {string[]} */
  const kept = [];
  for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(line)) {
    if (kept.length === max) return `${kept.slice(0, max - 1).join("").trimEnd()}…`;
    kept.push(segment);
  }
  return line;
}

/**
 * What quotes of a message say after a change to it (message_updated, or the whole message read again): null once
 * it is deleted, the excerpt of its text (its files' names when it has no text) after an edit, undefined when the
 * change touched no text.
 * @param {MessageUpdatedEvent | WireMessage} ev
 * @returns {string | null | undefined}
 */
export function excerptAfter(ev) {
  if (typeof ev.deletedAt === "string") return null;
  if (typeof ev.content !== "string") return undefined;
  const text = captionOf(ev);
  return excerptOf(text !== "" ? text : (ev.attachments ?? []).map((f) => f.name).join(", "));
}

/**
 * What a quote says of its original: the excerpt, a URL's host in it as its link would show it (link-text.js), or
 * "Deleted message". The excerpt stays as the server cut it; only its reading changes.
 * @param {WireQuote} quote
 */
export function quoteText(quote) {
  if (quote.deleted === true || quote.excerpt === null) return "Deleted message";
  // A cut excerpt ends with "…": a URL cut inside its host would take it in and no longer parse ("https://аpp…"),
  // and so read as typed. The host is read without it.
  const excerpt = quote.excerpt;
  return excerpt.endsWith("…") ? `${shownText(excerpt.slice(0, -1))}…` : shownText(excerpt);
}

/**
 * Draws `quote` above the message's text, or removes it when there is none. The same quote again draws nothing.
 * @param {HTMLLIElement} li @param {WireQuote | undefined} quote
 */
export function fillQuote(li, quote) {
  const old = li.querySelector(".msg__quote");
  if (!quote) {
    old?.remove();
    return;
  }
  const key = JSON.stringify([quote.id, quote.sender, quote.excerpt, quote.deleted === true]);
  if (old instanceof HTMLElement && old.dataset.key === key) return;
  const el = drawQuote(li.ownerDocument, quote);
  el.dataset.key = key;
  if (old) old.replaceWith(el);
  else li.querySelector(".msg__text")?.before(el);
}

/** @param {Document} d @param {WireQuote} quote */
function drawQuote(d, quote) {
  const isGone = quote.deleted === true || quote.excerpt === null;
  // A gone original cannot be opened: the quote is plain text then.
  const el = d.createElement(isGone ? "p" : "button");
  el.className = "msg__quote";
  if (el instanceof HTMLButtonElement) {
    el.type = "button";
    el.dataset.replyTo = String(quote.id);
    el.title = "Show the original message";
  } else {
    el.classList.add("msg__quote--gone");
  }
  const lead = d.createElement("span");
  lead.className = "sr-only";
  lead.textContent = "In reply to ";
  const sender = d.createElement("span");
  sender.className = "msg__quote-sender";
  sender.textContent = quote.sender === "" ? "a message" : quote.sender;
  const text = d.createElement("span");
  text.className = "msg__quote-text";
  text.textContent = quoteText(quote);
  el.append(lead, sender, " ", text);
  return el;
}

/**
 * Clicking a quote in `container` (the message list) opens its original.
 * @param {HTMLElement} container @param {(id: number) => void} open
 */
export function bindQuoteClicks(container, open) {
  container.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button.msg__quote") : null;
    if (!(target instanceof HTMLElement)) return;
    const id = Number(target.dataset.replyTo);
    if (Number.isSafeInteger(id) && id > 0) open(id);
  });
}
