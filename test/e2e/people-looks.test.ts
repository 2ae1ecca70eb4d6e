// The people list with a long name (names may be 50 characters): found walking through the page as a new
// user, a name longer than the panel's line went down to a line of its own, leaving the presence dot alone on
// the line above, and "(you)" on a third line, under the dot rather than under the name (as it also went for a
// name just short of the line).
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { join, roomAction, waitForPresence } from "./helpers/browser.js";
import { browserSuite, twoPeople, world } from "./helpers/suite.js";

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

/**
 * How far the presence dot's centre, as drawn, is from the middle of the name's first line: the dot is found in a
 * screenshot of the row's left edge by its green.
 */
async function dotOffFromName(page: Page, row: Locator): Promise<number> {
  const box = await row.boundingBox();
  if (!box) throw new Error("the people list's row is not on screen");
  const png = await page.screenshot({ clip: { x: box.x, y: box.y, width: 12, height: box.height } });
  const dotY = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [img.width, img.height];
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2d canvas");
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, img.width, img.height).data;
    const greenRows: number[] = [];
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        if ((px[i + 1] ?? 0) > (px[i] ?? 0) + 40 && (px[i + 1] ?? 0) > (px[i + 2] ?? 0) + 40) {
          greenRows.push(y);
          break;
        }
      }
    }
    if (greenRows.length === 0) throw new Error("no dot in the row");
    return ((greenRows[0] ?? 0) + (greenRows[greenRows.length - 1] ?? 0) + 1) / 2 / devicePixelRatio;
  }, png.toString("base64"));
  const lineMiddle = await row.evaluate((li) => {
    const name = li.querySelector("span");
    if (!name) throw new Error("no name in the row");
    return name.getBoundingClientRect().top - li.getBoundingClientRect().top + parseFloat(getComputedStyle(name).lineHeight) / 2;
  });
  return Math.abs(dotY - lineMiddle);
}

describe("the people list", () => {
  it("draws the presence dot level with the name, also beside a Message privately button", async () => {
    const { problems, ana } = await twoPeople(suite, "people-dot");
    const ben = ana.page.locator("#presence-list li", { hasText: "Ben" });
    await ben.locator("button").first().waitFor();
    expect(await dotOffFromName(ana.page, ben)).toBeLessThanOrEqual(1.5);
    expect(await dotOffFromName(ana.page, ana.page.locator("#presence-list li", { hasText: "Ana" }))).toBeLessThanOrEqual(1.5);
    expect(problems.list).toEqual([]);
  });

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
    await (await roomAction(cara.page, "#presence-toggle")).click();
    await cara.page.locator("#presence-list").waitFor({ state: "visible" });
    const phone = await nameOffset(cara.page);
    expect(phone.down).toBeLessThan(2);
    expect(phone.right).toBeGreaterThan(4);
    expect(phone.youBeforeName).toBeLessThanOrEqual(0);
    expect(problems.list).toEqual([]);
  });
});
