// Where a message's actions (message-actions.js's buttons) sit on a screen with a pointer. They float over the
// conversation, so showing them never moves a message, and they must cover no text and stay in view:
// - beside the bubble, on the conversation's free side (right of someone else's message, left of one's own),
//   level with the message's last line, whenever the row has room there: every short message;
// - otherwise (a wide bubble) on the message's own time line, just before the time: that line is empty
//   apart from the time, so nothing is covered;
// - always inside the part of the message that is in view. On a tall message (many lines, an image) with
//   its end scrolled out of view they stay at the bottom edge of the conversation, and with the pointer in
//   the upper half of a tall message beside it they move up to the top of what is in view, so the pointer
//   never travels more than half the message to reach them.
// CSS alone cannot do this: whether the row has room depends on the bubble's drawn width. A touch screen (no
// hover) shows them for the message tapped (message-tap.js) or holding the focus, placed the same way, except
// that ones pushed up over the message's own text (at the bottom of the view) go above its bubble, and ones wider
// than a short message's time line, which would hide its time, go where they cover nothing (actions-free-spot.js),
// or, with no such place in view, where they cover the least and never the time (actions-least-cover.js).
/* global Element, ResizeObserver */
import { freeSpot } from "./actions-free-spot.js";
import { leastCoveringSpot } from "./actions-least-cover.js";
import { SELECTED_MESSAGE } from "./message-tap.js";

/** Between the bubble and the actions beside it, and between the actions and the time. */
const GAP_PX = 6;
/** The actions stay this far inside the conversation's visible box. */
const EDGE_PX = 4;
/** A message whose visible part is this many times taller than the actions counts as tall. */
const TALL_FACTOR = 5;

/**
 * Places the actions of the message under the pointer or holding the focus (on a touch screen: the one tapped
 * or holding the focus), again as the pointer moves or the conversation scrolls.
 * @param {{ scroller: HTMLElement, win: Window }} deps the scrolling conversation (it holds every room's list)
 * @returns {{ place: (li: HTMLElement) => void }} place: a message whose actions just showed (a tap), at once
 */
export function bindActionsPlacement({ scroller, win }) {
  const noHover = win.matchMedia("(hover: none)");
  /** The pointer's height over the conversation, while it is there. */
  let pointerY = /** @type {number | null} */ (null);
  let isQueued = false;
  // On a touch screen, as in chat.css: not :hover (a tap leaves an emulated one on what was tapped), nor the item
  // itself focused (a message opened from search or a link), only the focus inside it.
  const shownSelector = () => (noHover.matches ? `${SELECTED_MESSAGE}, li.msg:focus-within:not(:focus)` : "li.msg:hover, li.msg:focus-within");
  /** The pointer's height for placing `li`'s actions; null (placed for the keyboard) without a hovering pointer. */
  const pointerOver = (/** @type {Element} */ li) => (!noHover.matches && li.matches(":hover") ? pointerY : null);

  // The shown actions' messages themselves can change size with nothing else moving (a reaction added, an edit
  // arriving, an image loading): watched while their actions show, they are placed again then too.
  const watched = new Set(/** @type {HTMLElement[]} */ ([]));
  const resizes = new ResizeObserver(queue);

  /** Watches exactly the messages whose actions show: a message left behind is no longer watched. */
  function watchShown() {
    const shown = [...scroller.querySelectorAll(shownSelector())];
    for (const li of watched) {
      if (!shown.includes(li)) {
        resizes.unobserve(li);
        watched.delete(li);
      }
    }
    for (const li of shown) {
      if (li instanceof HTMLElement && !watched.has(li)) {
        resizes.observe(li);
        watched.add(li);
      }
    }
  }

  function placeShown() {
    isQueued = false;
    watchShown();
    for (const li of watched) placeActions(li, scroller, pointerOver(li), noHover.matches);
  }

  /** At most once a frame: pointer moves and scrolls come faster than the screen changes. */
  function queue() {
    if (isQueued) return;
    isQueued = true;
    win.requestAnimationFrame(placeShown);
  }

  scroller.addEventListener("pointermove", (event) => {
    pointerY = event.clientY;
    queue();
  });
  scroller.addEventListener("pointerleave", () => {
    pointerY = null;
    queue();
  });
  // The focus or the pointer leaving a message hides its actions: it is no longer watched.
  scroller.addEventListener("focusout", queue);
  scroller.addEventListener("pointerout", queue);
  scroller.addEventListener("scroll", queue, { passive: true });
  // A resize rewraps the bubbles: a wide one's time line moves, and the actions placed on it must follow.
  win.addEventListener("resize", queue);
  // At once, not in the next frame: the actions become visible as the focus arrives.
  scroller.addEventListener("focusin", (event) => {
    const li = event.target instanceof Element ? event.target.closest("li.msg") : null;
    if (li instanceof HTMLElement) placeActions(li, scroller, pointerOver(li), noHover.matches);
    queue();
  });
  scroller.addEventListener("pointerover", (event) => {
    pointerY = event.clientY;
    const li = event.target instanceof Element ? event.target.closest("li.msg") : null;
    if (li instanceof HTMLElement && !noHover.matches) placeActions(li, scroller, pointerY);
    queue();
  });

  return {
    place(li) {
      placeActions(li, scroller, null, noHover.matches);
      queue(); // watched from now on, so a scroll or a resize places them again
    },
  };
}

/**
 * Sets where one message's actions sit (--actions-x / --actions-y, in the bubble's coordinates).
 * @param {HTMLElement} li @param {HTMLElement} scroller @param {number | null} pointerY null: placed for the keyboard
 * @param {boolean} [isTouch] a touch screen (no hover): the actions of the message tapped
 */
export function placeActions(li, scroller, pointerY, isTouch = false) {
  const bubble = li.querySelector(".msg__bubble");
  const bar = li.querySelector(".msg__actions");
  if (!(bubble instanceof HTMLElement) || !(bar instanceof HTMLElement)) return;
  bar.style.maxWidth = ""; // narrowed by freeSpot() for a place beside a short bubble; measured at full width first
  if (bar.offsetWidth === 0) return;
  const b = bubble.getBoundingClientRect();
  const row = li.getBoundingClientRect();
  const view = scroller.getBoundingClientRect();
  const w = bar.offsetWidth;
  const h = bar.offsetHeight;
  const isOwn = li.classList.contains("msg--own");
  const room = isOwn ? b.left - row.left : row.right - b.right;
  const shownTop = Math.max(b.top, view.top + EDGE_PX);
  const shownBottom = Math.min(b.bottom, view.bottom - EDGE_PX);

  let x;
  let y;
  if (room >= w + GAP_PX) {
    x = isOwn ? b.left - GAP_PX - w : b.right + GAP_PX;
    const isTall = shownBottom - shownTop >= TALL_FACTOR * h;
    const wantsTop = isTall && pointerY !== null && pointerY < (shownTop + shownBottom) / 2;
    y = clamp(wantsTop ? shownTop : shownBottom - h, shownTop, Math.max(shownTop, shownBottom - h));
  } else {
    // Taller than the time line, the actions reach a few pixels below the bubble, into the gap between messages.
    const line = timeLine(bubble);
    x = (line ? line.start : b.right) - GAP_PX - w;
    const wantedY = line ? line.top : b.bottom - h;
    const lowestY = Math.max(shownTop, view.bottom - EDGE_PX - h);
    const aboveY = b.top - GAP_PX - h;
    // Tapped at the bottom of the view (or wrapped onto two rows on a narrow phone), they would be pushed up over
    // the message's own text: they go above its bubble instead, over the message before it, if that is in view.
    const goesAbove = isTouch && wantedY > lowestY && aboveY >= view.top + EDGE_PX;
    y = goesAbove ? aboveY : clamp(wantedY, shownTop, lowestY);
    x = clamp(x, row.left, row.right - w);
    // Wider than the time line's empty part (five buttons on a short message on a phone), they would lie over the
    // time or the text, and above the bubble over the message before it: a tapped message's go where they cover
    // nothing written, if there is such a place in view, or else where they cover the least.
    const isCovering = goesAbove || coversWriting(bubble, { left: x, right: x + w, top: y, bottom: y + h });
    const spot = isTouch && isCovering ? touchSpot({ li, bubble, bar, view, edgePx: EDGE_PX }) : null;
    if (spot) ({ x, y } = spot);
  }
  if (room >= w + GAP_PX) x = clamp(x, row.left, row.right - w);
  // The bubble is the actions' containing block: its padding box, inside the border.
  bar.style.setProperty("--actions-x", `${Math.round(x - b.left - bubble.clientLeft)}px`);
  bar.style.setProperty("--actions-y", `${Math.round(y - b.top - bubble.clientTop)}px`);
  li.dataset.actionsPlaced = "";
}

/**
 * A tapped message's place that covers nothing written, or else the one that covers the least and never its time.
 * @param {Parameters<typeof freeSpot>[0]} at
 */
function touchSpot(at) {
  const free = freeSpot(at);
  if (free) return free;
  const least = leastCoveringSpot(at);
  if (least?.maxWidthPx) at.bar.style.maxWidth = `${least.maxWidthPx}px`;
  return least;
}

/**
 * Where the message's time line starts (its time, "(edited)", a status: packed at the line's end) and its top.
 * @param {HTMLElement} bubble
 */
function timeLine(bubble) {
  const foot = bubble.querySelector(".msg__foot");
  const time = foot?.firstElementChild;
  if (!foot || !time) return null;
  return { start: time.getBoundingClientRect().left, top: foot.getBoundingClientRect().top };
}

/**
 * Whether a box lies over the bubble's text or anything on its time line (the time, "(edited)", a status).
 * @param {HTMLElement} bubble @param {{ left: number, right: number, top: number, bottom: number }} box
 */
function coversWriting(bubble, box) {
  for (const part of bubble.querySelectorAll(".msg__text, .msg__foot > *")) {
    const r = part.getBoundingClientRect();
    if (r.width > 0 && box.left < r.right && r.left < box.right && box.top < r.bottom && r.top < box.bottom) return true;
  }
  return false;
}

/** @param {number} n @param {number} min @param {number} max */
function clamp(n, min, max) {
  return Math.min(Math.max(n, min), max);
}
