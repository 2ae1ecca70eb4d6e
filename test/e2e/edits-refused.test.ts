// A refused edit or delete (issue 12) shows the server's reason where the reader is looking: under the
// editor, and in the confirm dialog. EDIT_WINDOW_MS=1 closes every message's window at once.
import { describe, expect, it } from "vitest";
import { join, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { EDIT_WINDOW_MS: "1" } });

describe("refused edits", () => {
  it("shows edit_window_closed under the editor and in the delete dialog, and changes nothing", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "too-late");
    await send(page, "typo herre");

    await page.focus("#message-content");
    await page.keyboard.press("ArrowUp");
    const editor = page.locator("#messages textarea.msg__editbox");
    await editor.fill("typo here");
    await page.keyboard.press("Enter");
    const error = page.locator("#messages .msg__editor .field__error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/minutes after sending/);
    expect(await page.locator("#live-region").textContent()).toMatch(/minutes after sending/);
    expect(await editor.isVisible()).toBe(true); // the text is kept to copy or retry
    await page.keyboard.press("Escape");
    await sentMessage(page, "typo herre").waitFor();
    expect(await sentMessage(page, "typo herre").locator(".msg__edited").count()).toBe(0);

    await sentMessage(page, "typo herre").hover();
    await sentMessage(page, "typo herre").locator(".msg__action[data-action=delete]").click();
    await page.click("#confirm-ok");
    await page.locator("#confirm-error", { hasText: /minutes after sending/ }).waitFor();
    await page.click("#confirm-cancel");
    await page.locator("#confirm-dialog").waitFor({ state: "hidden" });
    await sentMessage(page, "typo herre").waitFor();
    expect(problems.list).toEqual([]);
  });
});
