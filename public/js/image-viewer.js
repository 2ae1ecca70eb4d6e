// The image viewer (issue 18): a thumbnail clicked opens a modal <dialog> with the image at its viewer size
// (displayUrl; an animation plays from its original), its name, "Download original", ← / → (and the buttons)
// through the images of that message, Escape or Close to leave, and the focus back on the thumbnail that
// opened it; on a touch screen a sideways swipe moves too. It follows the message while open: an image its sender
// removes, or deletes with the message, leaves the viewer too (the next one shows, or the viewer closes), as it
// leaves the conversation.
/* global Element */
import { attachmentOf } from "./attachment-view.js";
import { onDialogClosed } from "./dialog-closed.js";
import { fitWithin } from "./file-info.js";

/** The viewer's images are at most this many pixels each way (the server's DISPLAY_PX). */
const DISPLAY_BOX_PX = 1600;
/** A swipe moves a finger at least this far sideways, and twice as far sideways as up or down. */
const SWIPE_MIN_PX = 50;

/** @import { WireAttachment } from "../../src/protocol.js" */

/**
 * @param {{ els: import("./elements.js").Elements, announce: (text: string) => void }} deps
 */
export function createImageViewer({ els, announce }) {
  const dialog = els.viewer;
  /** The message shown, its thumbnails, which one is in the viewer, and the one that opened it. */
  let shown = /** @type {{ message: HTMLElement, thumbs: HTMLElement[], index: number, opener: HTMLElement } | null} */ (null);
  /** Watches the conversation while the viewer is open: an edit or a deletion redraws the message's files. */
  const watcher = new MutationObserver(() => follow());

  /** @param {HTMLElement} thumb a message's thumbnail button */
  function open(thumb) {
    const li = thumb.closest("li.msg");
    if (!(li instanceof HTMLElement)) return;
    const thumbs = thumbsOf(li);
    const index = thumbs.indexOf(thumb);
    if (index < 0) return;
    shown = { message: li, thumbs, index, opener: thumb };
    show();
    if (!dialog.open) dialog.showModal();
    watcher.observe(els.scroller, { childList: true, subtree: true });
    els.viewerClose.focus();
  }

  /** @param {Element} li @returns {HTMLElement[]} */
  function thumbsOf(li) {
    return /** @type {HTMLElement[]} */ ([...li.querySelectorAll(".file-thumb__open")].filter((el) => el instanceof HTMLElement && attachmentOf(el)));
  }

  function show() {
    if (!shown) return;
    const thumb = shown.thumbs[shown.index];
    const file = thumb ? attachmentOf(thumb) : undefined;
    if (!file) return;
    fill(file);
    showCount();
  }

  function showCount() {
    if (!shown) return;
    const many = shown.thumbs.length > 1;
    els.viewerPrev.hidden = !many;
    els.viewerNext.hidden = !many;
    els.viewerCount.hidden = !many;
    els.viewerCount.textContent = many ? `${shown.index + 1} of ${shown.thumbs.length}` : "";
  }

  /**
   * The message's files were drawn again. The image on show stays while the message still has it; one its sender
   * removed gives way to the next of the message's images, and with none left (all removed, or the message
   * deleted) the viewer closes: what is gone from the conversation must not stay on screen, nor its Download
   * original (a link that now answers 404).
   */
  function follow() {
    if (!shown || !dialog.open) return;
    const thumbs = thumbsOf(shown.message);
    if (thumbs.length === shown.thumbs.length && thumbs.every((t, i) => t === shown?.thumbs[i])) return;
    const fileId = attachmentOf(/** @type {HTMLElement} */ (shown.thumbs[shown.index]))?.id;
    const kept = thumbs.findIndex((t) => attachmentOf(t)?.id === fileId);
    if (kept >= 0) {
      // The thumbnail that opened it may be the one removed: the focus then returns to the one on show.
      shown = { ...shown, thumbs, index: kept, opener: thumbs.includes(shown.opener) ? shown.opener : (thumbs[kept] ?? shown.opener) };
      showCount();
      return;
    }
    if (thumbs.length === 0) {
      const name = els.viewerTitle.textContent;
      dialog.close();
      announce(`${name} was removed.`);
      return;
    }
    const index = Math.min(shown.index, thumbs.length - 1);
    shown = { ...shown, thumbs, index, opener: thumbs[index] ?? shown.opener };
    const name = els.viewerTitle.textContent;
    show();
    announce(`${name} was removed; now ${els.viewerTitle.textContent}, image ${index + 1} of ${thumbs.length}`);
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
  watchSwipes(dialog, move);
  els.viewerPrev.addEventListener("click", () => move(-1));
  els.viewerNext.addEventListener("click", () => move(1));
  els.viewerClose.addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the frame) closes it, as Escape does.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  onDialogClosed(dialog, () => {
    const was = shown;
    shown = null;
    watcher.disconnect();
    els.viewerImage.removeAttribute("src");
    // Back to the thumbnail that opened it, or to its message when its images are gone.
    if (was?.opener.isConnected) was.opener.focus();
    else if (was?.message.isConnected) {
      was.message.tabIndex = -1; // focusable from script, as a message opened from search is; not a tab stop
      was.message.focus({ preventScroll: true });
    }
  });

  return { open };
}

/**
 * A phone has no arrow keys and the ‹ › buttons are small: a sideways swipe over the viewer moves as they do (to
 * the left: the next image, as a photo app does). Listened to passively, so the browser still scrolls and zooms;
 * two fingers are a pinch, never a swipe, and a page zoomed in by a pinch pans under the finger instead.
 * @param {HTMLElement} area @param {(step: number) => void} move
 */
function watchSwipes(area, move) {
  /** @type {{ x: number, y: number } | null} */
  let start = null;
  const isZoomed = () => (window.visualViewport?.scale ?? 1) > 1.01;
  area.addEventListener(
    "touchstart",
    (event) => {
      const touch = event.touches[0];
      start = event.touches.length === 1 && touch && !isZoomed() ? { x: touch.clientX, y: touch.clientY } : null;
    },
    { passive: true },
  );
  area.addEventListener(
    "touchend",
    (event) => {
      const from = start;
      start = null;
      const touch = event.changedTouches[0];
      if (!from || !touch || event.touches.length > 0) return;
      const dx = touch.clientX - from.x;
      const dy = touch.clientY - from.y;
      if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) >= 2 * Math.abs(dy)) move(dx < 0 ? 1 : -1);
    },
    { passive: true },
  );
  area.addEventListener("touchcancel", () => (start = null));
}
