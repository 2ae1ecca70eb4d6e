// The header on a 360-375 px phone once notifications are allowed: the bell gains "Also when the page is closed"
// (push-switch.js) under it. The switch's label must wrap inside the screen instead of running off its right
// edge, where its end ("closed") was cut off, and the title must stay on one line.
import { describe, expect, it } from "vitest";
import { join } from "./helpers/browser.js";
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
  it.each([360, 375])("keeps the push switch's label inside a %i px screen, wrapped, with the title on one line", async (width) => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width, height: 740 }, isMobile: true, hasTouch: true });
    await ana.context.grantPermissions(["notifications"], { origin: suite.server.url });
    await join(ana.page, suite.server.url, "Ana", "phone-header");
    await ana.page.locator("#push-switch").waitFor({ state: "visible" });

    const { width: pageWidth, rights, titleLines } = await ana.page.evaluate(headerEdges);
    expect(rights.filter((r) => r.right > pageWidth)).toEqual([]);
    expect(titleLines).toBe(1);
    // Still one tap target with its whole name.
    expect(await ana.page.getByRole("switch", { name: "Also when the page is closed" }).isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
