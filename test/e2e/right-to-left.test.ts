// Hebrew and Arabic read right to left: a message, a name, the message box and the editor each take their
// direction from their own first strong letter (dir="auto"), so "שלום! מה שלומך?" ends with its "?" on the left
// and an English message beside it stays left to right (found by the third walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { join, notice, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const HEBREW = "שלום לכולם! מה שלומכם היום?";
const ARABIC = "مرحبا بالجميع، this is mixed";

function direction(el: Locator): Promise<string> {
  return el.evaluate((e) => getComputedStyle(e).direction);
}

describe("right-to-left text", () => {
  it("shows Hebrew and Arabic messages and names right to left, English ones left to right", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("dani");
    await join(page, suite.server.url, "דני כהן", "rtl");
    await send(page, HEBREW);
    await send(page, ARABIC);
    await send(page, "plain English");

    expect(await direction(sentMessage(page, HEBREW).locator(".msg__text"))).toBe("rtl");
    expect(await direction(sentMessage(page, ARABIC).locator(".msg__text"))).toBe("rtl");
    expect(await direction(sentMessage(page, "plain English").locator(".msg__text"))).toBe("ltr");
    expect(await direction(page.locator("#presence-list li > span:first-child").first())).toBe("rtl");

    await page.fill("#message-content", "שלום");
    expect(await direction(page.locator("#message-content"))).toBe("rtl");
    await page.fill("#message-content", "");
    await page.keyboard.press("ArrowUp"); // edits the last message, the English one
    const editor = page.locator("#messages textarea.msg__editbox");
    await editor.fill(HEBREW);
    expect(await direction(editor)).toBe("rtl");
    await page.keyboard.press("Escape");

    await page.fill("#search-input", "שלום");
    await page.press("#search-input", "Enter");
    const hit = page.locator("#search-results .search-hit__text").first();
    await hit.waitFor();
    expect(await direction(hit)).toBe("rtl");
    expect(problems.list).toEqual([]);
  });

  it("shows a right-to-left sender's name right to left to others", async () => {
    const { problems, person } = world(suite);
    const [ruth, ana] = await Promise.all([person("ruth"), person("ana")]);
    await join(ana.page, suite.server.url, "Ana", "rtl-names");
    await join(ruth.page, suite.server.url, "רות 2", "rtl-names");
    // The join notice isolates the name: its "2" stays on the name's left, not before "has joined".
    const joined = notice(ana.page, "רות 2 has joined the chat.");
    await joined.waitFor();
    expect(await joined.locator("bdi").textContent()).toBe("רות 2");
    expect(await direction(joined.locator("bdi"))).toBe("rtl");
    await send(ruth.page, "hello");
    const seen = sentMessage(ana.page, "hello");
    await seen.waitFor();
    expect(await direction(seen.locator(".msg__sender"))).toBe("rtl");
    expect(await direction(seen.locator(".msg__text"))).toBe("ltr");

    // A mention is its own run: "@Ana" inside a Hebrew line stays "@Ana", not "Ana@".
    await send(ruth.page, "שלום @Ana");
    const mention = sentMessage(ana.page, "שלום @Ana").locator(".mention");
    await mention.waitFor();
    expect(await direction(mention)).toBe("ltr");
    expect(await mention.evaluate((e) => getComputedStyle(e).unicodeBidi)).toBe("isolate");
    expect(problems.list).toEqual([]);
  });
});
