// The message box: Enter to send (Shift+Enter for a new line), Up arrow in an empty box to edit one's
// last message, the character counter, and the typing signal. What is sent goes to the outbox, which owns delivery.
// Issue 18: the room's uploaded files go with the text (then a caption, which may be empty); while some are
// still uploading, Send waits for them ("Uploading…"; Escape stops waiting) and sends when they are done.
// Issue 22: the message being answered (reply-draft.js) goes with the next message; Escape drops it.
import { codePointLength, normaliseContent } from "./format.js";
import { TypingNotifier } from "./typing.js";

/** The counter appears when this few characters are left. */
const COUNTER_FROM = 50;

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   limits: import("./elements.js").Limits,
 *   outbox: () => import("./outbox.js").Outbox | null,
 *   announce: (text: string) => void,
 *   joined: () => { room: string, username: string, isJoined: boolean } | null,
 *   sendTyping: (room: string) => void,
 *   editLast: () => boolean,
 *   beforeSend: () => void,
 *   completion?: { handleKey(event: KeyboardEvent): boolean, close(): void },
 *   tray: import("./upload-tray.js").UploadTray,
 *   reply?: Pick<import("./reply-draft.js").ReplyDraft, "current" | "clear" | "dismiss">,
 * }} deps completion: sees each key first (mention-complete.js; while its list is open, Enter is its own)
 */
export function createComposer({ els, limits, outbox, announce, joined, sendTyping, editLast, beforeSend, completion, tray, reply }) {
  const typingNotifier = new TypingNotifier(sendTyping);
  /** The room whose message waits for its uploads to finish, if any. */
  let waitingIn = /** @type {string | null} */ (null);

  function sendFromComposer() {
    const s = joined();
    const box = outbox();
    if (!s || !box) return;
    const content = normaliseContent(els.content.value);
    els.content.focus();
    if (tray.isUploading(s.room)) {
      waitForUploads(s.room);
      return;
    }
    const files = tray.ready(s.room);
    if (content === "" && files.length === 0) return;
    if (codePointLength(content) > limits.content) {
      announce(`The message is too long: ${limits.content} characters at most.`);
      return;
    }
    beforeSend();
    box.add(s.username, content, files, reply?.current(s.room) ?? undefined);
    reply?.clear(s.room);
    tray.sent(s.room);
    els.content.value = "";
    updateCounter();
  }

  /** Send was asked for while files are uploading: the message goes when they are done. @param {string} room */
  function waitForUploads(room) {
    if (waitingIn === room) return;
    waitingIn = room;
    showWaiting(true);
    announce("Uploading… the message is sent when its files are uploaded. Escape stops waiting.");
  }

  /** @param {boolean} isWaiting */
  function showWaiting(isWaiting) {
    els.send.textContent = isWaiting ? "Uploading…" : "Send";
    // Still focusable and announced, but pressing it again changes nothing while it waits.
    if (isWaiting) els.send.setAttribute("aria-disabled", "true");
    else els.send.removeAttribute("aria-disabled");
    els.content.readOnly = isWaiting;
  }

  function stopWaiting() {
    if (waitingIn === null) return;
    waitingIn = null;
    showWaiting(false);
  }

  // An upload finished, failed or went: a message waiting for its room's uploads may go now.
  tray.onChange((room) => {
    if (room !== waitingIn || tray.isUploading(room)) return;
    stopWaiting();
    if (joined()?.room !== room) return;
    if (normaliseContent(els.content.value) === "" && tray.ready(room).length === 0) announce("Nothing was sent: no file could be uploaded.");
    else sendFromComposer();
  });

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
    if (waitingIn !== null && event.key === "Escape") {
      event.preventDefault();
      stopWaiting();
      announce("Not sent yet: the files are still uploading. Send when you are ready.");
      return;
    }
    if (completion?.handleKey(event)) return;
    if (event.key === "Escape" && reply?.dismiss()) {
      event.preventDefault();
      return;
    }
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
      stopWaiting();
      els.content.value = "";
      completion?.close();
      updateCounter();
    },
    focus() {
      els.content.focus();
    },
    /** What is typed and not sent, kept per room while another room is on screen (issue 13). */
    draft() {
      return els.content.value;
    },
    /** Another room on screen: its draft and its files (a send waiting for uploads stops waiting). @param {string} text */
    setDraft(text) {
      stopWaiting();
      completion?.close();
      els.content.value = text;
      tray.showRoom(joined()?.room ?? null);
      updateCounter();
    },
  };
}
