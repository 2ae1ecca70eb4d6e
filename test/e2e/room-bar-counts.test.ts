// The Rooms button's unread count in the phone's room bar. Beside the icon, a count of three digits (66 px) cut a
// moderator's lock and a 17-character room name at 360 px, and the count had no cap: a thousand unread took more
// still (found by the phone walk-through, 2026-12-07). The count now sits raised on the icon's corner and shows at
// most "99+" (the exact number in the button's name and each room's own in the list), so the name shows whole.
// At 320 px the name is cut with "…" whatever the count (it is some 19 px too wide with no count at all), whole in
// its tooltip and for screen readers; the bar still keeps one row inside the screen, every tap area 44 x 44.
import { describe, expect, it, onTestFinished } from "vitest";
import type { Page } from "playwright-core";
import { join, roomAction } from "./helpers/browser.js";
import { createPrivateRoom } from "./helpers/private-rooms.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { isNameWhole, outside, roomBar } from "./helpers/room-bar.js";
import { browserSuite, world } from "./helpers/suite.js";
import { smallTapAreas } from "./helpers/tap-area.js";

// Ben sends a hundred messages at once: the send rate's burst is raised so none is refused.
const suite = browserSuite({ env: { RATE_SEND_BURST: "200" } });
const ROOM_17 = "weekend-hike-2026";
const BAR = ["rooms-toggle", "room-title", "search-form", "room-actions-toggle"];
const BAR_TAPPABLE = ["#rooms-toggle", "#search-input", "#room-actions-toggle"];

/** The bar keeps one row of its four controls inside the screen, each with a 44 x 44 px tap area. */
async function expectOneRowInside(page: Page): Promise<void> {
  const bar = await roomBar(page);
  expect(bar.height).toBeLessThanOrEqual(56);
  expect(outside(bar)).toEqual([]);
  expect(bar.controls.map((c) => c.id)).toEqual(BAR);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  expect(await smallTapAreas(page, BAR_TAPPABLE)).toEqual([]);
}

describe("the Rooms count in a phone's room bar", () => {
  it("shows a moderator's lock and a 17-character name whole at 360 px with a count of 99 or 100 (shown 99+); at 320 px cuts only the name", async () => {
    const { problems, person } = world(suite);
    const mod = await person("mod", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await signInAsModerator(mod.page, suite.server.url);
    await join(mod.page, suite.server.url, "Mod", "lobby");
    await createPrivateRoom(mod.page, suite.server.url, "Mod", ROOM_17, { fromSidebar: true });
    await (await roomAction(mod.page, "#privacy-button")).getByText("Make public").waitFor();
    await mod.page.keyboard.press("Escape");

    const ben = await suite.server.joined("lobby", "Ben");
    onTestFinished(() => void ben.close());
    const say = async (times: number): Promise<void> => {
      for (let i = 0; i < times; i++) {
        const sent = await ben.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ben", content: `trail report ${i}` });
        expect(sent.ok).toBe(true);
      }
    };
    const count = mod.page.locator("#rooms-toggle-count");

    await say(99);
    await count.filter({ hasText: /^99$/ }).waitFor();
    await expectOneRowInside(mod.page);
    expect(await mod.page.locator("#room-title-lock").isVisible()).toBe(true);
    expect(await isNameWhole(mod.page)).toBe(true);

    await say(1);
    await count.filter({ hasText: /^99\+$/ }).waitFor();
    expect(await mod.page.getAttribute("#rooms-toggle", "aria-label")).toBe("Rooms, 100 unread");
    await expectOneRowInside(mod.page);
    expect(await isNameWhole(mod.page)).toBe(true);

    await mod.page.setViewportSize({ width: 320, height: 740 });
    await expectOneRowInside(mod.page);
    expect(await isNameWhole(mod.page)).toBe(false);
    expect(await mod.page.getAttribute("#room-title-name", "title")).toBe(ROOM_17);
    expect(await mod.page.getByRole("heading", { level: 2, name: `Room ${ROOM_17}` }).isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
