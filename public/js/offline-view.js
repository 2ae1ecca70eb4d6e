// The page without a network (issue 23 §1): a banner says so, the remembered rooms stay in the sidebar (the
// rooms restored from localStorage, as on any load), and a public room on screen with nothing loaded shows what
// the page last showed of it (message-cache.js), marked as such. Private rooms and direct conversations have
// no content kept on the device: they say so. When the network comes back the page goes live by itself (the
// connection reconnects) and the cached copies go.
import { isCacheable } from "./message-cache.js";
import { timeLabel } from "./format.js";
import { shownText } from "./link-text.js";

/**
 * @param {{
 *   win: Window,
 *   banner: HTMLElement,
 *   scroller: HTMLElement,
 *   cache: import("./message-cache.js").MessageCache,
 *   currentRoom: () => string | null,
 *   hasLoaded: () => boolean,
 * }} deps hasLoaded: whether the room on screen shows messages from the server already
 */
export function createOfflineView({ win, banner, scroller, cache, currentRoom, hasLoaded }) {
  const doc = scroller.ownerDocument;
  /** What is drawn: the room's cached messages, or its note. @type {HTMLElement | null} */
  let shown = null;
  let drawing = 0;

  const isOffline = () => win.navigator.onLine === false;

  async function render() {
    const gen = ++drawing;
    banner.hidden = !isOffline();
    // Offline is the more specific notice: the connection's own "Reconnecting…" steps aside, and the people list
    // reads as last known even before the socket notices it is gone (pwa.css).
    doc.body.classList.toggle("is-offline", isOffline());
    const room = currentRoom();
    if (!isOffline() || room === null || hasLoaded()) {
      clear();
      return;
    }
    const messages = await cache.read(room);
    if (gen !== drawing) return;
    clear();
    const box = doc.createElement("section");
    box.className = "offline-copy";
    box.setAttribute("aria-label", "Last seen before going offline");
    const head = doc.createElement("p");
    head.className = "offline-copy__head";
    if (!isCacheable(room)) head.textContent = "Messages of private rooms and direct conversations are not kept on this device.";
    else if (messages.length === 0) head.textContent = "Nothing of this room was kept on this device.";
    else head.textContent = `The last ${messages.length === 1 ? "message" : `${messages.length} messages`} this page showed (offline copy)`;
    box.append(head);
    if (messages.length > 0) {
      const ol = doc.createElement("ol");
      ol.id = "offline-messages";
      ol.className = "offline-copy__list";
      for (const m of messages) {
        const li = doc.createElement("li");
        li.className = "offline-copy__msg";
        const who = doc.createElement("span");
        who.className = "offline-copy__sender";
        who.textContent = m.sender;
        const when = doc.createElement("time");
        when.className = "offline-copy__time";
        const sent = new Date(m.sentAt);
        if (!Number.isNaN(sent.getTime())) {
          when.dateTime = m.sentAt;
          when.textContent = timeLabel(sent);
        }
        const text = doc.createElement("p");
        text.className = "offline-copy__text";
        // Plain text: a URL reads with its link's host (link-text.js), as the room showed it when online.
        text.textContent = m.edited ? `${shownText(m.text)} (edited)` : shownText(m.text);
        li.append(who, " ", when, text);
        ol.append(li);
      }
      box.append(ol);
    }
    scroller.prepend(box);
    shown = box;
  }

  function clear() {
    shown?.remove();
    shown = null;
  }

  win.addEventListener("online", () => void render());
  win.addEventListener("offline", () => void render());
  void render();

  return {
    /** A room went on screen, or its messages arrived: draw again. */
    refresh: () => void render(),
    isOffline,
  };
}
