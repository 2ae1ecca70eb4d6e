// On a touch screen a tapped short message's actions (five buttons, ~323 px on a 375 px phone) are too wide for the
// free side beside its bubble in one row, and laid on its time line they hid its time. This finds them a place that
// covers nothing written, in this order:
// - beside the bubble on the free side, wrapped into that side's width (two rows at most), level with its last line;
// - below the bubble, in the gap before what follows;
// - above it.
// "Written" is the message's own bubble, the bubbles and avatars of the messages around it, and the text of a notice
// or day separator between them. A place must also lie fully inside the conversation's visible box.

/** Between the bubble and the actions, as message-actions-place.js. */
const GAP_PX = 6;
/** How many list items each side of the message can reach the actions (a notice, a separator, a short message). */
const NEAR_ITEMS = 3;
/** Wrapped beside the bubble into more rows than this, they read as a column of buttons: not used. */
const MAX_ROWS = 2;

/** @typedef {{ left: number, right: number, top: number, bottom: number }} Box */

/**
 * A place for `bar` (the actions of `li`) that covers nothing written and lies inside `view`, or null.
 * Beside the bubble it narrows the bar (its max-width) to fit; the caller clears that when it places them elsewhere.
 * @param {{ li: HTMLElement, bubble: HTMLElement, bar: HTMLElement, view: Box, edgePx: number }} at
 * @returns {{ x: number, y: number } | null}
 */
export function freeSpot({ li, bubble, bar, view, edgePx }) {
  const b = bubble.getBoundingClientRect();
  const row = li.getBoundingClientRect();
  const isOwn = li.classList.contains("msg--own");
  const written = writtenAround(li);
  const isFree = (/** @type {number} */ x, /** @type {number} */ y, /** @type {number} */ w, /** @type {number} */ h) => {
    const spot = { left: x, right: x + w, top: y, bottom: y + h };
    const inView = spot.top >= view.top + edgePx && spot.bottom <= view.bottom - edgePx && spot.left >= row.left && spot.right <= row.right;
    return inView && !written.some((box) => overlaps(spot, box));
  };

  const oneRowH = bar.offsetHeight;
  const room = (isOwn ? b.left - row.left : row.right - b.right) - GAP_PX;
  if (room > 0) {
    bar.style.maxWidth = `${Math.floor(room)}px`;
    const w = bar.offsetWidth;
    const h = bar.offsetHeight;
    const x = isOwn ? b.left - GAP_PX - w : b.right + GAP_PX;
    if (w <= room && h <= MAX_ROWS * oneRowH + GAP_PX) {
      for (const y of [b.bottom - h, b.top]) if (isFree(x, y, w, h)) return { x, y };
    }
    bar.style.maxWidth = "";
  }

  const w = bar.offsetWidth;
  const x = clamp(isOwn ? b.right - w : b.left, row.left, row.right - w);
  for (const y of [b.bottom + GAP_PX, b.top - GAP_PX - oneRowH]) if (isFree(x, y, w, oneRowH)) return { x, y };
  return null;
}

/**
 * The boxes that must stay uncovered: the message's bubble, and near it other messages' bubbles and avatars and
 * the text of notices and day separators (their items span the row; only their text is written).
 * @param {HTMLElement} li
 * @returns {Box[]}
 */
function writtenAround(li) {
  /** @type {Element[]} */
  const near = [li];
  for (let el = li.previousElementSibling, i = 0; el && i < NEAR_ITEMS; el = el.previousElementSibling, i++) near.push(el);
  for (let el = li.nextElementSibling, i = 0; el && i < NEAR_ITEMS; el = el.nextElementSibling, i++) near.push(el);
  /** @type {Box[]} */
  const boxes = [];
  for (const el of near) {
    if (el.classList.contains("msg")) {
      for (const part of el.querySelectorAll(".msg__bubble, .avatar")) boxes.push(part.getBoundingClientRect());
    } else {
      const text = el.ownerDocument.createRange();
      text.selectNodeContents(el);
      boxes.push(text.getBoundingClientRect());
    }
  }
  return boxes;
}

/** @param {Box} a @param {Box} b */
function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** @param {number} n @param {number} min @param {number} max */
function clamp(n, min, max) {
  return Math.min(Math.max(n, min), max);
}
