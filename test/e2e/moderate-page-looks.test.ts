// /moderate and the 404 page are one card each: on a phone "Stop being a moderator in this browser" ran past the
// card's edge, cut off, and on a desktop both cards sat in the top left corner against the header (found by the
// third walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { besidesDocumentStatus } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

/** The card's margins to the window's sides, and its gap below the header. */
function cardPlace(page: Page): Promise<{ left: number; right: number; top: number }> {
  return page.evaluate(() => {
    const card = (document.querySelector("main .card") as HTMLElement).getBoundingClientRect();
    const header = (document.querySelector(".app-header") as HTMLElement).getBoundingClientRect();
    return { left: card.left, right: document.documentElement.clientWidth - card.right, top: card.top - header.bottom };
  });
}

describe("the one-card pages", () => {
  it("keeps the sign-out button inside its card on a 375 px phone", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("mod", { viewport: { width: 375, height: 700 } });
    await signInAsModerator(page, suite.server.url);

    const fit = await page.evaluate(() => {
      const button = document.getElementById("moderate-sign-out") as HTMLElement;
      const card = (document.querySelector("main .card") as HTMLElement).getBoundingClientRect();
      return { isWhole: button.scrollWidth <= button.clientWidth, buttonRight: button.getBoundingClientRect().right, cardRight: card.right };
    });
    expect(fit.isWhole).toBe(true);
    expect(fit.buttonRight).toBeLessThanOrEqual(fit.cardRight);
    expect((await cardPlace(page)).left).toBeGreaterThan(0);
    expect(problems.list).toEqual([]);
  });

  it("centres the card below the header on a desktop, on /moderate and on a 404", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    for (const path of ["/moderate", "/no-such-page"]) {
      await page.goto(`${suite.server.url}${path}`);
      const place = await cardPlace(page);
      expect(Math.abs(place.left - place.right), path).toBeLessThan(2);
      expect(place.left, path).toBeGreaterThan(100);
      expect(place.top, path).toBeGreaterThan(0);
    }
    expect(besidesDocumentStatus(problems, `${suite.server.url}/no-such-page`, 404)).toEqual([]);
  });
});
