// Leaving or switching rooms moves the focus into the next room's message box (or the join form after the last
// room): screen readers heard "Message, edit text" and nothing of which room that is now (found by the third
// walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, joinAnotherRoom, openFromSidebar } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const lines = (page: Page, n: number) => page.locator("#live-region > p").allTextContents().then((all) => all.slice(-n));

describe("leaving and switching rooms, for a screen reader", () => {
  it("says which room was left and which one is on screen now, or only the room left after the last", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "first-room");
    await joinAnotherRoom(page, "second-room");

    await page.click("#leave-button");
    await page.waitForFunction(() => document.getElementById("room-title-name")?.textContent === "first-room");
    expect(await lines(page, 2)).toEqual(["Left second-room.", "Now in first-room."]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");

    await page.click("#leave-button");
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(await lines(page, 1)).toEqual(["Left first-room."]);
    expect(problems.list).toEqual([]);
  });

  it("says which room Alt+↑ and the sidebar put on screen", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ben");
    await join(page, suite.server.url, "Ben", "room-up");
    await joinAnotherRoom(page, "room-down");

    await page.focus("#message-content");
    await page.keyboard.press("Alt+ArrowUp");
    await page.waitForFunction(() => document.getElementById("room-title-name")?.textContent === "room-up");
    expect(await lines(page, 1)).toEqual(["Now in room-up."]);

    await openFromSidebar(page, "room-down");
    expect(await lines(page, 1)).toEqual(["Now in room-down."]);
    expect(problems.list).toEqual([]);
  });
});
