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

/** On which side of the mention, as drawn, its "@" is. */
function atSide(mention: Locator): Promise<string> {
  return mention.evaluate((el) => {
    const first = document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
    if (first?.textContent?.startsWith("@") !== true) return "no @ first";
    const range = document.createRange();
    range.setStart(first, 0);
    range.setEnd(first, 1);
    const at = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return at.left - box.left < box.right - at.right ? "left" : "right";
  });
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

    // A mention is isolated in its line's direction with the "@" first, so a Hebrew line reads "@" then "Ana" from
    // the right (the "@" on Ana's right), and the name keeps its own direction inside.
    await send(ruth.page, "שלום @Ana");
    const mention = sentMessage(ana.page, "שלום @Ana").locator(".mention");
    await mention.waitFor();
    expect(await direction(mention)).toBe("rtl");
    expect(await mention.evaluate((e) => getComputedStyle(e).unicodeBidi)).toBe("isolate");
    expect(await atSide(mention)).toBe("right");
    expect(await direction(mention.locator("bdi"))).toBe("ltr");
    expect(await mention.textContent()).toBe("@Ana");
    expect(problems.list).toEqual([]);
  });

  // Polish review (2026-12-07): with dir="auto" on the whole mention, "@محمد الأحمد" in an English line was drawn
  // right to left, its "@" at the name's right-hand end, after the name as an English reader reads.
  it("puts the @ of an Arabic name in an English line on its left, before the name", async () => {
    const { problems, person } = world(suite);
    const [sam, mohammed] = await Promise.all([person("sam"), person("mohammed")]);
    await join(mohammed.page, suite.server.url, "محمد الأحمد", "rtl-mention");
    await join(sam.page, suite.server.url, "Sam", "rtl-mention");
    await send(sam.page, "see you @محمد الأحمد tomorrow");
    for (const page of [sam.page, mohammed.page]) {
      const mention = sentMessage(page, "see you @محمد الأحمد tomorrow").locator(".mention");
      await mention.waitFor();
      expect(await direction(mention)).toBe("ltr");
      expect(await mention.evaluate((e) => getComputedStyle(e).unicodeBidi)).toBe("isolate");
      expect(await atSide(mention)).toBe("left");
      expect(await direction(mention.locator("bdi"))).toBe("rtl");
      expect(await mention.locator("bdi").textContent()).toBe("محمد الأحمد");
    }

    // A search hit draws its mention the same way.
    await sam.page.fill("#search-input", "tomorrow");
    await sam.page.press("#search-input", "Enter");
    const hit = sam.page.locator("#search-results .search-hit__text .mention");
    await hit.waitFor();
    expect(await atSide(hit)).toBe("left");
    expect(problems.list).toEqual([]);
  });
});
