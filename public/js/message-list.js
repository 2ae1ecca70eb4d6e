// The message list: ordering by id, day separators, grouping, local (pending/failed) sends, and scrolling
// that sticks to the bottom only for a reader who is already there.
/* global ResizeObserver */
import { appendLinkified } from "./linkify.js";
import { dayKey, dayLabel, fullDateLabel, initials, nameHue, nameKey, sentDate, timeLabel } from "./format.js";

/** Messages of one sender closer together than this share one header. */
const GROUP_GAP_MS = 5 * 60_000;
/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/** Closer than this to the top asks for older messages. */
const NEAR_TOP_PX = 150;
const AVATAR_COLOURS = 8;

/** @import { Notice, WireMessage } from "../../src/protocol.js" */

/**
 * @typedef {{ kind: "message", id: number | null, sender: string, time: Date, isLocal: boolean }
 *   | { kind: "notice", time: Date }
 *   | { kind: "day", key: string }} ItemMeta
 * @typedef {"sending" | "waiting" | "failed"} LocalState
 */

export class MessageList {
  /**
   * @param {{ scroller: HTMLElement, list: HTMLOListElement, newButton: HTMLButtonElement, onNearTop: () => void }} els
   */
  constructor(els) {
    this.scroller = els.scroller;
    this.list = els.list;
    this.newButton = els.newButton;
    this.onNearTop = els.onNearTop;
    this.doc = els.list.ownerDocument;
    /** @type {WeakMap<Element, ItemMeta>} */
    this.meta = new WeakMap();
    /** @type {Map<number, HTMLLIElement>} */
    this.byId = new Map();
    this.myKey = "";
    /** The reader is at the bottom: new content keeps the view there. */
    this.isPinned = true;
    this.lastDayKey = dayKey(new Date());

    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.newButton.addEventListener("click", () => this.scrollToBottom());
    // A growing composer or a rotated phone changes the viewport: a pinned reader stays at the newest message.
    const keepPinned = new ResizeObserver(() => {
      if (this.isPinned) this.scrollToBottom();
    });
    keepPinned.observe(this.scroller);
    keepPinned.observe(this.list);
  }

  /** Empties the list for a new room; `me` is the name messages count as own under. @param {string} me */
  reset(me) {
    this.list.replaceChildren();
    this.byId.clear();
    this.myKey = nameKey(me);
    this.isPinned = true;
    this.newButton.hidden = true;
  }

  /** Removes every stored message and notice; local (unsent) items stay. */
  clearStored() {
    for (const el of [...this.list.children]) {
      const m = this.meta.get(el);
      if (!(m?.kind === "message" && m.isLocal)) el.remove();
    }
    this.byId.clear();
    this.refresh();
  }

  get oldestId() {
    for (const el of this.list.children) {
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.id !== null) return m.id;
    }
    return null;
  }

  /** @param {number} id */
  has(id) {
    return this.byId.has(id);
  }

  isAtBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.isPinned = true;
    this.newButton.hidden = true;
  }

  onScroll() {
    this.isPinned = this.isAtBottom();
    if (this.isPinned) this.newButton.hidden = true;
    if (this.scroller.scrollTop < NEAR_TOP_PX) this.onNearTop();
  }

  /**
   * Adds stored messages (live, history or catch-up) in id order, each at most once.
   * @param {WireMessage[]} messages
   * @param {{ isNew: boolean }} opts isNew: show "New messages" to a reader scrolled up
   * @returns {WireMessage[]} the ones that were not shown before
   */
  addMessages(messages, opts) {
    const wasPinned = this.isPinned;
    const added = [];
    for (const msg of messages) {
      if (this.byId.has(msg.id)) continue;
      const li = this.renderMessage(msg.sender, msg.content, sentDate(msg), msg.id, false);
      this.insertStored(li, msg.id);
      this.byId.set(msg.id, li);
      added.push(msg);
    }
    if (added.length === 0) return added;
    this.refresh();
    this.settle(wasPinned, opts.isNew && added.some((m) => nameKey(m.sender) !== this.myKey));
    return added;
  }

  /**
   * Adds older messages above everything, keeping the message the reader was looking at where it was.
   * @param {WireMessage[]} messages oldest first, all older than what is shown
   */
  prependOlder(messages) {
    const anchor = this.firstVisibleItem();
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    const fragment = this.doc.createDocumentFragment();
    for (const msg of messages) {
      if (this.byId.has(msg.id)) continue;
      const li = this.renderMessage(msg.sender, msg.content, sentDate(msg), msg.id, false);
      this.byId.set(msg.id, li);
      fragment.append(li);
    }
    this.list.prepend(fragment);
    this.refresh();
    if (anchor) this.scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
  }

  /** @param {Notice} notice */
  addNotice(notice) {
    const wasPinned = this.isPinned;
    const li = this.doc.createElement("li");
    li.className = "notice";
    const p = this.doc.createElement("p");
    p.textContent = notice.content;
    li.append(p);
    this.meta.set(li, { kind: "notice", time: new Date() });
    this.list.insertBefore(li, this.firstLocal());
    this.refresh();
    this.settle(wasPinned, false);
  }

  /**
   * Shows an own message before the server has it.
   * @param {string} sender
   * @param {string} content
   * @returns {HTMLLIElement}
   */
  addLocal(sender, content) {
    const li = this.renderMessage(sender, content, new Date(), null, true);
    this.list.append(li);
    this.refresh();
    this.scrollToBottom(); // one's own message always brings the view down
    return li;
  }

  /**
   * @param {HTMLLIElement} li a local item
   * @param {LocalState} state
   * @param {{ error?: string, onRetry?: () => void }} [opts]
   */
  setLocalState(li, state, opts = {}) {
    li.classList.toggle("msg--pending", state !== "failed");
    li.classList.toggle("msg--failed", state === "failed");
    const status = li.querySelector(".msg__status");
    if (!status) return;
    status.replaceChildren();
    if (state === "sending") status.textContent = "Sending…";
    else if (state === "waiting") status.textContent = "Waiting for connection…";
    else {
      const why = this.doc.createElement("span");
      why.textContent = `Not sent: ${opts.error ?? "something went wrong"}`;
      const retry = this.doc.createElement("button");
      retry.type = "button";
      retry.className = "btn btn--retry";
      retry.textContent = "Retry";
      if (opts.onRetry) retry.addEventListener("click", opts.onRetry, { once: true });
      status.append(why, " ", retry);
    }
  }

  /**
   * The server stored a local message: it takes its place among the stored ones (or goes, if the
   * stored message is already shown, e.g. from a catch-up after reconnecting).
   * @param {HTMLLIElement} li
   * @param {WireMessage} msg
   */
  confirmLocal(li, msg) {
    const wasPinned = this.isPinned;
    const shown = this.byId.get(msg.id);
    if (shown !== undefined && shown !== li) {
      li.remove();
    } else {
      const time = sentDate(msg);
      this.meta.set(li, { kind: "message", id: msg.id, sender: msg.sender, time, isLocal: false });
      li.dataset.id = String(msg.id);
      li.classList.remove("msg--pending", "msg--failed", "msg--local");
      li.querySelector(".msg__status")?.replaceChildren();
      this.setTime(li, time);
      li.remove();
      this.insertStored(li, msg.id);
      this.byId.set(msg.id, li);
    }
    this.refresh();
    this.settle(wasPinned, false);
  }

  /** Relabels "Today"/"Yesterday" after midnight. */
  refreshDays() {
    const today = dayKey(new Date());
    if (today === this.lastDayKey) return;
    this.lastDayKey = today;
    for (const el of this.list.querySelectorAll(".day")) el.remove();
    this.refresh();
  }

  // --- internals ---

  /** @param {boolean} wasPinned @param {boolean} isNewForReader */
  settle(wasPinned, isNewForReader) {
    if (wasPinned) this.scrollToBottom();
    else if (isNewForReader) this.newButton.hidden = false;
  }

  /** The first of the local items kept at the end of the list, or null. @returns {Element | null} */
  firstLocal() {
    let first = null;
    for (let el = this.list.lastElementChild; el; el = el.previousElementSibling) {
      const m = this.meta.get(el);
      if (m?.kind === "day") continue;
      if (m?.kind === "message" && m.isLocal) first = el;
      else break;
    }
    return first;
  }

  /** Inserts a stored message by id, before any local items; notices stay where they arrived. @param {Element} li @param {number} id */
  insertStored(li, id) {
    const boundary = this.firstLocal();
    let before = boundary;
    for (let el = boundary ? boundary.previousElementSibling : this.list.lastElementChild; el; el = el.previousElementSibling) {
      const m = this.meta.get(el);
      if (m?.kind !== "message") continue;
      if (m.id !== null && m.id > id) {
        before = el;
        continue;
      }
      break;
    }
    this.list.insertBefore(li, before);
  }

  firstVisibleItem() {
    const top = this.scroller.getBoundingClientRect().top;
    for (const el of this.list.children) {
      if (this.meta.get(el)?.kind === "day") continue;
      if (el.getBoundingClientRect().bottom > top) return el;
    }
    return null;
  }

  /** Day separators and sender grouping, recomputed over the list (cheap next to a network round trip). */
  refresh() {
    const now = new Date();
    /** @type {ItemMeta | null} */
    let prev = null;
    for (let el = this.list.firstElementChild; el; ) {
      const next = el.nextElementSibling;
      const m = this.meta.get(el);
      if (!m || m.kind === "day") {
        el = next;
        continue;
      }
      const key = dayKey(m.time);
      const isNewDay = prev === null || dayKey(prev.time) !== key;
      const sib = el.previousElementSibling;
      const sibMeta = sib ? this.meta.get(sib) : undefined;
      if (isNewDay) {
        if (sib && sibMeta?.kind === "day") {
          if (sibMeta.key !== key) this.fillDay(sib, m.time, now);
        } else {
          this.list.insertBefore(this.dayItem(m.time, now), el);
        }
      } else if (sib && sibMeta?.kind === "day") {
        sib.remove();
      }
      if (m.kind === "message") {
        const isContinued =
          !isNewDay &&
          prev?.kind === "message" &&
          nameKey(prev.sender) === nameKey(m.sender) &&
          m.time.getTime() - prev.time.getTime() < GROUP_GAP_MS;
        el.classList.toggle("msg--continued", isContinued);
      }
      prev = m;
      el = next;
    }
    // Separators left without a message after them (a duplicate local item went away).
    for (const day of this.list.querySelectorAll(".day")) {
      const after = day.nextElementSibling;
      if (!after || this.meta.get(after)?.kind === "day") day.remove();
    }
  }

  /** @param {Date} time @param {Date} now */
  dayItem(time, now) {
    const li = this.doc.createElement("li");
    li.className = "day";
    li.append(this.doc.createElement("span"));
    this.fillDay(li, time, now);
    return li;
  }

  /** @param {Element} li @param {Date} time @param {Date} now */
  fillDay(li, time, now) {
    const span = li.firstElementChild;
    if (span) span.textContent = dayLabel(time, now);
    this.meta.set(li, { kind: "day", key: dayKey(time) });
  }

  /**
   * @param {string} sender
   * @param {string} content
   * @param {Date} time
   * @param {number | null} id
   * @param {boolean} isLocal
   */
  renderMessage(sender, content, time, id, isLocal) {
    const d = this.doc;
    const li = d.createElement("li");
    li.className = "msg";
    if (nameKey(sender) === this.myKey) li.classList.add("msg--own");
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
    const text = d.createElement("p");
    text.className = "msg__text";
    appendLinkified(text, content);
    const foot = d.createElement("p");
    foot.className = "msg__foot";
    const when = d.createElement("time");
    when.className = "msg__time";
    const status = d.createElement("span");
    status.className = "msg__status";
    foot.append(when, status);
    bubble.append(name, text, foot);
    li.append(avatar, bubble);

    this.setTime(li, time);
    this.meta.set(li, { kind: "message", id, sender, time, isLocal });
    if (isLocal) status.textContent = "Sending…";
    return li;
  }

  /** @param {Element} li @param {Date} time */
  setTime(li, time) {
    const el = li.querySelector("time");
    if (!el) return;
    el.dateTime = time.toISOString();
    el.title = fullDateLabel(time);
    el.textContent = timeLabel(time);
  }
}
