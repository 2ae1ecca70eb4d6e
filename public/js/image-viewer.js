// The image viewer (issue 18): a thumbnail clicked opens a modal <dialog> with the image at its viewer size
// (displayUrl; an animation plays from its original), its name, "Download original", ← / → (and the buttons)
// through the images of that message, Escape or Close to leave, and the focus back on the thumbnail that
// opened it.
/* global Element */
import { attachmentOf } from "./attachment-view.js";
import { onDialogClosed } from "./dialog-closed.js";
import { fitWithin } from "./file-info.js";

/** The viewer's images are at most this many pixels each way (the server's DISPLAY_PX). */
const DISPLAY_BOX_PX = 1600;

/** @import { WireAttachment } from "../../src/protocol.js" */

/**
 * @param {{ els: import("./elements.js").Elements, announce: (text: string) => void }} deps
 */
export function createImageViewer({ els, announce }) {
  const dialog = els.viewer;
  /** The thumbnails of the message shown, and which one is in the viewer. */
  let shown = /** @type {{ thumbs: HTMLElement[], index: number, opener: HTMLElement } | null} */ (null);

  /** @param {HTMLElement} thumb a message's thumbnail button */
  function open(thumb) {
    const li = thumb.closest("li.msg");
    const thumbs = li ? [...li.querySelectorAll(".file-thumb__open")].filter((el) => el instanceof HTMLElement && attachmentOf(el)) : [];
    const index = thumbs.indexOf(thumb);
    if (index < 0) return;
    shown = { thumbs: /** @type {HTMLElement[]} */ (thumbs), index, opener: thumb };
    show();
    if (!dialog.open) dialog.showModal();
    els.viewerClose.focus();
  }

  function show() {
    if (!shown) return;
    const thumb = shown.thumbs[shown.index];
    const file = thumb ? attachmentOf(thumb) : undefined;
    if (!file) return;
    fill(file);
    const many = shown.thumbs.length > 1;
    els.viewerPrev.hidden = !many;
    els.viewerNext.hidden = !many;
    els.viewerCount.hidden = !many;
    els.viewerCount.textContent = many ? `${shown.index + 1} of ${shown.thumbs.length}` : "";
  }

  /** @param {WireAttachment} file */
  function fill(file) {
    const img = els.viewerImage;
    const size = fitWithin(file.width ?? DISPLAY_BOX_PX, file.height ?? DISPLAY_BOX_PX, DISPLAY_BOX_PX);
    img.removeAttribute("src"); // the old picture must not show under the new name while the new one loads
    img.width = size.width;
    img.height = size.height;
    img.alt = file.name;
    // The viewer size is a still (the first frame): an animation plays from its original.
    img.src = file.animated === true ? file.url : (file.displayUrl ?? file.url);
    els.viewerTitle.textContent = file.name;
    els.viewerDownload.href = file.url;
    els.viewerDownload.download = file.name;
    els.viewerDownload.setAttribute("aria-label", `Download original of ${file.name}`);
  }

  /** @param {number} step */
  function move(step) {
    if (!shown || shown.thumbs.length < 2) return;
    const n = shown.thumbs.length;
    shown.index = (shown.index + step + n) % n;
    show();
    announce(`${els.viewerTitle.textContent}, image ${shown.index + 1} of ${n}`);
  }

  els.scroller.addEventListener("click", (event) => {
    const thumb = event.target instanceof Element ? event.target.closest(".file-thumb__open") : null;
    if (thumb instanceof HTMLElement) open(thumb);
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      move(event.key === "ArrowLeft" ? -1 : 1);
    }
  });
  els.viewerPrev.addEventListener("click", () => move(-1));
  els.viewerNext.addEventListener("click", () => move(1));
  els.viewerClose.addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the frame) closes it, as Escape does.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  onDialogClosed(dialog, () => {
    const opener = shown?.opener;
    shown = null;
    els.viewerImage.removeAttribute("src");
    // Back to the thumbnail that opened it (unless an edit removed it meanwhile).
    if (opener?.isConnected) opener.focus();
  });

  return { open };
}
