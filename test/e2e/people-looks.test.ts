// The people list with a long name (names may be 50 characters): found walking through the page as a new
// user, a name longer than the panel's line went down to a line of its own, leaving the presence dot alone on
// the line above, and "(you)" on a third line, under the dot rather than under the name (as it also went for a
// name just short of the line).
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const LONG_NAME = "Cara with a rather long name that goes on and on";

/**
 * How far the long name's first line starts from its row's top and left edge (the dot is before it), and how
 * far "(you)" starts to the left of the name (0 or less when it lines up under the name or follows it).
 */
async function nameOffset(page: Page): Promise<{ down: number; right: number; youBeforeName: number }> {
  const item = page.locator("#presence-list li", { hasText: LONG_NAME });
  return item.evaluate((li) => {
    const row = li.getBoundingClientRect();
    const name = li.querySelector("span")?.getBoundingClientRect();
    const you = li.querySelector(".presence__you")?.getBoundingClientRect();
    if (!name || !you) throw new Error("no name or no (you) in the people list's row");
    return { down: name.top - row.top, right: name.left - row.left, youBeforeName: name.left - you.left };
  });
}

describe("the people list", () => {
  it("keeps a long name on the line of its presence dot, on a wide screen and on a phone", async () => {
    const { problems, person } = world(suite);
    const cara = await person("cara");
    await join(cara.page, suite.server.url, LONG_NAME, "people-long");
    await waitForPresence(cara.page, [LONG_NAME]);

    const wide = await nameOffset(cara.page);
    expect(wide.down).toBeLessThan(2);
    expect(wide.right).toBeGreaterThan(4);
    expect(wide.youBeforeName).toBeLessThanOrEqual(0);

    await cara.page.setViewportSize({ width: 375, height: 720 });
    await cara.page.click("#presence-toggle");
    await cara.page.locator("#presence-list").waitFor({ state: "visible" });
    const phone = await nameOffset(cara.page);
    expect(phone.down).toBeLessThan(2);
    expect(phone.right).toBeGreaterThan(4);
    expect(phone.youBeforeName).toBeLessThanOrEqual(0);
    expect(problems.list).toEqual([]);
  });
});
