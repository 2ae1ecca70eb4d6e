// The upload tray on a phone shows a chip and a half and scrolls: a refused file (too big here, or an executable the
// server turned away) could sit below the fold, and stay there after sending, unseen. Now the tray scrolls to a
// chip when it is refused, and a line above the chips, outside their scroll, counts the files not added.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { join, sentMessage } from "./helpers/browser.js";
import { chip, pickFiles, type TestFile } from "./helpers/files.js";
import { browserSuite, world } from "./helpers/suite.js";

const MAX_FILE_BYTES = 50_000;
const suite = browserSuite({ env: { MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });

const text = (name: string): TestFile => ({ name, type: "text/plain", bytes: Buffer.from(`${name}\n`) });
const tooBig: TestFile = { name: "huge.bin", type: "application/octet-stream", bytes: Buffer.alloc(MAX_FILE_BYTES + 1, 7) };
// An executable by its bytes: refused by the server (415), after the upload, not at once.
const elf: TestFile = { name: "tool", type: "application/octet-stream", bytes: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120)]) };

/** Whether the chip lies wholly inside the part of the tray's list on screen. */
function isInTrayView(target: Locator): Promise<boolean> {
  return target.evaluate((li) => {
    const list = li.closest("#upload-list");
    if (!list) return false;
    const box = li.getBoundingClientRect();
    const view = list.getBoundingClientRect();
    return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
  });
}

const scrollTrayToTop = (page: Page) => page.locator("#upload-list").evaluate((list) => list.scrollTo({ top: 0 }));

describe("the upload tray on a phone", () => {
  it("brings a refused file into view and keeps a count of the files not added in sight, also after sending", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = ana.page;
    await join(page, suite.server.url, "Ana", "tray-phone");

    // Refused at once, third in the tray: below the fold of a tray that shows a chip and a half.
    await pickFiles(page, [text("a.txt"), text("b.txt"), tooBig]);
    await chip(page, "huge.bin").locator(".upload__status", { hasText: "larger than" }).waitFor();
    for (const name of ["a.txt", "b.txt"]) await chip(page, name).locator("button", { hasText: "Remove" }).waitFor();
    expect(await page.locator("#upload-list").evaluate((list) => list.scrollHeight > list.clientHeight)).toBe(true);
    expect(await isInTrayView(chip(page, "huge.bin"))).toBe(true);
    expect(await page.locator("#upload-failed").textContent()).toBe("1 file not added");
    expect(await page.locator("#upload-failed").isVisible()).toBe(true);
    expect(await page.locator("#live-region").textContent()).toContain("huge.bin: This file is larger than");

    // Refused by the server, later: the tray scrolls to it when the answer comes.
    await scrollTrayToTop(page);
    await pickFiles(page, [elf]);
    await chip(page, "tool").locator(".upload__status", { hasText: "cannot be shared here" }).waitFor();
    await page.locator("#upload-failed", { hasText: "2 files not added" }).waitFor();
    expect(await isInTrayView(chip(page, "tool"))).toBe(true);

    // Sent: the uploaded files go, the refused ones stay, and so does their count, above them.
    await page.fill("#message-content", "the notes");
    await page.press("#message-content", "Enter");
    await sentMessage(page, "the notes").waitFor();
    await page.locator("#upload-list li", { hasText: "a.txt" }).waitFor({ state: "detached" });
    expect(await page.locator("#upload-list .upload__name").allTextContents()).toEqual(["huge.bin", "tool"]);
    expect(await page.locator("#upload-failed").isVisible()).toBe(true);
    expect(await page.locator("#upload-failed").textContent()).toBe("2 files not added");

    // Removed: the count follows, and goes with the last one.
    await chip(page, "huge.bin").locator("button", { hasText: "Remove" }).click();
    expect(await page.locator("#upload-failed").textContent()).toBe("1 file not added");
    await chip(page, "tool").locator("button", { hasText: "Remove" }).click();
    await page.locator("#upload-tray").waitFor({ state: "hidden" });
    expect(problems.list.filter((p) => !(p.includes("status of 415") && p.includes("/api/uploads")))).toEqual([]);
  });

  it("keeps the first of several files refused at once in view, and announces how many were not added", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = ana.page;
    await join(page, suite.server.url, "Ana", "tray-phone-several");

    // One pick: the too-big file is refused at once, second in the tray; the executable, last, by the server later.
    // The tray shows a chip and a half, so the two cannot both be in view: the first stays there (the count line
    // says there are more), rather than the tray jumping to the last answer and hiding the first refusal.
    await pickFiles(page, [text("a.txt"), tooBig, text("b.txt"), text("c.txt"), elf]);
    await chip(page, "huge.bin").locator(".upload__status", { hasText: "larger than" }).waitFor();
    await chip(page, "tool").locator(".upload__status", { hasText: "cannot be shared here" }).waitFor();
    for (const name of ["a.txt", "b.txt", "c.txt"]) await chip(page, name).locator("button", { hasText: "Remove" }).waitFor();

    expect(await isInTrayView(chip(page, "huge.bin"))).toBe(true);
    expect(await page.locator("#upload-failed").textContent()).toBe("2 files not added");
    expect(await page.locator("#upload-failed").isVisible()).toBe(true);
    expect(await page.locator("#live-region p").allTextContents()).toContain("2 files not added.");
    expect(problems.list.filter((p) => !(p.includes("status of 415") && p.includes("/api/uploads")))).toEqual([]);
  });
});
