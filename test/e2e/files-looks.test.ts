// How files look and read (issue 18): axe-core finds nothing serious in the composer with its chips (uploading,
// uploaded, refused), the message list with a thumbnail, an animation and a document, the editor's file list and
// the viewer, light and dark; a 360 px phone scrolls nowhere sideways; and the docs' screenshots, taken from a
// real conversation (docs/ only with UPDATE_SCREENSHOTS=1).
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { CDPSession, Page } from "playwright-core";
import { blockingFindings } from "./helpers/axe.js";
import { join, sentMessage, waitForPresence } from "./helpers/browser.js";
import { animatedGif, chip, dropFiles, holdUploads, landscapeJpeg, pasteFiles, pdfBytes, pickFiles, pngOf, type TestFile } from "./helpers/files.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { browserSuite, world } from "./helpers/suite.js";

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const suite = browserSuite({ env: { MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
const SHOTS_DIR = screenshotDir();
const SHOT = (name: string) => joinPath(SHOTS_DIR, name);

const jpeg = async (name: string): Promise<TestFile> => ({ name, type: "image/jpeg", bytes: await landscapeJpeg() });
const gif = async (name: string): Promise<TestFile> => ({ name, type: "image/gif", bytes: await animatedGif() });
const pdf = (name: string, padTo = 0): TestFile => {
  const bytes = pdfBytes();
  return { name, type: "application/pdf", bytes: padTo > bytes.length ? Buffer.concat([bytes, Buffer.alloc(padTo - bytes.length, 0x20)]) : bytes };
};

/** Sends what is in the tray with `caption`, once every chip says Remove (uploaded). */
async function sendFiles(page: Page, caption: string, count: number): Promise<void> {
  await page.locator("#upload-list button", { hasText: "Remove" }).nth(count - 1).waitFor();
  await page.fill("#message-content", caption);
  await page.press("#message-content", "Enter");
  await sentMessage(page, caption).waitFor();
}

/** Slows this page's uploads to `bytesPerSecond`, so one can be seen on its way. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return cdp;
}

describe("files: looks and accessibility", () => {
  it("has no serious or critical axe findings: the chips, files in messages, the editor's files, the viewer (light and dark)", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana", { bypassCSP: true }), person("ben", { bypassCSP: true })]);
    await join(ana.page, suite.server.url, "Ana", "files-axe");
    await join(ben.page, suite.server.url, "Ben", "files-axe");
    await waitForPresence(ben.page, ["Ana", "Ben"]);

    await pickFiles(ben.page, [await jpeg("ridge.jpg"), await gif("wave.gif"), pdf("map.pdf")]);
    await sendFiles(ben.page, "From the ridge", 3);
    await sentMessage(ana.page, "From the ridge").waitFor();

    // Ana's composer: one file uploaded, one on its way (held), one refused here (too big).
    await pasteFiles(ana.page, [{ name: "screenshot.png", type: "image/png", bytes: await pngOf(400, 300, "#5b8def") }]);
    await chip(ana.page, "screenshot.png").locator("button", { hasText: "Remove" }).waitFor();
    const held = await holdUploads(ana.page);
    await dropFiles(ana.page, [pdf("notes.pdf")]);
    const route = await held.next();
    await pickFiles(ana.page, [{ name: "video.bin", type: "application/octet-stream", bytes: Buffer.alloc(MAX_FILE_BYTES + 1) }]);
    await chip(ana.page, "video.bin").locator(".upload__status", { hasText: "larger than" }).waitFor();
    await chip(ana.page, "notes.pdf").locator("progress").waitFor();
    const found = await blockingFindings(ana.page, "composer with chips and files in messages");
    await held.release(route);
    await held.stop();

    // Ben edits his message: the editor lists its files, each with Remove.
    const his = sentMessage(ben.page, "From the ridge");
    await his.hover();
    await his.locator(".msg__action[data-action=edit]").click();
    await his.locator(".msg__file-remove").first().waitFor();
    found.push(...(await blockingFindings(ben.page, "editor with files")));
    await ben.page.keyboard.press("Escape");

    // The viewer, opened from Ana's copy.
    await sentMessage(ana.page, "From the ridge").locator(".file-thumb__open").first().click();
    await ana.page.locator("#image-viewer").waitFor({ state: "visible" });
    found.push(...(await blockingFindings(ana.page, "viewer")));
    await ana.page.keyboard.press("Escape");

    // Search results with a file name.
    await ana.page.fill("#search-input", "map");
    await ana.page.press("#search-input", "Enter");
    await ana.page.locator("#search-results .search-hit__files", { hasText: "map.pdf" }).waitFor();
    found.push(...(await blockingFindings(ana.page, "search with files")));

    expect(found).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("fits a 360 px phone: chips, thumbnails, document cards and the viewer scroll nowhere sideways", async () => {
    const { problems, person } = world(suite);
    const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const [ana, ben] = await Promise.all([person("ana", phone), person("ben")]);
    await join(ben.page, suite.server.url, "Ben", "files-phone");
    await join(ana.page, suite.server.url, "Ana", "files-phone");
    await waitForPresence(ben.page, ["Ana", "Ben"]);
    await pickFiles(ben.page, [await jpeg("a-photo-with-a-rather-long-name-from-the-camera-roll-2026-12-05.jpg"), pdf(`${"minutes-of-the-meeting-".repeat(4)}final.pdf`)]);
    await sendFiles(ben.page, "Photo and minutes", 2);
    await sentMessage(ana.page, "Photo and minutes").waitFor();
    await pickFiles(ana.page, [pdf(`${"a-very-long-file-name-".repeat(5)}.pdf`), await gif("wave.gif")]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();

    const widths = () =>
      ana.page.evaluate(() => {
        const list = document.getElementById("message-list") as HTMLElement;
        return { doc: document.documentElement.scrollWidth, list: list.scrollWidth, listClient: list.clientWidth, width: window.innerWidth };
      });
    const sizes = await widths();
    expect(sizes.doc).toBeLessThanOrEqual(sizes.width);
    expect(sizes.list).toBeLessThanOrEqual(sizes.listClient);
    const thumb = sentMessage(ana.page, "Photo and minutes").locator("img.file-thumb__img");
    const box = await thumb.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(360);
    expect(box && Math.abs(box.width / box.height - 1.5)).toBeLessThan(0.02); // narrowed, not squashed
    const buttons = await ana.page.locator("#attach-button, #send-button, #upload-list button").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    for (const right of buttons) expect(right).toBeLessThanOrEqual(360);

    await thumb.click();
    await ana.page.locator("#image-viewer").waitFor({ state: "visible" });
    expect((await widths()).doc).toBeLessThanOrEqual(360);
    const viewer = await ana.page.locator("#image-viewer").boundingBox();
    expect(viewer && viewer.x + viewer.width).toBeLessThanOrEqual(360);
    await ana.page.click("#viewer-close");
    expect(problems.list).toEqual([]);
  });

  it("takes the docs' screenshots: a conversation with a photo, an animation and a document, two chips (one uploading), and the viewer", async () => {
    const { problems, person } = world(suite);
    const room = "weekend-hike";
    const [ana, ben, cleo] = await Promise.all([person("ana", { viewport: { width: 1000, height: 1040 }, deviceScaleFactor: 1 }), person("ben"), person("cleo")]);
    await join(ben.page, suite.server.url, "Ben", room);
    await join(cleo.page, suite.server.url, "Cleo", room);
    await join(ana.page, suite.server.url, "Ana", room);
    await waitForPresence(ana.page, ["Ana", "Ben", "Cleo"]);

    await pickFiles(ben.page, [await jpeg("ridge-view.jpg")]);
    await sendFiles(ben.page, "The view from the ridge this morning", 1);
    await pickFiles(cleo.page, [await gif("summit-dance.gif")]);
    await sendFiles(cleo.page, "Us at the top", 1);
    await pickFiles(ben.page, [pdf("trail-map-north-loop.pdf", 184_320)]);
    await sendFiles(ben.page, "And the map for next time", 1);
    const last = sentMessage(ana.page, "And the map for next time");
    await last.waitFor();
    await ana.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));

    // Ana attaches two: a photo (uploaded) and a bigger file still on its way, slowed so it shows its progress.
    await pickFiles(ana.page, [{ name: "group-photo.png", type: "image/png", bytes: await pngOf(900, 600, "#7aa6c2") }]);
    await chip(ana.page, "group-photo.png").locator("button", { hasText: "Remove" }).waitFor();
    await ana.page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>("#upload-list img.upload__icon");
      return i !== null && i.complete && i.naturalWidth > 0;
    });
    const cdp = await throttleUploads(ana.page, 40 * 1024);
    await pickFiles(ana.page, [pdf("packing-list.pdf", 400 * 1024)]);
    await ana.page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>("#upload-list progress");
      return bar !== null && bar.value >= 30 && bar.value <= 80;
    }, undefined, { timeout: 20_000 });
    await ana.page.fill("#message-content", "Mine are coming");
    await ana.page.locator("#message-content").blur();
    await ana.page.mouse.move(0, 0);
    await ana.page.screenshot({ path: SHOT("screenshot-files.png") });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    await sentMessage(ana.page, "The view from the ridge this morning").locator(".file-thumb__open").click();
    await ana.page.locator("#image-viewer").waitFor({ state: "visible" });
    await ana.page.waitForFunction(() => {
      const i = document.getElementById("viewer-image") as HTMLImageElement;
      return i.complete && i.naturalWidth > 0;
    });
    await ana.page.mouse.move(0, 0);
    await ana.page.screenshot({ path: SHOT("screenshot-viewer.png") });
    await ana.page.keyboard.press("Escape");
    console.log(`screenshots written to ${SHOTS_DIR}${process.env.UPDATE_SCREENSHOTS === "1" ? "" : " (UPDATE_SCREENSHOTS=1 writes docs/)"}`);
    expect(problems.list).toEqual([]);
  });
});
