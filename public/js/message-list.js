// The message list: ordering by id, day separators, grouping, local (pending/failed) sends, edits and
// tombstones shown in place, and scrolling that sticks to the bottom only for a reader who is already
// there (or, in a window opened around an older message, pages newer ones as the reader scrolls down).
/* global ResizeObserver */
import { appendLinkified } from "./linkify.js";
import { appendMentioned, mentionsReader, readerOf } from "./mention-highlight.js";
import { dayKey, dayLabel, fullDateLabel, initials, nameHue, nameKey, sentDate, timeLabel } from "./format.js";

/** Messages of one sender closer together than this share one header. */
const GROUP_GAP_MS = 5 * 60_000;
/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/** Closer than this to the top asks for older messages (and to the end, newer ones in a detached window). */
const NEAR_TOP_PX = 150;
/** How long a message opened from search or a link stays highlighted. */
const FLASH_MS = 2500;
const AVATAR_COLOURS = 8;

/** @import { MessageUpdatedEvent, Notice, WireMessage } from "../../src/protocol.js" */

/**
 * @typedef {{ kind: "message", id: number | null, sender: string, time: Date, isLocal: boolean,
 *   content: string, isMine: boolean, editedAt?: string, deletedAt?: string, mentions?: string[] }
 *   | { kind: "notice", time: Date }
 *   | { kind: "day", key: string }} ItemMeta
 * @typedef {"sending" | "waiting" | "failed"} LocalState
 * @typedef {Extract<ItemMeta, { kind: "message" }>} MessageMeta
 */

export class MessageList {
  /**
   * @param {{ scroller: HTMLElement, list: HTMLOListElement, newButton: HTMLButtonElement, onNearTop: () => void,
   *   onNearBottom?: () => void, onNewButton?: () => void, onAtBottom?: () => void }} els
   */
  constructor(els) {
    this.scroller = els.scroller;
    this.list = els.list;
    this.newButton = els.newButton;
    this.onNearTop = els.onNearTop;
    this.onNearBottom = els.onNearBottom ?? (() => {});
    /** The reader scrolled back down to the newest message (the room's messages count as read then). */
    this.onAtBottom = els.onAtBottom ?? (() => {});
    /** Builds the action buttons of a stored message (message-actions.js); set once by the wiring. */
    this.decorate = /** @type {(li: HTMLLIElement, meta: MessageMeta) => void} */ (() => {});
    /**
     * The window shown does not reach the newest message (opened around an older one): new messages are
     * not appended (that would leave a gap) and the view is never pinned to the bottom.
     */
    this.isDetached = false;
    this.doc = els.list.ownerDocument;
    /** @type {WeakMap<Element, ItemMeta>} */
    this.meta = new WeakMap();
    /** @type {Map<number, HTMLLIElement>} */
    this.byId = new Map();
    this.myKey = "";
    /** The reader's name, for highlighting mentions of them. */
    this.me = "";
    /** The reader is at the bottom: new content keeps the view there. */
    this.isPinned = true;
    this.lastDayKey = dayKey(new Date());
    /**
     * Several rooms share the one scroller (issue 13): each room's list is its own <ol>, put in the scroller
     * while its room is on screen. A list off screen keeps its scroll position and its "New messages" state
     * here, and leaves the scroller and the button alone.
     */
    this.isShown = false;
    this.savedScrollTop = 0;
    /** Messages from others arrived below a reader scrolled up: the "New messages" button is due. */
    this.hasNewBelow = false;
    /** A detached window: the button says "Latest messages". */
    this.isJumpShown = false;

    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.newButton.addEventListener("click", () => {
      if (!this.isShown) return;
      if (this.isDetached && els.onNewButton) els.onNewButton();
      else this.scrollToBottom();
    });
    // A growing composer or a rotated phone changes the viewport: a pinned reader stays at the newest message.
    const keepPinned = new ResizeObserver(() => {
      if (this.isShown && this.isPinned) this.scrollToBottom();
    });
    keepPinned.observe(this.scroller);
    keepPinned.observe(this.list);
  }

  /** Empties the list for a new room; `me` is the name messages count as own under. @param {string} me */
  reset(me) {
    this.list.replaceChildren();
    this.byId.clear();
    this.myKey = nameKey(me);
    this.me = me;
    this.isPinned = true;
    this.isDetached = false;
    this.hasNewBelow = false;
    this.isJumpShown = false;
    this.showButton();
  }

  /**
   * Puts this list on screen where the reader left it: at the bottom if they were there, else at the same
   * scroll position. The lists of the other rooms stay in the scroller, hidden with content-visibility, so
   * the browser keeps their layout and showing one again costs no new layout of its messages.
   */
  show() {
    for (const other of this.scroller.querySelectorAll("ol.messages:not(.messages--away)")) {
      // The page's empty list, shown while no room was: not needed any more.
      if (other !== this.list) other.remove();
    }
    if (this.list.parentElement !== this.scroller) this.scroller.append(this.list);
    this.list.classList.remove("messages--away");
    this.list.id = "messages";
    this.isShown = true;
    if (this.isPinned && !this.isDetached) this.scrollToBottom();
    else this.scroller.scrollTop = this.savedScrollTop;
    this.showButton();
  }

  /**
   * Another room goes on screen: remembers the scroll position (and whether the reader was at the bottom).
   * @param {HTMLOListElement} [placeholder] this room is gone: the list leaves the page, the page's empty one shows
   */
  hide(placeholder) {
    if (this.isShown) {
      this.isPinned = !this.isDetached && this.isAtBottom();
      this.savedScrollTop = this.scroller.scrollTop;
      this.isShown = false;
    }
    this.list.removeAttribute("id");
    this.list.classList.add("messages--away");
    if (placeholder) {
      this.list.remove();
      if (!placeholder.isConnected) this.scroller.append(placeholder);
      placeholder.id = "messages";
      this.newButton.hidden = true;
    }
  }

  /** The "New messages ↓" / "Latest messages ↓" button, for the list on screen. */
  showButton() {
    if (!this.isShown) return;
    this.newButton.textContent = this.isJumpShown ? "Latest messages ↓" : "New messages ↓";
    this.newButton.hidden = !(this.isJumpShown || (this.hasNewBelow && !this.isDetached));
  }

  /**
   * The "New messages" line, above the first message newer than `lastReadId` (moved there if it was
   * elsewhere); none when every message shown is read.
   * @param {number} lastReadId
   */
  markUnreadFrom(lastReadId) {
    this.clearUnreadLine();
    let first = null;
    for (const el of this.list.children) {
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.id !== null && m.id > lastReadId && !m.isLocal) {
        first = el;
        break;
      }
    }
    if (!first) return;
    const line = this.doc.createElement("li");
    line.className = "unread-line";
    const label = this.doc.createElement("span");
    label.textContent = "New messages";
    line.append(label);
    // Above the day separator when the first unread message starts a day, so the separator stays with it.
    const before = first.previousElementSibling && this.meta.get(first.previousElementSibling)?.kind === "day" ? first.previousElementSibling : first;
    this.list.insertBefore(line, before);
  }

  clearUnreadLine() {
    for (const el of this.list.querySelectorAll(".unread-line")) el.remove();
  }

  /** @param {boolean} isDetached see the constructor */
  setDetached(isDetached) {
    this.isDetached = isDetached;
    if (isDetached) this.isPinned = false;
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

  /** Stored messages on the list (not pending ones). */
  get storedCount() {
    return this.byId.size;
  }

  /**
   * Drops the oldest stored messages, with the notices and day lines above them, so that `keep` remain.
   * @param {number} keep
   * @returns {number} how many messages went
   */
  trimOldest(keep) {
    const excess = this.byId.size - keep;
    if (excess <= 0) return 0;
    let dropped = 0;
    while (dropped < excess && this.list.firstElementChild) {
      const el = this.list.firstElementChild;
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.isLocal) break; // pending sends stay (they sit below the stored ones anyway)
      if (m?.kind === "message" && m.id !== null) {
        this.byId.delete(m.id);
        dropped++;
      }
      el.remove();
    }
    this.refresh(); // the first kept message gets its day line back
    return dropped;
  }

  get oldestId() {
    for (const el of this.list.children) {
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.id !== null) return m.id;
    }
    return null;
  }

  get newestId() {
    for (let el = this.list.lastElementChild; el; el = el.previousElementSibling) {
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.id !== null) return m.id;
    }
    return null;
  }

  /** @param {number} id */
  has(id) {
    return this.byId.has(id);
  }

  /** What is known of a stored message on screen. @param {number} id @returns {MessageMeta | null} */
  info(id) {
    const li = this.byId.get(id);
    const m = li ? this.meta.get(li) : undefined;
    return m?.kind === "message" ? m : null;
  }

  /** @param {number} id */
  element(id) {
    return this.byId.get(id) ?? null;
  }

  /** The newest message this page may edit (its own, not deleted), or null. @returns {MessageMeta | null} */
  lastMine() {
    for (let el = this.list.lastElementChild; el; el = el.previousElementSibling) {
      const m = this.meta.get(el);
      if (m?.kind === "message" && m.id !== null && m.isMine && !m.deletedAt) return m;
    }
    return null;
  }

  /** Builds every message's actions again (e.g. the reader turned out to be a moderator). */
  redecorate() {
    for (const li of this.byId.values()) {
      const m = this.meta.get(li);
      if (m?.kind === "message") this.decorate(li, m);
    }
  }

  /**
   * An edit or a deletion of a message on screen (message_updated, or the ack of one's own).
   * @param {MessageUpdatedEvent | WireMessage} ev
   * @returns {boolean} whether the message is on screen
   */
  applyUpdate(ev) {
    const li = this.byId.get(ev.id);
    const m = li ? this.meta.get(li) : undefined;
    if (!li || m?.kind !== "message") return false;
    if (typeof ev.deletedAt === "string") {
      m.deletedAt = ev.deletedAt;
      m.content = "";
      m.mentions = undefined;
    } else if (typeof ev.content === "string") {
      m.content = ev.content;
      // An edit carries its mentions when it has (or had) some; none given means none.
      m.mentions = ev.mentions;
      if (typeof ev.editedAt === "string") m.editedAt = ev.editedAt;
    }
    if ("mine" in ev && ev.mine === true) m.isMine = true;
    this.fillBody(li, m);
    this.decorate(li, m);
    return true;
  }

  /**
   * Scrolls a message into the middle of the view and highlights it for a moment (a static outline for
   * readers who asked for reduced motion; the CSS decides).
   * @param {number} id
   */
  showMessage(id) {
    const li = this.byId.get(id);
    if (!li) return false;
    li.tabIndex = -1; // focusable from script (search, permalink), not a tab stop
    li.scrollIntoView({ block: "center" });
    this.isPinned = !this.isDetached && this.isAtBottom();
    li.classList.remove("msg--flash");
    void li.offsetWidth; // restart the animation when the same message is shown twice
    li.classList.add("msg--flash");
    setTimeout(() => li.classList.remove("msg--flash"), FLASH_MS);
    return true;
  }

  isAtBottom() {
    if (!this.isShown) return this.isPinned;
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  scrollToBottom() {
    this.isPinned = !this.isDetached;
    if (!this.isDetached) this.hasNewBelow = false;
    if (!this.isShown) return;
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.showButton();
  }

  onScroll() {
    if (!this.isShown) return;
    const wasPinned = this.isPinned;
    this.isPinned = !this.isDetached && this.isAtBottom();
    if (this.isPinned) {
      this.hasNewBelow = false;
      this.showButton();
      if (!wasPinned) this.onAtBottom();
    }
    if (this.scroller.scrollTop < NEAR_TOP_PX) this.onNearTop();
    if (this.isDetached && this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < NEAR_TOP_PX) this.onNearBottom();
  }

  /** A detached window: says newer messages exist below (its button goes back to the live end). @param {boolean} isShown */
  showJumpToLatest(isShown) {
    this.isJumpShown = isShown;
    if (isShown) this.hasNewBelow = false;
    this.showButton();
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
      if (this.byId.has(msg.id)) {
        // The same message again (a page of history, a search jump): it may carry a newer state.
        this.applyUpdate(msg);
        continue;
      }
      const li = this.renderStored(msg);
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
    const anchor = this.isShown ? this.firstVisibleItem() : null;
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    const fragment = this.doc.createDocumentFragment();
    for (const msg of messages) {
      if (this.byId.has(msg.id)) continue;
      const li = this.renderStored(msg);
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
      // This page sent it, whichever copy arrived first.
      this.applyUpdate({ ...msg, mine: true });
    } else if (this.isDetached) {
      // Sent while reading an older window: it belongs after messages not loaded yet.
      li.remove();
    } else {
      const time = sentDate(msg);
      /** @type {MessageMeta} */
      const meta = { kind: "message", id: msg.id, sender: msg.sender, time, isLocal: false, content: msg.content, isMine: true, mentions: msg.mentions };
      this.meta.set(li, meta);
      if (meta.mentions !== undefined) this.fillBody(li, meta);
      li.dataset.id = String(msg.id);
      li.classList.remove("msg--pending", "msg--failed", "msg--local");
      li.querySelector(".msg__status")?.replaceChildren();
      this.setTime(li, time);
      li.remove();
      this.insertStored(li, msg.id);
      this.byId.set(msg.id, li);
      this.decorate(li, meta);
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
    if (wasPinned && !this.isDetached) this.scrollToBottom();
    else if (isNewForReader && !this.isDetached) {
      this.hasNewBelow = true;
      this.showButton();
    }
  }

  /** @param {WireMessage} msg */
  renderStored(msg) {
    const li = this.renderMessage(msg.sender, msg.content, sentDate(msg), msg.id, false);
    const m = this.meta.get(li);
    if (m?.kind === "message") {
      m.isMine = msg.mine === true;
      m.mentions = msg.mentions;
      if (typeof msg.editedAt === "string") m.editedAt = msg.editedAt;
      if (typeof msg.deletedAt === "string") {
        m.deletedAt = msg.deletedAt;
        m.content = "";
      }
      if (m.editedAt !== undefined || m.deletedAt !== undefined || m.mentions !== undefined) this.fillBody(li, m);
      this.decorate(li, m);
    }
    return li;
  }

  /**
   * The text, "(edited)" and the tombstone of a message, from its meta.
   * @param {HTMLLIElement} li @param {MessageMeta} m
   */
  fillBody(li, m) {
    const text = li.querySelector(".msg__text");
    if (text instanceof HTMLElement) {
      text.replaceChildren();
      if (m.deletedAt !== undefined) text.textContent = "message deleted";
      else appendMentioned(text, m.content, m.mentions, readerOf(m.sender, this.me));
    }
    li.classList.toggle("msg--deleted", m.deletedAt !== undefined);
    li.classList.toggle("msg--mentions-me", m.deletedAt === undefined && mentionsReader(m, this.me));
    let edited = li.querySelector(".msg__edited");
    if (m.editedAt !== undefined && m.deletedAt === undefined) {
      if (!edited) {
        edited = this.doc.createElement("span");
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
    const actions = d.createElement("div");
    actions.className = "msg__actions";
    bubble.append(name, text, foot, actions);
    li.append(avatar, bubble);

    this.setTime(li, time);
    this.meta.set(li, { kind: "message", id, sender, time, isLocal, content, isMine: isLocal });
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
