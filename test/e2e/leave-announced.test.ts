// Leave moves the focus into the next room's message box (or the join form after the last room): screen readers
// heard "Message, edit text" and nothing of which room that is now (found by the third walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { join, joinAnotherRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("leaving a room, for a screen reader", () => {
  it("says which room was left and which one is on screen now, or only the room left after the last", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "first-room");
    await joinAnotherRoom(page, "second-room");

    const lastLine = () => page.locator("#live-region > p").last();
    await page.click("#leave-button");
    await page.waitForFunction(() => document.getElementById("room-title-name")?.textContent === "first-room");
    expect(await lastLine().textContent()).toBe("Left second-room. Now in first-room.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");

    await page.click("#leave-button");
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(await lastLine().textContent()).toBe("Left first-room.");
    expect(problems.list).toEqual([]);
  });
});
