// A search with nothing an index keeps as a word ("😀", "!!!") is a search that matches nothing, said the way any
// other is, with a hint to type a word; a refused search is said in plain words, never with a payload field's name.
// Until the polish review (2026-12-07) "😀" showed "Search failed: q has nothing to search for: …" while "from:"
// alone said "No messages match".
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, send } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

async function searchFor(page: Page, q: string): Promise<string | null> {
  await page.fill("#search-input", q);
  await page.press("#search-input", "Enter");
  const status = page.locator("#search-status");
  await status.filter({ hasNotText: "Searching…" }).filter({ hasText: /./ }).waitFor();
  return status.textContent();
}

describe("a search with nothing to search for", () => {
  it("answers emoji or punctuation alone like any search without a match, and names no parameter", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "emoji-search");
    await send(page, "lunch 😀 at noon!!!");

    const hint = "Emoji and punctuation are not searched: type a word.";
    expect(await searchFor(page, "😀")).toBe(`No messages match “😀”. ${hint}`);
    expect(await searchFor(page, "!!!")).toBe(`No messages match “!!!”. ${hint}`);
    expect(await searchFor(page, 'from: <b>"')).toBe("No messages match “from: <b>\"”.");
    expect(await searchFor(page, "lunch 😀")).toBe("1 message matches.");

    // 200 UTF-16 units fit the box, but NFC writes each "ढ़" (U+095D) as two code points: over the server's 200.
    const status = await searchFor(page, "\u095d".repeat(200));
    expect(status).toBe("This search could not be run: it is too long. Type fewer words.");
    expect(problems.list).toEqual([]);
  });
});
