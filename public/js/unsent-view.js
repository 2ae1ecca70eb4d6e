// Messages this page wrote and will never send (a moderator took the reader out of the room, made it private
// without letting this browser in, or the room's new address could not be joined, or the room moved and the page,
// back at the old address, never heard where to): kept on the home view's join
// card, each with the room it was for and Copy, until dismissed. Never sent anywhere: the room is not the reader's
// any more, and its old address may now be another room. Text only (textContent), as everywhere.
import { shownText } from "./link-text.js";
/** @import { CarriedItem } from "./outbox.js" */

/** @param {{ unsent: HTMLElement, unsentList: HTMLUListElement }} els */
export function createUnsentView(els) {
  const doc = els.unsent.ownerDocument;

  /** @param {HTMLLIElement} li */
  function dismiss(li) {
    li.remove();
    els.unsent.hidden = els.unsentList.childElementCount === 0;
  }

  /**
   * @param {string} title the room's name as the page shows it
   * @param {CarriedItem[]} items
   * @returns {number} how many were kept
   */
  function keep(title, items) {
    for (const item of items) {
      const text = unsentText(item);
      const li = doc.createElement("li");
      li.className = "unsent__item";
      const where = doc.createElement("p");
      where.className = "unsent__room";
      where.textContent = labelOf(item, title);
      const body = doc.createElement("p");
      body.className = "unsent__text";
      body.textContent = unsentShown(item);
      const copy = doc.createElement("button");
      copy.type = "button";
      copy.className = "btn btn--small";
      copy.textContent = "Copy";
      copy.addEventListener("click", () => void navigator.clipboard?.writeText(text).then(() => (copy.textContent = "Copied"), () => undefined));
      const drop = doc.createElement("button");
      drop.type = "button";
      drop.className = "btn btn--link";
      drop.textContent = "Dismiss";
      drop.addEventListener("click", () => dismiss(li));
      li.append(where, body, copy, drop);
      els.unsentList.append(li);
    }
    if (items.length > 0) els.unsent.hidden = false;
    return items.length;
  }

  return { keep };
}

/**
 * Where the message was for and why it is here. One whose answer never came may have reached the room before the
 * reader was taken out: it says so. One a move held says the room moved, so the reader knows this room's address is
 * now another room. @param {CarriedItem} item @param {string} title
 */
export function labelOf(item, title) {
  if (item.wasOnItsWay) return `Perhaps not sent in ${title} (it was on its way):`;
  if (item.wasHeldByMove) return `Not sent in ${title} (the room moved to another address, and this page could not follow it):`;
  return `Not sent in ${title}:`;
}

/**
 * What is kept of one message: its text, and the names of its files (their uploads are not the reader's to send
 * elsewhere from here; the names say what to upload again).
 * @param {CarriedItem} item
 */
export function unsentText(item) {
  return withFiles(item.content, item);
}

/**
 * What the list shows of it: a URL's host as its link would show it (link-text.js), since pasted text may hold a
 * look-alike host; Copy still gives the text as written, which the room's page will show the same way once sent.
 * @param {CarriedItem} item
 */
export function unsentShown(item) {
  return withFiles(shownText(item.content), item);
}

/** @param {string} text @param {CarriedItem} item */
function withFiles(text, item) {
  const files = item.attachments.map((a) => a.name).join(", ");
  if (files === "") return text;
  return text === "" ? `(files: ${files})` : `${text}\n(files: ${files})`;
}

/** @typedef {ReturnType<typeof createUnsentView>} UnsentView */
