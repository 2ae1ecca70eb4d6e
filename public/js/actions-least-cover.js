// On a touch screen, where a tapped message's actions go when actions-free-spot.js finds no place that covers
// nothing: a long message of one's own (five buttons, the width of a 360 px phone) between two long ones, or at
// the top or bottom of the view, where above or below leaves it. Left on the message's time line they hid its
// time. Here they take, of a few places in view, the one that covers the least writing (the first of equals):
// - one row below the bubble, or above it, lined up with either side of the bubble, in the gap between bubbles or
//   over the bubble's own padding up to its writing;
// - beside the bubble on the free side, wrapped into as many rows as it takes, only where that covers nothing
//   (actions-free-spot.js stops at two rows: a column of buttons is better than buttons over words, but a column
//   over words is worse than a row);
// - on the time line itself, wrapped to end before the time (over the message's own last line).
// A place over the message's time (or "(edited)", its status) is never taken. Covering the message's own text
// counts ten times as much as covering a neighbour's: it is the message the reader is acting on. Covered writing
// is measured as drawn (each text line, image and avatar), not as whole bubbles, so a neighbour's time line with
// only its time at the far end costs little.
/* global NodeFilter */

/** Between the bubble and the actions, as message-actions-place.js. */
const GAP_PX = 6;
/** How many list items each side of the message can reach the actions, as actions-free-spot.js. */
const NEAR_ITEMS = 3;
/** How much more covering a word of the tapped message costs than covering a neighbour's. */
const OWN_TEXT_WEIGHT = 10;

/** @typedef {{ left: number, right: number, top: number, bottom: number }} Box */
/** @typedef {{ x: number, y: number, maxWidthPx: number | null }} Spot */

/**
 * The place for `bar` (the actions of `li`, measured at full width: one row, two on a narrow phone) that covers
 * the least writing, lies inside `view` and the message's row, and covers nothing on the message's time line;
 * null if there is none.
 * A wrapped place comes with the max-width that wraps the bar; the caller sets it (or clears it for others).
 * @param {{ li: HTMLElement, bubble: HTMLElement, bar: HTMLElement, view: Box, edgePx: number }} at
 * @returns {Spot | null}
 */
export function leastCoveringSpot({ li, bubble, bar, view, edgePx }) {
  const b = bubble.getBoundingClientRect();
  const row = li.getBoundingClientRect();
  const foot = [...bubble.querySelectorAll(".msg__foot > *")].map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0);
  const ownText = inkOf(bubble, ".msg__actions, .msg__foot");
  const neighbours = nearItems(li).flatMap((el) => inkOf(el, ".msg__actions"));
  const isInView = (/** @type {Box} */ s) => s.top >= view.top + edgePx && s.bottom <= view.bottom - edgePx && s.left >= row.left && s.right <= row.right;

  let best = /** @type {{ spot: Spot, cost: number } | null} */ (null);
  for (const candidate of candidates({ b, row, bar, foot, ownText, isOwn: li.classList.contains("msg--own") })) {
    const { spot, w, h, onlyIfFree } = candidate;
    const box = { left: spot.x, right: spot.x + w, top: spot.y, bottom: spot.y + h };
    if (!isInView(box) || foot.some((f) => overlaps(box, f))) continue;
    const cost = coveredArea(box, neighbours) + OWN_TEXT_WEIGHT * coveredArea(box, ownText);
    if (onlyIfFree && cost > 0) continue;
    if (!best || cost < best.cost) best = { spot, cost };
  }
  bar.style.maxWidth = "";
  return best ? best.spot : null;
}

/**
 * The places tried, in order of preference, each with the bar's size there. Measuring the wrapped ones narrows
 * the bar: leastCoveringSpot() clears that once all are measured.
 * @param {{ b: DOMRect, row: DOMRect, bar: HTMLElement, foot: Box[], ownText: Box[], isOwn: boolean }} at
 *   the bubble, the message's row, the actions, what is on the time line (its first part starts the line's
 *   written end), the rest of the message's writing, and whether it is one's own (lined up with the bubble's right
 *   side first, as elsewhere)
 */
function candidates({ b, row, bar, foot, ownText, isOwn }) {
  const w = bar.offsetWidth;
  const h = bar.offsetHeight;
  const sides = isOwn ? [b.right - w, b.left] : [b.left, b.right - w];
  const xs = sides.map((x) => clamp(x, row.left, row.right - w));
  /** @type {{ spot: Spot, w: number, h: number, onlyIfFree?: boolean }[]} */
  const list = [];
  // Below and above, in the gap between the bubbles; then pulled over the bubble's own padding and border, up to
  // its writing, so they reach less far over the neighbour (its time line rather than its last line).
  const own = [...ownText, ...foot];
  const inkTop = Math.min(...own.map((r) => r.top), b.bottom);
  const inkBottom = Math.max(...own.map((r) => r.bottom), b.top);
  for (const y of [b.bottom + GAP_PX, b.top - GAP_PX - h, inkBottom + 1, inkTop - 1 - h]) {
    for (const x of xs) list.push({ spot: { x, y, maxWidthPx: null }, w, h });
  }
  const side = Math.floor((isOwn ? b.left - row.left : row.right - b.right) - GAP_PX);
  // Narrower than its widest button, the side would break the button's words onto two lines and push it out.
  const widestButtonPx = Math.max(...[...bar.children].map((button) => button.getBoundingClientRect().width));
  if (side >= widestButtonPx) {
    bar.style.maxWidth = `${side}px`;
    const sideW = bar.offsetWidth;
    const sideH = bar.offsetHeight;
    const x = isOwn ? b.left - GAP_PX - sideW : b.right + GAP_PX;
    if (sideW <= side) for (const y of [b.bottom - sideH, b.top]) list.push({ spot: { x, y, maxWidthPx: side }, w: sideW, h: sideH, onlyIfFree: true });
  }

  const timeStart = Math.min(...foot.map((f) => f.left));
  const lineTop = Math.min(...foot.map((f) => f.top));
  const room = Math.floor(timeStart - GAP_PX - row.left);
  if (foot.length > 0 && room > 0) {
    bar.style.maxWidth = `${room}px`;
    const wrappedW = bar.offsetWidth;
    const wrappedH = bar.offsetHeight;
    // Its last row level with the time line, its right edge just before the time.
    const spot = { x: timeStart - GAP_PX - wrappedW, y: lineTop + h - wrappedH, maxWidthPx: room };
    if (wrappedW <= room) list.push({ spot, w: wrappedW, h: wrappedH });
  }
  return list;
}

/** The list items around `li` whose writing the actions may cover. @param {HTMLElement} li */
function nearItems(li) {
  /** @type {Element[]} */
  const near = [];
  for (let el = li.previousElementSibling, i = 0; el && i < NEAR_ITEMS; el = el.previousElementSibling, i++) near.push(el);
  for (let el = li.nextElementSibling, i = 0; el && i < NEAR_ITEMS; el = el.nextElementSibling, i++) near.push(el);
  return near;
}

/**
 * The boxes of what is drawn in `root`: each line of its text, its images and avatars, outside `skip` (always
 * the actions' buttons: hidden, a neighbour's still hold text).
 * @param {Element} root @param {string} skip
 * @returns {Box[]}
 */
function inkOf(root, skip) {
  const doc = root.ownerDocument;
  /** @type {Box[]} */
  const boxes = [];
  for (const el of root.querySelectorAll("img, video, .avatar")) if (!el.closest(skip)) boxes.push(el.getBoundingClientRect());
  const texts = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = doc.createRange();
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    if (!node.textContent?.trim() || node.parentElement?.closest(`${skip}, .avatar`)) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) boxes.push(r);
  }
  return boxes;
}

/** @param {Box} spot @param {Box[]} boxes */
function coveredArea(spot, boxes) {
  let area = 0;
  for (const box of boxes) {
    const w = Math.min(spot.right, box.right) - Math.max(spot.left, box.left);
    const h = Math.min(spot.bottom, box.bottom) - Math.max(spot.top, box.top);
    if (w > 0 && h > 0) area += w * h;
  }
  return area;
}

/** @param {Box} a @param {Box} b */
function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** @param {number} n @param {number} min @param {number} max */
function clamp(n, min, max) {
  return Math.min(Math.max(n, min), max);
}
