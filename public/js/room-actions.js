// The room bar's "Room actions" button on a phone: it shows and hides the room's own actions (People, Notify,
// Invite, Make private/public, Leave) in a panel under the bar, so the room's name keeps the row (beside six
// controls a 17-character name showed as "#weeken…"). A disclosure, not an ARIA menu: the panel holds a select,
// and each control keeps its own role, name and handler. Wider screens hide the button and show the controls in
// the bar (css/room-actions.css), where nothing here has any effect.
/* global Element */

/**
 * @param {Document} doc
 * @param {{ toggle: HTMLElement, panel: HTMLElement, people: HTMLElement }} els
 * @returns {{ close: () => void }} close: another room on screen, or none (views.js); the panel was the last room's
 */
export function bindRoomActions(doc, els) {
  const isOpen = () => els.panel.classList.contains("is-open");

  /** @param {boolean} open */
  function setOpen(open) {
    // Closing hides whatever had the focus inside (an action whose room just went, say): it goes to the button.
    const hadFocus = !open && els.panel.contains(doc.activeElement);
    els.panel.classList.toggle("is-open", open);
    els.toggle.setAttribute("aria-expanded", String(open));
    if (hadFocus) els.toggle.focus();
  }

  els.toggle.addEventListener("click", () => setOpen(!isOpen()));
  // People opens its own panel where this one lies: one at a time.
  els.people.addEventListener("click", () => setOpen(false));

  doc.addEventListener("keydown", (event) => {
    // An open dialog (Invite, Make public, Leave's question) takes its own Escape; this panel stays under it.
    if (event.key !== "Escape" || !isOpen() || doc.querySelector("dialog[open]")) return;
    setOpen(false);
    els.toggle.focus();
  });

  // A press elsewhere closes it, but not one in a dialog an action opened: the focus goes back to that action
  // when the dialog closes, which it could not do inside a closed panel.
  doc.addEventListener("pointerdown", (event) => {
    const target = event.target;
    if (!isOpen() || !(target instanceof Element)) return;
    if (els.panel.contains(target) || els.toggle.contains(target) || target.closest("dialog")) return;
    setOpen(false);
  });

  return { close: () => setOpen(false) };
}

/**
 * The button that shows People: itself, or on a phone "Room actions", which holds it (closed, it cannot take focus).
 * @param {HTMLElement} people @param {HTMLElement} toggle
 */
export function peopleButtonShown(people, toggle) {
  return people.getClientRects().length > 0 ? people : toggle;
}
