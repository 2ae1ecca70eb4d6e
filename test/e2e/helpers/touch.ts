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
