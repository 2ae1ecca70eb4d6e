// A message on a touch screen (hasTouch, isMobile): its actions show only once it is tapped (public/js/message-tap.js).
import type { Locator } from "playwright-core";

/** The message whose actions a tap showed (one at most). */
export const SELECTED_MESSAGE = 'li.msg[aria-current="true"]';

/**
 * Taps a message where a tap selects it: the middle of its text (a test's text with no link or mention there).
 * Not the bubble's edges: a reply's quote (a button) spans its width, its own actions once shown lie on its time
 * line, and the browser moves a tap a few pixels off a button onto it, as a phone does for a finger.
 */
export async function tapBubble(message: Locator): Promise<void> {
  await message.locator(".msg__text").tap();
}

/** Shows a message's actions as a phone user does, by tapping it (unless it is selected already), and waits for them. */
export async function showActions(message: Locator): Promise<void> {
  const selected = message.and(message.page().locator(SELECTED_MESSAGE));
  if ((await selected.count()) === 0) await tapBubble(message);
  await selected.waitFor();
}

/** Whether a message's actions show: opaque and tappable (hidden, they stay in the accessibility tree). */
export function actionsShown(message: Locator): Promise<boolean> {
  return message.locator(".msg__actions").evaluate((el) => {
    const style = getComputedStyle(el);
    return style.opacity === "1" && style.pointerEvents !== "none";
  });
}

/** What a long press did: the events whose default the page prevented, and the text selected once it ended. */
export interface LongPress {
  prevented: string[];
  selectedText: string;
}

/**
 * A long press on the first word of a message's text, with real touch events (CDP Input.dispatchTouchEvent): the
 * finger down, the word selected, the finger up. Chromium makes no long press of touches sent this way (held for
 * seconds they still end as a tap: a click, no contextmenu, nothing selected), so the word is selected here as a
 * phone's long press selects it, between touchstart and touchend. A phone sends no click after a long press;
 * Chromium sends one: the harder case, a click that ends with text of the message selected.
 * Resolves once every click listener of the page has heard that click (a window listener hears it last).
 */
export async function longPress(message: Locator): Promise<LongPress> {
  const page = message.page();
  // The middle of the text's first word.
  const finger = await message.locator(".msg__text").evaluate((el) => {
    const first = document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
    const length = first?.textContent?.search(/\s|$/) ?? 0;
    if (!first || length === 0) throw new Error("the message has no text to press");
    const word = document.createRange();
    word.setStart(first, 0);
    word.setEnd(first, length);
    const r = word.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  // Wrapped: evaluateHandle would wait for a promise returned bare.
  const watch = await page.evaluateHandle(() => {
    const prevented: string[] = [];
    for (const type of ["pointerdown", "touchstart", "pointerup", "touchend", "mousedown", "contextmenu", "mouseup", "click"]) {
      window.addEventListener(type, (event) => {
        if (event.defaultPrevented) prevented.push(type);
      });
    }
    const ended = new Promise<void>((resolve) => {
      window.addEventListener("click", () => resolve(), { once: true });
      // A touch whose start or end the page prevented makes no click: nothing more to wait for.
      window.addEventListener("touchend", () => {
        if (prevented.length > 0) resolve();
      });
    });
    return { done: ended.then(() => ({ prevented, selectedText: String(document.getSelection()) })) };
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [finger] });
  await page.evaluate(({ x, y }) => {
    const selection = document.getSelection();
    const caret = document.caretRangeFromPoint(x, y);
    if (!selection || !caret) throw new Error("no text under the finger");
    selection.removeAllRanges();
    selection.addRange(caret);
    // The word around the caret, as a long press selects it.
    selection.modify("move", "backward", "word");
    selection.modify("extend", "forward", "word");
  }, finger);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  const result = await watch.evaluate((w) => w.done);
  await cdp.detach();
  return result;
}
