// The reply bar's cancel button on a phone: it was a 32 px square, under the 44 x 44 px a thumb needs (WCAG 2.5.5,
// found by the phone walk-through, 2026-12-07). It keeps its drawn size, so the bar is no taller, and an invisible
// area around it (as the room bar's icons have) takes the taps.
import { describe, expect, it } from "vitest";
import { join, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { smallTapAreas } from "./helpers/tap-area.js";
import { showActions } from "./helpers/touch.js";

const suite = browserSuite();
// The bar's own height with its 32 px button: 4 px padding above and below.
const DRAFT_BAR_MAX_PX = 40;
const COMPOSER = ["#attach-button", "#message-content", "#send-button"];

describe("the reply bar on a phone", () => {
  for (const width of [360, 320]) {
    it(`gives its cancel button a 44 x 44 px tap area at ${width} px, the bar no taller and the composer's areas kept`, async () => {
      await suite.server.seed(`reply-${width}`, [{ sender: "Ben", content: "Who brings the cake on Friday?" }]);
      const { problems, person } = world(suite);
      const { page } = await person("ana", { viewport: { width, height: 740 }, isMobile: true, hasTouch: true });
      await join(page, suite.server.url, "Ana", `reply-${width}`);
      const original = sentMessage(page, "Who brings the cake on Friday?");
      await showActions(original);
      await original.locator(".msg__action[data-action=reply]").click();
      const draft = page.locator("#reply-draft");
      await draft.waitFor({ state: "visible" });

      expect((await draft.boundingBox())?.height).toBeLessThanOrEqual(DRAFT_BAR_MAX_PX);
      expect(await smallTapAreas(page, ["#reply-cancel", ...COMPOSER])).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);

      // A press in the area, outside the button's drawn box (above it, in the gap over the bar), cancels the reply. A
      // mouse press, exact where it lands: Chromium moves a touch tap onto a target near it.
      const cancel = await page.locator("#reply-cancel").evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
      await page.mouse.click(cancel.left + cancel.width / 2, cancel.top - 6);
      await draft.waitFor({ state: "hidden" });
      expect(await page.locator("#message-content").evaluate((el) => el === document.activeElement)).toBe(true);
      expect(problems.list).toEqual([]);
    });
  }
});
