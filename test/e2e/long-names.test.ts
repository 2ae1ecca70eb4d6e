// Long room names and user names (up to 50 characters each) where the page cuts them with "…": found walking
// through the page as a new user, two rooms sharing a long prefix ("flow-1796629002784" and
// "flow-1796629002784-b") looked the same in the sidebar, and nothing showed the rest of the name.
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { join, joinAnotherRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const ROOM = "the-weekly-planning-meeting-of-the-garden-club";
const NAME = "Bartholomew Featherstonehaugh-Smythe";

const isCut = (el: Locator) => el.evaluate((node) => node.scrollWidth > node.clientWidth);

describe("long names cut with an ellipsis", () => {
  it("shows the whole room name and user name as a tooltip in the sidebar and the room bar", async () => {
    const { problems, person } = world(suite);
    const bart = await person("bart", { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
    await join(bart.page, suite.server.url, NAME, ROOM);
    await joinAnotherRoom(bart.page, `${ROOM}-2`);
    await bart.page.tap("#rooms-toggle");

    const entry = bart.page.locator("#sidebar-list a.sidebar__room").first();
    await entry.waitFor({ state: "visible" });
    expect(await isCut(entry.locator(".sidebar__name"))).toBe(true);
    expect(await entry.locator(".sidebar__text").getAttribute("title")).toBe(`${ROOM}, as ${NAME}`);
    expect(await isCut(bart.page.locator("#room-title"))).toBe(true);
    expect(await bart.page.getAttribute("#room-title-name", "title")).toBe(`${ROOM}-2`);
    expect(problems.list).toEqual([]);
  });
});
