// Editing a long message: the box grows with its text up to part of the view, then scrolls, so Save, Cancel and
// a refusal under it ("Use at most 500 characters.") stay where the reader can see them (found by the third
// walk-through, 2026-12-07: a 600-character edit pushed its error far below the view).
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { join, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

/** Whether the element lies wholly inside the message list's visible part. */
async function isInView(page: Page, el: Locator): Promise<boolean> {
  const [box, view] = await Promise.all([el.boundingBox(), page.locator("#message-list").boundingBox()]);
  return box !== null && view !== null && box.y >= view.y && box.y + box.height <= view.y + view.height;
}

describe("editing a long message", () => {
  it("keeps the refusal, the buttons and the box in view at once on a 375 px phone", async () => {
    const viewport = { width: 375, height: 740 };
    const { problems, person } = world(suite);
    const { page } = await person("ana", { viewport });
    await join(page, suite.server.url, "Ana", `edit-long-${viewport.width}`);
    await send(page, "short");

    await page.focus("#message-content");
    await page.keyboard.press("ArrowUp");
    const editor = sentMessage(page, "short").locator(".msg__editor");
    await editor.locator("textarea").fill("B".repeat(600));
    await page.keyboard.press("Enter");
    const error = editor.locator(".field__error", { hasText: "Use at most 500 characters." });
    await error.waitFor();
    await error.scrollIntoViewIfNeeded(); // whatever scrolling the page did, all of it must fit at once
    expect(await isInView(page, error)).toBe(true);
    expect(await isInView(page, editor.getByRole("button", { name: "Save" }))).toBe(true);
    expect(await isInView(page, editor.locator("textarea"))).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
