// What stands between the messages of a list: a day separator ("Today", "Yesterday", a date) above each day's
// first item, one header for a sender's run of messages (the others are "continued"), and the "New messages"
// line above the first unread one. Recomputed over the list: cheap next to a network round trip.
import { dayKey, dayLabel, nameKey } from "./format.js";

/** Messages of one sender closer together than this share one header. */
const GROUP_GAP_MS = 5 * 60_000;

/** @typedef {import("./message-list.js").ItemMeta} ItemMeta */

/**
 * Day separators and sender grouping over the whole list.
 * @param {HTMLOListElement} list @param {WeakMap<Element, ItemMeta>} meta
 */
export function regroup(list, meta) {
  const now = new Date();
  /** @type {ItemMeta | null} */
  let prev = null;
  for (let el = list.firstElementChild; el; ) {
    const next = el.nextElementSibling;
    const m = meta.get(el);
    if (!m || m.kind === "day") {
      el = next;
      continue;
    }
    const sib = el.previousElementSibling;
    const sibMeta = sib ? meta.get(sib) : undefined;
    if (Number.isNaN(m.time.getTime())) {
      // A stored time that names no day (a Flask row's): no separator of its own, never a made-up date, no group;
      // the next message's day is compared with the last one that had a day.
      if (sib && sibMeta?.kind === "day") sib.remove();
      if (m.kind === "message") el.classList.remove("msg--continued");
      el = next;
      continue;
    }
    const key = dayKey(m.time);
    const isNewDay = prev === null || dayKey(prev.time) !== key;
    if (isNewDay) {
      if (sib && sibMeta?.kind === "day") {
        if (sibMeta.key !== key) fillDay(sib, meta, m.time, now);
      } else {
        list.insertBefore(dayItem(list.ownerDocument, meta, m.time, now), el);
      }
    } else if (sib && sibMeta?.kind === "day") {
      sib.remove();
    }
    if (m.kind === "message") {
      const isContinued =
        !isNewDay && prev?.kind === "message" && nameKey(prev.sender) === nameKey(m.sender) && m.time.getTime() - prev.time.getTime() < GROUP_GAP_MS;
      el.classList.toggle("msg--continued", isContinued);
    }
    prev = m;
    el = next;
  }
  // Separators left without a message after them (a duplicate local item went away).
  for (const day of list.querySelectorAll(".day")) {
    const after = day.nextElementSibling;
    if (!after || meta.get(after)?.kind === "day") day.remove();
  }
}

/** @param {Document} doc @param {WeakMap<Element, ItemMeta>} meta @param {Date} time @param {Date} now */
function dayItem(doc, meta, time, now) {
  const li = doc.createElement("li");
  li.className = "day";
  li.append(doc.createElement("span"));
  fillDay(li, meta, time, now);
  return li;
}

/** @param {Element} li @param {WeakMap<Element, ItemMeta>} meta @param {Date} time @param {Date} now */
function fillDay(li, meta, time, now) {
  const span = li.firstElementChild;
  if (span) span.textContent = dayLabel(time, now);
  meta.set(li, { kind: "day", key: dayKey(time) });
}

/**
 * The "New messages" line, above the first message newer than `lastReadId` and not deleted (moved there if it
 * was elsewhere); none when every message shown is read.
 * @param {HTMLOListElement} list @param {WeakMap<Element, ItemMeta>} meta @param {number} lastReadId
 */
export function markUnreadFrom(list, meta, lastReadId) {
  clearUnreadLine(list);
  let first = null;
  for (const el of list.children) {
    const m = meta.get(el);
    // A deleted message has nothing new to point at: the line goes above the next one.
    if (m?.kind === "message" && m.id !== null && m.id > lastReadId && !m.isLocal && m.deletedAt === undefined) {
      first = el;
      break;
    }
  }
  if (!first) return;
  const doc = list.ownerDocument;
  const line = doc.createElement("li");
  line.className = "unread-line";
  const label = doc.createElement("span");
  label.textContent = "New messages";
  line.append(label);
  // Above the day separator when the first unread message starts a day, so the separator stays with it.
  const before = first.previousElementSibling && meta.get(first.previousElementSibling)?.kind === "day" ? first.previousElementSibling : first;
  list.insertBefore(line, before);
}

/** @param {HTMLOListElement} list */
export function clearUnreadLine(list) {
  for (const el of list.querySelectorAll(".unread-line")) el.remove();
}
