// The message box: Enter to send (Shift+Enter for a new line), Up arrow in an empty box to edit one's
// last message, the character counter, and the typing signal. What is sent goes to the outbox, which owns delivery.
import { codePointLength, normaliseContent } from "./format.js";
import { TypingNotifier } from "./typing.js";

/** The counter appears when this few characters are left. */
const COUNTER_FROM = 50;

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   limits: import("./elements.js").Limits,
 *   outbox: import("./outbox.js").Outbox,
 *   announce: (text: string) => void,
 *   joined: () => { room: string, username: string, isJoined: boolean } | null,
 *   sendTyping: (room: string) => void,
 *   editLast: () => boolean,
 *   beforeSend: () => void,
 *   completion?: { handleKey(event: KeyboardEvent): boolean, close(): void },
 * }} deps completion: sees each key first (mention-complete.js; while its list is open, Enter is its own)
 */
export function createComposer({ els, limits, outbox, announce, joined, sendTyping, editLast, beforeSend, completion }) {
  const typingNotifier = new TypingNotifier(sendTyping);

  function sendFromComposer() {
    const s = joined();
    if (!s) return;
    const content = normaliseContent(els.content.value);
    els.content.focus();
    if (content === "") return;
    if (codePointLength(content) > limits.content) {
      announce(`The message is too long: ${limits.content} characters at most.`);
      return;
    }
    beforeSend();
    outbox.add(s.username, content);
    els.content.value = "";
    updateCounter();
  }

  function updateCounter() {
    const used = codePointLength(normaliseContent(els.content.value));
    const left = limits.content - used;
    const isNear = left <= COUNTER_FROM;
    els.counter.hidden = !isNear;
    els.hint.classList.toggle("hint--hidden", isNear);
    els.counter.classList.toggle("counter--over", left < 0);
    els.counter.textContent = left >= 0 ? `${left} ${left === 1 ? "character" : "characters"} left` : `${-left} too many`;
    if (left < 0) els.content.setAttribute("aria-invalid", "true");
    else els.content.removeAttribute("aria-invalid");
  }

  els.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  // Clicking Send must not take the focus (and the phone keyboard) away from the message box.
  els.send.addEventListener("mousedown", (event) => event.preventDefault());
  els.content.addEventListener("keydown", (event) => {
    if (completion?.handleKey(event)) return;
    // Up arrow in an empty box edits one's last message (as in Slack and Discord).
    if (event.key === "ArrowUp" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && els.content.value === "") {
      if (editLast()) event.preventDefault();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
    event.preventDefault();
    sendFromComposer();
  });
  els.content.addEventListener("input", () => {
    updateCounter();
    const s = joined();
    if (s && s.isJoined && els.content.value.trim() !== "") typingNotifier.typed(s.room);
  });

  return {
    /** An empty box for a room just joined. */
    reset() {
      els.content.value = "";
      completion?.close();
      updateCounter();
    },
    focus() {
      els.content.focus();
    },
  };
}
