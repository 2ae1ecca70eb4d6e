// The image viewer follows the message it shows (review, 2026-12-08): Ben had Ana's photo open when she removed it
// from her message, then deleted the message, and the viewer went on showing it, its arrows still stepping through
// both pictures and its Download original pointing at a file that answered 404. Now an image removed gives way to
// the message's next one, and with none left the viewer closes and says so.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { sentMessage } from "./helpers/browser.js";
import { pasteFiles, pngOf } from "./helpers/files.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const suite = browserSuite();

/** What the viewer shows: open or not, the image's name and the count ("1 of 2", or "" for one image). */
const viewerState = (page: Page) =>
  page.evaluate(() => ({
    open: (document.getElementById("image-viewer") as HTMLDialogElement).open,
    title: document.getElementById("viewer-title")?.textContent,
    alt: (document.getElementById("viewer-image") as HTMLImageElement).alt,
    count: document.getElementById("viewer-count")?.textContent,
    hasArrows: !(document.getElementById("viewer-next") as HTMLElement).hidden,
  }));

describe("the image viewer follows its message", () => {
  it("moves on when the image shown is removed from the message, and closes when the message is deleted", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "viewer-follows");
    await pasteFiles(ana.page, [
      { name: "beach.png", type: "image/png", bytes: await pngOf(400, 300, "#2a9d8f") },
      { name: "hills.png", type: "image/png", bytes: await pngOf(300, 400, "#e76f51") },
    ]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.fill("#message-content", "two from the trip");
    await ana.page.press("#message-content", "Enter");
    const his = sentMessage(ben.page, "two from the trip");
    await his.locator(".file-thumb__open").nth(1).waitFor();

    // Ben opens the beach; Ana removes it in her editor and saves.
    await his.locator(".file-thumb__open").first().click();
    await ben.page.locator("#image-viewer").waitFor({ state: "visible" });
    expect(await viewerState(ben.page)).toMatchObject({ open: true, title: "beach.png", count: "1 of 2" });
    const mine = sentMessage(ana.page, "two from the trip");
    await mine.hover();
    await mine.locator(".msg__action[data-action=edit]").click();
    await mine.locator(".msg__file-remove").first().click();
    await ana.page.focus("#messages textarea.msg__editbox");
    await ana.page.keyboard.press("Enter");
    await his.locator(".msg__edited").waitFor();
    expect(await viewerState(ben.page)).toEqual({ open: true, title: "hills.png", alt: "hills.png", count: "", hasArrows: false });
    await ben.page.locator("#live-region p", { hasText: "beach.png was removed; now hills.png, image 1 of 1" }).waitFor();

    // Ana deletes the message: Ben's viewer closes, the focus goes to the deleted message.
    await mine.hover();
    await mine.locator(".msg__action[data-action=delete]").click();
    await ana.page.locator("#confirm-dialog button", { hasText: "Delete" }).click();
    await ben.page.locator("#image-viewer").waitFor({ state: "hidden" });
    expect(await viewerState(ben.page)).toMatchObject({ open: false });
    await ben.page.locator("#live-region p", { hasText: "hills.png was removed." }).waitFor();
    expect(await ben.page.evaluate(() => document.activeElement?.closest("li.msg")?.querySelector(".msg__text")?.textContent)).toBe("message deleted");
    expect(problems.list).toEqual([]);
  });
});
