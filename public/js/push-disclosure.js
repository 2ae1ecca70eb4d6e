// On a phone the bell's "Also when the page is closed" switch (push-switch.js) folds behind a small button beside
// the bell: under the bell it made the header three lines tall, a quarter of a 375 px screen taken from the
// messages. The button opens it as a panel under the header (chat.css, .is-push-open) and closes it again, as does
// Escape or a tap elsewhere. On a wider screen the button is not shown and the switch stays under the bell.
// A failure of the switch (showProblem) opens the panel: its reason, in the switch's status, was out of sight (and
// out of screen readers' reach) while folded.

/** @param {{ doc: Document, wrap: HTMLElement, button: HTMLButtonElement }} deps */
export function bindPushDisclosure({ doc, wrap, button }) {
  const isOpen = () => button.getAttribute("aria-expanded") === "true";

  /** @param {boolean} open */
  function setOpen(open) {
    button.setAttribute("aria-expanded", String(open));
    wrap.classList.toggle("is-push-open", open);
  }

  button.addEventListener("click", () => setOpen(!isOpen()));
  wrap.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen()) return;
    event.preventDefault();
    setOpen(false);
    button.focus();
  });
  doc.addEventListener("pointerdown", (event) => {
    if (isOpen() && !(event.target instanceof Node && wrap.contains(event.target))) setOpen(false);
  });

  return {
    /**
     * Shows a problem of the switch: `say` puts its words in the switch's status (a role=status region). Folded,
     * the panel opens first, and the words land two frames later, once the status is rendered: changed while
     * still hidden, they would be heard by no screen reader, and shown with the panel at once, by some only.
     * The page's own live region is not used as well, so the words are heard once.
     * @param {() => void} say
     */
    showProblem(say) {
      // No button on screen (a wider screen): the switch is in view under the bell already.
      if (isOpen() || button.getClientRects().length === 0) {
        say();
        return;
      }
      setOpen(true);
      const win = doc.defaultView;
      if (!win) return say();
      win.requestAnimationFrame(() => win.requestAnimationFrame(say));
    },
  };
}
