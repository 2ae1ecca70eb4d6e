// A <dialog>'s "close" event is queued, not fired inside close(). If the dialog is shown again before the event
// runs (Escape, then Enter on the same button at once), the late event belongs to the closing before: a handler
// that ends the dialog's session (clears what it shows, returns the focus) must not run then, or the new opening
// is left without one (a pick that does nothing, an empty image viewer, a confirm whose OK does nothing).

/**
 * Runs `handler` when `dialog` has closed and is still closed.
 * @param {HTMLDialogElement} dialog @param {() => void} handler
 */
export function onDialogClosed(dialog, handler) {
  dialog.addEventListener("close", () => {
    if (!dialog.open) handler();
  });
}
