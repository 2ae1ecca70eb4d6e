// The three ways to pick files for a message (issue 18): the paperclip button (the browser's file picker,
// several at once), dropping files onto the chat (a drop target covers the messages while files are dragged
// over it; a drop anywhere else on the page is refused, never opened by the browser), and pasting an image (a
// screenshot) into the message box. Each hands the files to `onFiles`; what happens to them is upload-tray.js's.

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   onFiles: (files: File[]) => void,
 * }} deps
 */
export function createAttachmentsPicker({ els, onFiles }) {
  els.attachButton.addEventListener("click", () => els.fileInput.click());
  els.fileInput.addEventListener("change", () => {
    const files = [...(els.fileInput.files ?? [])];
    els.fileInput.value = ""; // the same file can be picked again
    if (files.length > 0) onFiles(files);
    els.content.focus();
  });

  // Dragging: enter and leave fire for every child crossed, so the target stays while any is entered.
  let depth = 0;
  /** @param {boolean} isShown */
  const showTarget = (isShown) => {
    els.dropTarget.hidden = !isShown;
  };
  /** Only files are taken (a dragged link or text is left to the browser). @param {DragEvent} event */
  const hasFiles = (event) => event.dataTransfer !== null && [...event.dataTransfer.types].includes("Files");

  els.chat.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth++;
    showTarget(true);
  });
  els.chat.addEventListener("dragover", (event) => {
    if (!hasFiles(event) || !event.dataTransfer) return;
    event.preventDefault(); // this is a drop target
    event.dataTransfer.dropEffect = "copy";
    showTarget(true);
  });
  els.chat.addEventListener("dragleave", (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) showTarget(false);
  });
  els.chat.addEventListener("drop", (event) => {
    if (!hasFiles(event) || !event.dataTransfer) return;
    event.preventDefault(); // the browser must not open the file in place of the chat
    depth = 0;
    showTarget(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) onFiles(files);
    els.content.focus();
  });

  // Files dropped anywhere else (the sidebar, the header, the people list, the home page) would be opened by the
  // browser in place of the page, ending the chat in that tab: outside the chat a drag of files is refused ("none",
  // the no-entry cursor) and its drop ignored. The chat's own listeners above run first and take theirs.
  const refuseOutside = (/** @type {DragEvent} */ event) => {
    if (!hasFiles(event) || event.defaultPrevented || !event.dataTransfer) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "none";
  };
  els.chat.ownerDocument.addEventListener("dragover", refuseOutside);
  els.chat.ownerDocument.addEventListener("drop", refuseOutside);

  // A screenshot on the clipboard arrives as a file. Text wins when there is some (cells copied from a
  // spreadsheet come with a picture of themselves): that is pasted as text, as usual.
  els.content.addEventListener("paste", (event) => {
    const data = event.clipboardData;
    if (!data || data.files.length === 0 || data.types.includes("text/plain")) return;
    event.preventDefault();
    onFiles([...data.files]);
  });
}
