// The room bar with a moderator's extra control (Make private) between 768 px and 1000 px, the width of a small
// laptop zoomed in: the room's name shrank to nothing and Leave lay past the window's edge, the page scrolling
// sideways (found by the third walk-through, 2026-12-07). It now wraps a line instead.
import { describe, expect, it } from "vitest";
import { join } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

describe("the room bar of a moderator", () => {
  for (const width of [1000, 900]) {
    it(`shows the whole room name and Leave, with no sideways scroll, at ${width} px`, async () => {
      const { problems, person } = world(suite);
      const { page } = await person("mod", { viewport: { width, height: 700 } });
      await signInAsModerator(page, suite.server.url);
      await join(page, suite.server.url, "Mod", "modroom");
      await page.locator("#privacy-button").waitFor(); // Make private: the control a moderator adds

      const fit = await page.evaluate(() => {
        const title = document.getElementById("room-title") as HTMLElement;
        const leave = (document.getElementById("leave-button") as HTMLElement).getBoundingClientRect();
        return {
          isTitleWhole: title.clientWidth > 0 && title.scrollWidth <= title.clientWidth,
          leaveRight: leave.right,
          pageWidth: document.documentElement.scrollWidth,
        };
      });
      expect(fit.isTitleWhole).toBe(true);
      expect(fit.leaveRight).toBeLessThanOrEqual(width);
      expect(fit.pageWidth).toBe(width);
      expect(problems.list).toEqual([]);
    });
  }
});
