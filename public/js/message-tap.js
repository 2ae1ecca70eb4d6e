// On a touch screen (no hover) a message's actions show when the message is tapped, not under every message:
// shown in the flow they nearly doubled each message's height on a phone. A tap on a message (not on one of its
// links, images, mentions, reactions or buttons, which do their own thing) selects it, and its actions float over
// the conversation as on desktop (message-actions-place.js places them), so nothing below moves. Tapping it
// again, tapping another message (which is then selected), tapping or focusing anything else, Escape, or
// scrolling it out of view unselects it: one message at most is selected.
// The selection is aria-current="true" on the message's item, which screen readers announce ("current"): a list
// item allows no aria-selected or aria-expanded, and turning the list into a listbox would change how every
// message reads. The buttons themselves stay in the accessibility tree and the tab order whether or not their
// message is selected (chat.css hides them with opacity only), so keyboards and screen readers reach every
// action as before, without tapping first.
// Only `click` is listened to, never touchstart, and nothing is prevented: a long press (to select text, or
// copy) makes no click, and keeps working; a click that does end with text of the message selected (a drag with a
// pen) leaves the message as it was. (iOS Safari sends a tap on plain text as a click only where an
// ancestor below <body> listens for clicks: the conversation does, for its buttons.)
/* global Element */

/** The selected message; chat.css and message-actions-place.js use it too. */
export const SELECTED_MESSAGE = 'li.msg[aria-current="true"]';

/** Parts of a message that a tap uses for themselves: a link, an image, a mention, a reaction, any button. */
const OWN_TAP = "a, button, input, textarea, select, label, img, video, audio, [role='button'], .mention, .msg__reactions, .msg__actions, .msg__editor";

/**
 * @param {{ scroller: HTMLElement, doc: Document, win: Window, onSelect: (li: HTMLElement) => void }} deps
 *   the scrolling conversation (it holds every room's list); onSelect places the selected message's actions
 */
export function bindMessageTap({ scroller, doc, win, onSelect }) {
  const noHover = win.matchMedia("(hover: none)");
  let selected = /** @type {HTMLElement | null} */ (null);
  // Out of view, the actions would float over messages they do not belong to.
  const visibility = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.target === selected && !entry.isIntersecting) select(null);
    },
    { root: scroller },
  );

  /** @param {HTMLElement | null} li */
  function select(li) {
    if (selected) {
      selected.removeAttribute("aria-current");
      visibility.unobserve(selected);
    }
    selected = li;
    if (!li) return;
    li.setAttribute("aria-current", "true");
    visibility.observe(li);
    onSelect(li);
  }

  doc.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!noHover.matches || !target) {
      select(null);
      return;
    }
    const found = scroller.contains(target) ? target.closest("li.msg") : null;
    const li = found instanceof HTMLElement ? found : null;
    const own = target.closest(OWN_TAP);
    const isOwnTap = own !== null && li !== null && li.contains(own);
    // A press that leaves text selected in the message was for the text (a long press, a drag): toggling the
    // message then would float its actions over the selection. The next plain tap clears the text and selects.
    if (li && hasTextSelected(doc, li)) return;
    if (li && !isOwnTap && hasActions(li)) select(li === selected ? null : li);
    // A link or a button of the selected message keeps it selected (Copy link shows "Copied" there).
    else if (li !== selected) select(null);
  });

  doc.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && selected) select(null);
  });

  // The focus going elsewhere (Reply moves it to the message box, Add reaction into the picker) unselects. A tap
  // on a message's text focuses the conversation itself (it is focusable): that is no move away.
  doc.addEventListener("focusin", (event) => {
    const to = event.target;
    if (selected && to !== scroller && !(to instanceof Node && selected.contains(to))) select(null);
  });
}

/** Whether some of `li`'s text is selected. @param {Document} doc @param {HTMLElement} li */
function hasTextSelected(doc, li) {
  const selection = doc.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString().trim() !== "" && (li.contains(selection.anchorNode) || li.contains(selection.focusNode));
}

/** A message with actions that are not hidden by its editor: a pending or failed one has none. @param {HTMLElement} li */
function hasActions(li) {
  const bar = li.querySelector(".msg__actions");
  return bar !== null && bar.childElementCount > 0 && !li.classList.contains("msg--editing");
}
