// One room's message list: the messages in id order, each at most once, own sends still on their way kept at
// the end (pending, failed) until the server has them, notices where they arrived, edits and tombstones
// applied in place (message-changes.js; issue 22: a reply's quote and a message's reactions kept with it),
// paging older history in above, trimming. How one message is drawn is message-view.js's;
// day separators, grouping and the "New messages" line are message-separators.js's; where the list sits on
// screen and how it scrolls is list-scroll.js's.
import { fillBody, markStored, renderMessage, setLocalState, setTime } from "./message-view.js";
import { applyReactions, applyUpdate, toTombstone } from "./message-changes.js";
import { clearUnreadLine, markUnreadFrom, regroup } from "./message-separators.js";
import { ListScroll } from "./list-scroll.js";
import { captionOf, filesOf } from "./file-info.js";
import { dayKey, nameKey, sentDate, unreadableTime } from "./format.js";

/** @import { MessageUpdatedEvent, Notice, ReactionsUpdatedEvent, WireAttachment, WireMessage, WireQuote } from "../../src/protocol.js" */

/**
 * @typedef {import("./message-view.js").MessageMeta} MessageMeta
 * @typedef {import("./message-view.js").LocalState} LocalState
 * @typedef {MessageMeta | { kind: "notice", time: Date } | { kind: "day", key: string }} ItemMeta
 */

export class MessageList extends ListScroll {
  /** @param {import("./list-scroll.js").ScrollParts} els */
  constructor(els) {
    super(els);
    /** Builds the action buttons of a stored message (message-actions.js); set once by the wiring. */
    this.decorate = /** @type {(li: HTMLLIElement, meta: MessageMeta) => void} */ (() => {});
    this.doc = els.list.ownerDocument;
    /** @type {WeakMap<Element, ItemMeta>} */
    this.meta = new WeakMap();
    /** @type {Map<number, HTMLLIElement>} */
    this.byId = new Map();
    this.myKey = "";
    /** The reader's name, for highlighting mentions of them. */
    this.me = "";
    this.lastDayKey = dayKey(new Date());
  }

  /** Empties the list for a new room; `me` is the name messages count as own under. @param {string} me */
  reset(me) {
    this.list.replaceChildren();
    this.byId.clear();
    this.myKey = nameKey(me);
    this.me = me;
    this.resetScroll();
  }

  /** Scrolls a message into the middle of the view and highlights it for a moment. @param {number} id */
  showMessage(id) {
    const li = this.byId.get(id);
    if (!li) return false;
    this.showItem(li);
    return true;
  }

  // ---------- the "New messages" line (message-separators.js) ----------

  /** @param {number} lastReadId */
  markUnreadFrom(lastReadId) {
    markUnreadFrom(this.list, this.meta, lastReadId);
  }

  clearUnreadLine() {
    clearUnreadLine(this.list);
  }

  // ---------- what is shown ----------

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
   * An edit or a deletion of a message (message_updated, or the ack of one's own); the quotes of replies on screen
   * follow it even when the message itself is not shown. @param {MessageUpdatedEvent | WireMessage} ev
   * @returns {boolean} whether the message is on screen
   */
  applyUpdate(ev) {
    return applyUpdate(this, ev);
  }

  /**
   * A message's reactions changed (reactions_updated). @param {Pick<ReactionsUpdatedEvent, "id" | "reactions" | "mine">} ev
   * @returns {boolean} whether the message is on screen
   */
  applyReactions(ev) {
    return applyReactions(this, ev);
  }

  /**
   * The ids of the stored messages shown from `from` to `to`, in no set order. @param {number} from @param {number} to
   * @returns {number[]}
   */
  idsBetween(from, to) {
    return [...this.byId.keys()].filter((id) => id >= from && id <= to);
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
    this.keepAnchor(() => {
      const fragment = this.doc.createDocumentFragment();
      for (const msg of messages) {
        if (this.byId.has(msg.id)) continue;
        const li = this.renderStored(msg);
        this.byId.set(msg.id, li);
        fragment.append(li);
      }
      this.list.prepend(fragment);
      this.refresh();
    }, this.isAnchor);
  }

  /** @param {Notice} notice */
  addNotice(notice) {
    const wasPinned = this.isPinned;
    const li = this.doc.createElement("li");
    li.className = "notice";
    const p = this.doc.createElement("p");
    if (notice.username !== "" && notice.content.startsWith(notice.username)) {
      // The name isolated (<bdi>, its own direction): "רות 2 has joined the chat." read "2 רות has joined" before.
      const name = this.doc.createElement("bdi");
      name.textContent = notice.username;
      p.append(name, notice.content.slice(notice.username.length));
    } else p.textContent = notice.content;
    li.append(p);
    this.meta.set(li, { kind: "notice", time: new Date() });
    this.list.insertBefore(li, this.firstLocal());
    this.refresh();
    this.settle(wasPinned, false);
  }

  /**
   * Shows an own message before the server has it, with its files (uploaded already).
   * @param {string} sender
   * @param {string} content the caption
   * @param {WireAttachment[]} [attachments]
   * @param {WireQuote} [replyTo] the message it answers, as the page quotes it until the server's quote comes back
   * @returns {HTMLLIElement}
   */
  addLocal(sender, content, attachments, replyTo) {
    const li = this.renderMessage(sender, content, new Date(), null, true, attachments, replyTo);
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
    setLocalState(li, state, opts);
  }

  /** A local item goes without being sent (its outbox let go of it: outbox.js releaseHeld). @param {HTMLLIElement} li */
  removeLocal(li) {
    li.remove();
    this.refresh();
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
      const meta = { kind: "message", id: msg.id, sender: msg.sender, time, isLocal: false, content: captionOf(msg), isMine: true, mentions: msg.mentions, attachments: filesOf(msg), replyTo: msg.replyTo, reactions: msg.reactions };
      this.meta.set(li, meta);
      // The files drawn from the uploads stay (same ids); one the server left out goes. The server's quote replaces
      // the page's own.
      if (meta.mentions !== undefined || meta.attachments !== undefined || meta.replyTo !== undefined || meta.reactions !== undefined) this.fillBody(li, meta);
      markStored(li, msg.id, time);
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

  /** Items that can hold the reader's place (not day lines). @param {Element} el */
  isAnchor = (el) => this.meta.get(el)?.kind !== "day";

  /** Day separators and sender grouping, recomputed over the list. */
  refresh() {
    regroup(this.list, this.meta);
  }

  /** @param {WireMessage} msg */
  renderStored(msg) {
    const li = this.renderMessage(msg.sender, captionOf(msg), sentDate(msg), msg.id, false, msg.deletedAt === undefined ? filesOf(msg) : undefined);
    const unreadable = unreadableTime(msg);
    if (unreadable !== null) setTime(li, sentDate(msg), unreadable); // a Flask row's date alone, or its text
    const m = this.meta.get(li);
    if (m?.kind === "message") {
      m.isMine = msg.mine === true;
      m.mentions = msg.mentions;
      if (typeof msg.editedAt === "string") m.editedAt = msg.editedAt;
      if (msg.replyTo !== undefined) m.replyTo = msg.replyTo;
      if (msg.reactions !== undefined) m.reactions = msg.reactions;
      if (typeof msg.deletedAt === "string") toTombstone(m, msg.deletedAt);
      if (m.editedAt !== undefined || m.deletedAt !== undefined || m.mentions !== undefined || m.replyTo !== undefined || m.reactions !== undefined) this.fillBody(li, m);
      this.decorate(li, m);
    }
    return li;
  }

  /** The text, "(edited)" and the tombstone of a message, from its meta. @param {HTMLLIElement} li @param {MessageMeta} m */
  fillBody(li, m) {
    fillBody(li, m, this.me);
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

  /**
   * @param {string} sender
   * @param {string} content
   * @param {Date} time
   * @param {number | null} id
   * @param {boolean} isLocal
   * @param {WireAttachment[]} [attachments]
   * @param {WireQuote} [replyTo]
   */
  renderMessage(sender, content, time, id, isLocal, attachments, replyTo) {
    const li = renderMessage(this.doc, { sender, content, time, id, isLocal, isOwn: nameKey(sender) === this.myKey, attachments, replyTo });
    this.meta.set(li, { kind: "message", id, sender, time, isLocal, content, isMine: isLocal, attachments, replyTo });
    return li;
  }
}
