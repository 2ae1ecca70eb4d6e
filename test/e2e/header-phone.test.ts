// The header on a 360-375 px phone once notifications are allowed: the bell gains "Also when the page is closed"
// (push-switch.js). The switch's label must stay inside the screen instead of running off its right edge, where
// its end ("closed") was cut off, and the title must stay on one line. Under the bell it made the header three
// lines tall: it now folds behind a button beside the bell (push-disclosure.js), and the header keeps one row.
import { describe, expect, it } from "vitest";
import { join, roomAction } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

/** Right edges of the header and everything in it, beside the page's width. */
function headerEdges(): { width: number; rights: { what: string; right: number }[]; titleLines: number } {
  const width = document.documentElement.clientWidth;
  const header = document.querySelector(".app-header");
  const rights = [header, ...(header?.querySelectorAll("*") ?? [])]
    .filter((el): el is Element => el !== null && el.getClientRects().length > 0)
    .map((el) => ({ what: `${el.tagName.toLowerCase()}.${el.className}`, right: Math.round(el.getBoundingClientRect().right) }));
  const title = header?.querySelector("h1");
  const titleLines = title ? Math.round(title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight)) : 0;
  return { width, rights, titleLines };
}

describe("the header on a phone", () => {
  it.each([360, 375])("keeps the push switch's label inside a %i px screen, with the title on one line", async (width) => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width, height: 740 }, isMobile: true, hasTouch: true });
    await ana.context.grantPermissions(["notifications"], { origin: suite.server.url });
    await join(ana.page, suite.server.url, "Ana", "phone-header");
    await ana.page.locator("#push-more").waitFor({ state: "visible" });

    const { width: pageWidth, rights, titleLines } = await ana.page.evaluate(headerEdges);
    expect(rights.filter((r) => r.right > pageWidth)).toEqual([]);
    expect(titleLines).toBe(1);
    // Still one tap target with its whole name, behind the button beside the bell.
    await ana.page.locator("#push-more").click();
    expect(await ana.page.getByRole("switch", { name: "Also when the page is closed" }).isVisible()).toBe(true);
    const opened = await ana.page.evaluate(headerEdges);
    expect(opened.rights.filter((r) => r.right > pageWidth)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  // The switch under the bell made the header three lines (98 px) and, with the room bar, took the messages'
  // first 196 px of a 740 px screen. One row is the 36 px bell and the header's padding.
  const HEADER_MAX_PX = 56;
  const MESSAGES_TOP_MAX_PX = 160;

  it(`keeps the header to one row (at most ${HEADER_MAX_PX} px) at 375 px with notifications allowed, every control still reachable by keyboard`, async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await ana.context.grantPermissions(["notifications"], { origin: suite.server.url });
    await join(ana.page, suite.server.url, "Ana", "phone-header-height");
    // The page has offered the switch (push-switch.js shows its field once notifications are allowed).
    await ana.page.locator("#push-field:not([hidden])").waitFor({ state: "attached" });

    const top = (selector: string) => ana.page.locator(selector).evaluate((el) => el.getBoundingClientRect());
    expect((await top(".app-header")).height).toBeLessThanOrEqual(HEADER_MAX_PX);
    expect((await top("#message-list")).top).toBeLessThanOrEqual(MESSAGES_TOP_MAX_PX);
    const more = ana.page.getByRole("button", { name: "More notification settings" });

    // The switch unfolds from the keyboard, sits inside the screen, takes the focus next, and folds away on Escape.
    const toggle = ana.page.getByRole("switch", { name: "Also when the page is closed" });
    expect(await toggle.isVisible()).toBe(false);
    await more.focus();
    await ana.page.keyboard.press("Enter");
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    expect(await toggle.isVisible()).toBe(true);
    const box = await top("#push-field");
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(375);
    await ana.page.keyboard.press("Tab");
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    await ana.page.keyboard.press("Escape");
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.isVisible()).toBe(false);

    // A tap elsewhere folds it too.
    await more.click();
    expect(await toggle.isVisible()).toBe(true);
    await ana.page.locator("#message-list").click({ position: { x: 10, y: 10 } });
    expect(await toggle.isVisible()).toBe(false);

    // The bell and the room's Notify level still work.
    expect(await ana.page.locator("#notify-bell").isVisible()).toBe(true);
    await (await roomAction(ana.page, "#notify-level")).selectOption("all");
    expect(await ana.page.inputValue("#notify-level")).toBe("all");
    expect(problems.list).toEqual([]);
  });
});
