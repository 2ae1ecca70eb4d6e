// One room's message list on screen: put in the shared scroller or kept off it with its scroll position,
// sticking to the bottom only for a reader who is already there, the "New messages ↓" / "Latest messages ↓"
// button, asking for older (and, in a detached window, newer) messages near the edges, keeping what the reader
// looks at still while content above it changes, and bringing one message into view with a flash. What the
// list holds is message-list.js's (MessageList extends this class).
/* global ResizeObserver */

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/** Closer than this to the top asks for older messages (and to the end, newer ones in a detached window). */
const NEAR_TOP_PX = 150;
/** How long a message opened from search or a link stays highlighted. */
const FLASH_MS = 2500;

/**
 * @typedef {{ scroller: HTMLElement, list: HTMLOListElement, newButton: HTMLButtonElement, onNearTop: () => void,
 *   onNearBottom?: () => void, onNewButton?: () => void, onAtBottom?: () => void }} ScrollParts
 */

export class ListScroll {
  /** @param {ScrollParts} els */
  constructor(els) {
    this.scroller = els.scroller;
    this.list = els.list;
    this.newButton = els.newButton;
    this.onNearTop = els.onNearTop;
    this.onNearBottom = els.onNearBottom ?? (() => {});
    /** The reader scrolled back down to the newest message (the room's messages count as read then). */
    this.onAtBottom = els.onAtBottom ?? (() => {});
    /**
     * The window shown does not reach the newest message (opened around an older one): new messages are
     * not appended (that would leave a gap) and the view is never pinned to the bottom.
     */
    this.isDetached = false;
    /** The reader is at the bottom: new content keeps the view there. */
    this.isPinned = true;
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
      // The button hides once the newest message is in view: pressed from the keyboard, the focus would fall to
      // the page's body. It goes to the list instead, where the reader is now.
      if (this.newButton.ownerDocument.activeElement === this.newButton) this.scroller.focus({ preventScroll: true });
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

  /** A new room in this list: at the bottom, live. */
  resetScroll() {
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

  /** @param {boolean} isDetached see the constructor */
  setDetached(isDetached) {
    this.isDetached = isDetached;
    if (isDetached) this.isPinned = false;
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
   * After content arrived: a reader who was at the bottom stays there; one scrolled up is told of new
   * messages from others with the button.
   * @param {boolean} wasPinned @param {boolean} isNewForReader
   */
  settle(wasPinned, isNewForReader) {
    if (wasPinned && !this.isDetached) this.scrollToBottom();
    else if (isNewForReader && !this.isDetached) {
      this.hasNewBelow = true;
      this.showButton();
    }
  }

  /**
   * Runs `change` (content added above, or a message above changing size) and scrolls by what it moved the
   * first item the reader sees, so nothing on screen jumps. The browser's own scroll anchoring is off (CSS):
   * it would fight sticking to the bottom.
   * @param {() => void} change
   * @param {(el: Element) => boolean} isAnchor which items may serve (not day lines)
   */
  keepAnchor(change, isAnchor) {
    const anchor = this.isShown ? this.firstVisibleItem(isAnchor) : null;
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    change();
    if (anchor?.isConnected) this.scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
  }

  /** @param {(el: Element) => boolean} isAnchor */
  firstVisibleItem(isAnchor) {
    const top = this.scroller.getBoundingClientRect().top;
    for (const el of this.list.children) {
      if (!isAnchor(el)) continue;
      if (el.getBoundingClientRect().bottom > top) return el;
    }
    return null;
  }

  /**
   * Scrolls a message into the middle of the view and highlights it for a moment (a static outline for
   * readers who asked for reduced motion; the CSS decides).
   * @param {HTMLLIElement} li
   */
  showItem(li) {
    li.tabIndex = -1; // focusable from script (search, permalink), not a tab stop
    li.scrollIntoView({ block: "center" });
    this.isPinned = !this.isDetached && this.isAtBottom();
    li.classList.remove("msg--flash");
    void li.offsetWidth; // restart the animation when the same message is shown twice
    li.classList.add("msg--flash");
    setTimeout(() => li.classList.remove("msg--flash"), FLASH_MS);
  }
}
