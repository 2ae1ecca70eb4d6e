// A very long search: the box takes no more than the server accepts (it answered "q must be at most 200
// characters", a developer's message), and the panel repeats the query cut short, so on a phone its title no
// longer fills the panel and pushes Close and the answer out of view (found by the third walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/protocol.js";
import { join, send } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("a very long search query", () => {
  it("is cut to the server's limit in the box, answered without an error, and quoted short", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", { viewport: { width: 375, height: 740 } });
    await join(page, suite.server.url, "Ana", "long-search");
    await send(page, "something to search among");

    await page.click("#search-input");
    await page.keyboard.insertText("verylongword".repeat(30));
    expect((await page.inputValue("#search-input")).length).toBe(LIMITS.searchMaxChars);
    await page.press("#search-input", "Enter");

    const status = page.locator("#search-status");
    await status.filter({ hasText: /match/ }).waitFor();
    expect(await status.textContent()).toMatch(/^No messages match “verylongword.{48}…”\.$/);
    expect(await page.locator("#search-title").textContent()).toMatch(/^Results for “verylongword.{48}…”$/);
    // Close stays within the first lines of the panel, in view.
    const panel = await page.locator("#search-panel").boundingBox();
    const close = await page.locator("#search-close").boundingBox();
    expect(panel).not.toBeNull();
    expect(close).not.toBeNull();
    expect((close?.y ?? Infinity) - (panel?.y ?? 0)).toBeLessThan(100);
    expect(problems.list).toEqual([]);
  });
});
