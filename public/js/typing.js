// Typing: who is typing now (receiving side), and how often this tab says it is typing (sending side).
import { nameKey, typingText } from "./format.js";

/** A typing signal counts for this long unless renewed. */
export const TYPING_SHOW_MS = 3000;
/** This client says "typing" at most this often per room. */
export const TYPING_SEND_EVERY_MS = 2000;

export class TypingIndicator {
  /**
   * @param {HTMLElement} el
   * @param {() => boolean} [isShown] whether this indicator's room is on screen (several rooms share `el`)
   */
  constructor(el, isShown = () => true) {
    this.el = el;
    this.isShown = isShown;
    /** @type {Map<string, { name: string, timer: ReturnType<typeof setTimeout> }>} in arrival order */
    this.typists = new Map();
  }

  /** @param {string} name @param {boolean} isTyping */
  set(name, isTyping) {
    const key = nameKey(name);
    const known = this.typists.get(key);
    if (known) clearTimeout(known.timer);
    if (!isTyping) {
      this.typists.delete(key);
    } else {
      const timer = setTimeout(() => this.set(name, false), TYPING_SHOW_MS);
      this.typists.set(key, { name: known?.name ?? name, timer });
    }
    this.render();
  }

  /** That person's message arrived: they are done typing it. @param {string} name */
  stopped(name) {
    if (this.typists.has(nameKey(name))) this.set(name, false);
  }

  clear() {
    for (const t of this.typists.values()) clearTimeout(t.timer);
    this.typists.clear();
    this.render();
  }

  render() {
    if (!this.isShown()) return;
    this.el.textContent = typingText([...this.typists.values()].map((t) => t.name));
  }
}

export class TypingNotifier {
  /** @param {(room: string) => void} send */
  constructor(send) {
    this.send = send;
    /** @type {Map<string, number>} room -> when "typing" was last sent */
    this.lastSent = new Map();
  }

  /** Called on every keystroke that leaves text in the box. @param {string} room */
  typed(room, nowMs = Date.now()) {
    const last = this.lastSent.get(room);
    if (last !== undefined && nowMs - last < TYPING_SEND_EVERY_MS) return;
    this.lastSent.set(room, nowMs);
    this.send(room);
  }
}
