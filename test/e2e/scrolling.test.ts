// Reaching older messages without a mouse wheel: the "Load older messages" button, and the keyboard keys the
// README promises in the message list (↑ ↓ PgUp PgDn Home End; reaching the top loads older messages).
// Written against the DOM and real key presses only, so they hold however the page's code is split up.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, messageTexts, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const scrollTop = (page: Page) => page.evaluate(() => (document.getElementById("message-list") as HTMLElement).scrollTop);
const shownCount = (page: Page) => page.locator("#messages li.msg").count();

/** Waits until the message list's scrollTop satisfies `test` (keyboard scrolling may be animated). */
async function waitForScroll(page: Page, test: "below" | "above" | "top" | "bottom", than = 0): Promise<void> {
  await page.waitForFunction(
    ([kind, ref]) => {
      const s = document.getElementById("message-list") as HTMLElement;
      if (kind === "below") return s.scrollTop < ref - 1;
      if (kind === "above") return s.scrollTop > ref + 1;
      if (kind === "top") return s.scrollTop <= 1;
      return s.scrollHeight - s.scrollTop - s.clientHeight <= 2;
    },
    [test, than] as const,
    { timeout: 10_000 },
  );
}

/** Waits until the list has not scrolled for a few frames (the end of an animated keyboard scroll). */
async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const s = document.getElementById("message-list") as HTMLElement;
        let last = s.scrollTop;
        let still = 0;
        const tick = (): void => {
          still = s.scrollTop === last ? still + 1 : 0;
          last = s.scrollTop;
          if (still >= 5) resolve();
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
}

async function roomWith(count: number, room: string, label: string): Promise<{ page: Page; problems: string[] }> {
  const { problems, person } = world(suite);
  await suite.server.seed(room, Array.from({ length: count }, (_, i) => ({ sender: "Cleo", content: `${room} ${i + 1}` })));
  const { page } = await person(label);
  await join(page, suite.server.url, "Ana", room);
  await sentMessage(page, `${room} ${count}`).waitFor();
  expect(await shownCount(page)).toBe(100); // HISTORY_LIMIT newest
  return { page, problems: problems.list };
}

describe("older messages without a mouse", () => {
  it("the Load older messages button loads the previous page above what is shown", async () => {
    const { page, problems } = await roomWith(300, "button-room", "ana");
    const button = page.getByRole("button", { name: "Load older messages" });
    expect(await button.isVisible()).toBe(true);
    // A click event on the button itself, without scrolling it into view first (a real click would scroll
    // the list to the top, which loads older messages by itself and would hide a broken button).
    await button.dispatchEvent("click");
    await sentMessage(page, "button-room 151").waitFor({ state: "attached", timeout: 10_000 });
    expect(await shownCount(page)).toBe(150);
    expect((await messageTexts(page))[0]).toBe("button-room 151");
    expect(await button.isVisible()).toBe(true); // more are left

    await button.dispatchEvent("click");
    await sentMessage(page, "button-room 101").waitFor({ state: "attached" });
    expect(await shownCount(page)).toBe(200);
    expect(problems).toEqual([]);
  });

  it("scrolls the message list with ↑ ↓ PgUp PgDn Home End, and Home at the top loads older messages", async () => {
    const { page, problems } = await roomWith(300, "keys-room", "ana");
    await waitForScroll(page, "bottom");
    await page.locator("#message-list").focus();

    const atBottom = await scrollTop(page);
    await page.keyboard.press("PageUp");
    await waitForScroll(page, "below", atBottom - 200); // a page, not a line
    await settled(page);
    const afterPageUp = await scrollTop(page);

    await page.keyboard.press("ArrowUp");
    await waitForScroll(page, "below", afterPageUp);
    await settled(page);
    const afterArrowUp = await scrollTop(page);
    await page.keyboard.press("ArrowDown");
    await waitForScroll(page, "above", afterArrowUp);
    await settled(page);

    await page.keyboard.press("PageDown");
    await page.keyboard.press("End");
    await waitForScroll(page, "bottom");
    await settled(page); // a key pressed during another key's scroll animation can be merged into it
    expect(await shownCount(page)).toBe(100); // nothing older was asked for on the way

    await page.evaluate(() => {
      const s = document.getElementById("message-list") as HTMLElement;
      const w = window as unknown as { __minTop: number };
      w.__minTop = s.scrollTop;
      s.addEventListener("scroll", () => (w.__minTop = Math.min(w.__minTop, s.scrollTop)), { passive: true });
    });
    await page.keyboard.press("Home");
    await sentMessage(page, "keys-room 151")
      .waitFor({ state: "attached", timeout: 15_000 })
      .catch(async (err: unknown) => {
        // Say where the page stood: not at the top (the key did nothing) or at the top without loading.
        const state = await page.evaluate(() => ({
          scrollTop: (document.getElementById("message-list") as HTMLElement).scrollTop,
          shown: document.querySelectorAll("#messages li.msg").length,
          note: document.getElementById("history-note")?.textContent,
          focus: document.activeElement?.id,
          lowestScrollTopAfterHome: (window as unknown as { __minTop: number }).__minTop,
        }));
        throw new Error(`Home did not load older messages: ${JSON.stringify(state)}`, { cause: err });
      });
    expect(await shownCount(page)).toBeGreaterThanOrEqual(150);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-list");
    expect(problems).toEqual([]);
  });
});
