// The confirm dialog (a native <dialog> opened modal: focus moves in and stays, Escape cancels, the page
// behind is inert): a title, a sentence, optional choices (a ban's duration), and the action it confirms,
// which runs while the dialog is open so that a refusal shows inside it. Never window.confirm.

/* global HTMLInputElement */
import { onDialogClosed } from "./dialog-closed.js";
/**
 * @typedef {{
 *   title: string, text: string, confirmLabel: string,
 *   choices?: { label: string, value: string }[],
 *   action: (choice: string) => Promise<string | null>,
 *   returnFocus?: () => HTMLElement | null,
 * }} ConfirmRequest action resolves with an error message to show, or null when done
 */

/** @param {import("./elements.js").Elements} els */
export function createConfirmDialog(els) {
  const dialog = els.dialog;
  /** @type {ConfirmRequest | null} */
  let current = null;
  /** @type {Element | null} */
  let opener = null;
  let isBusy = false;

  /** @param {ConfirmRequest} request */
  function ask(request) {
    const isOpen = dialog.open;
    current = request;
    if (!isOpen) opener = dialog.ownerDocument.activeElement;
    els.dialogTitle.textContent = request.title;
    els.dialogText.textContent = request.text;
    els.dialogOk.textContent = request.confirmLabel;
    els.dialogError.hidden = true;
    els.dialogError.textContent = "";
    fillChoices(request.choices ?? []);
    setBusy(false);
    if (!isOpen) dialog.showModal();
    // The safe button first: Enter on a dialog opened by mistake does nothing harmful.
    const firstChoice = els.dialogChoices.querySelector("input");
    (firstChoice instanceof HTMLElement ? firstChoice : els.dialogCancel).focus();
  }

  /** @param {{ label: string, value: string }[]} choices */
  function fillChoices(choices) {
    const doc = dialog.ownerDocument;
    els.dialogChoices.replaceChildren();
    els.dialogChoices.hidden = choices.length === 0;
    if (choices.length === 0) return;
    const legend = doc.createElement("legend");
    legend.textContent = "For how long";
    els.dialogChoices.append(legend);
    choices.forEach((choice, i) => {
      const label = doc.createElement("label");
      label.className = "dialog__choice";
      const input = doc.createElement("input");
      input.type = "radio";
      input.name = "choice";
      input.value = choice.value;
      input.checked = i === 0;
      label.append(input, ` ${choice.label}`);
      els.dialogChoices.append(label);
    });
  }

  /** @param {boolean} busy */
  function setBusy(busy) {
    isBusy = busy;
    els.dialogOk.disabled = busy;
  }

  function chosen() {
    const checked = els.dialogChoices.querySelector("input:checked");
    return checked instanceof HTMLInputElement ? checked.value : "";
  }

  function finish() {
    if (dialog.open) dialog.close(); // the close event clears the request and returns the focus
  }

  dialog.addEventListener("submit", (event) => {
    event.preventDefault(); // the dialog closes when the action succeeds, not before
    const request = current;
    if (!request || isBusy) return;
    setBusy(true);
    void request.action(chosen()).then((error) => {
      if (current !== request) return;
      setBusy(false);
      if (error === null) {
        finish();
        return;
      }
      els.dialogError.textContent = error;
      els.dialogError.hidden = false;
      els.dialogOk.focus();
    });
  });
  els.dialogCancel.addEventListener("click", finish);
  onDialogClosed(dialog, () => {
    const request = current;
    current = null;
    const back = request?.returnFocus?.() ?? null;
    const target = back ?? (opener instanceof HTMLElement && opener.isConnected ? opener : null);
    target?.focus();
  });

  return { ask };
}

/** @typedef {ReturnType<typeof createConfirmDialog>} ConfirmDialog */
