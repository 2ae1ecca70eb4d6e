// Windows High Contrast and other forced colours replace backgrounds and drop box shadows: what marks a state
// has to survive that (found by the third walk-through, 2026-12-07: the room on screen looked like any other).
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { join, joinAnotherRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

/** The width of the start border that forced colours keep (they drop backgrounds and box shadows). */
function startBorder(el: Locator): Promise<string> {
  return el.evaluate((e) => {
    const s = getComputedStyle(e);
    return s.borderLeftStyle === "none" ? "none" : `${s.borderLeftWidth} ${s.borderLeftStyle}`;
  });
}

describe("forced colours", () => {
  it("marks the room on screen in the sidebar with a border, the others without", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", { forcedColors: "active" });
    await join(page, suite.server.url, "Ana", "first-room");
    await joinAnotherRoom(page, "second-room");
    const room = (name: string) => page.locator("#sidebar-list a.sidebar__room", { has: page.locator(".sidebar__name", { hasText: name }) });

    expect(await room("second-room").getAttribute("aria-current")).toBe("page");
    expect(await startBorder(room("second-room"))).toBe("4px solid");
    expect(await startBorder(room("first-room"))).toBe("none");
    expect(problems.list).toEqual([]);
  });
});
