// On a phone the bell's "Also when the page is closed" switch (push-switch.js) folds behind a small button beside
// the bell: under the bell it made the header three lines tall, a quarter of a 375 px screen taken from the
// messages. The button opens it as a panel under the header (chat.css, .is-push-open) and closes it again, as does
// Escape or a tap elsewhere. On a wider screen the button is not shown and the switch stays under the bell.

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
}
