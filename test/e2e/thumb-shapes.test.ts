// Thumbnails of extreme shapes (review, 2026-12-08): Ana sent a 4000 × 40 panorama and a 30 × 3000 strip; fitted in
// 320 px each became a line 3 px thick in the conversation, which Chen could hardly see and not tap on his phone.
// A thumbnail is now at least 48 px each way (the middle of the image, cropped), its box reserved before it loads
// and kept once it has, and a tap on it opens the viewer.
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { join, sentMessage } from "./helpers/browser.js";
import { pasteFiles, pngOf } from "./helpers/files.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

/** Each thumbnail's drawn box, and whether its image has loaded. */
const boxes = (message: Locator) =>
  message.locator("img.file-thumb__img").evaluateAll((imgs) =>
    (imgs as HTMLImageElement[]).map((i) => ({ alt: i.alt, w: Math.round(i.getBoundingClientRect().width), h: Math.round(i.getBoundingClientRect().height), loaded: i.complete && i.naturalWidth > 0 })),
  );

describe("thumbnails of a panorama and a strip", () => {
  it("are at least 48 px each way on a desktop, can be seen and tapped on a phone, and keep their box once loaded", async () => {
    const { problems, person } = world(suite);
    const [ana, chen] = await Promise.all([person("ana"), person("chen", PHONE)]);
    await join(ana.page, suite.server.url, "Ana", "thumb-shapes");
    await join(chen.page, suite.server.url, "Chen", "thumb-shapes");
    await pasteFiles(ana.page, [
      { name: "panorama.png", type: "image/png", bytes: await pngOf(4000, 40, "#e76f51") },
      { name: "strip.png", type: "image/png", bytes: await pngOf(30, 3000, "#2a9d8f") },
    ]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.fill("#message-content", "odd shapes");
    await ana.page.press("#message-content", "Enter");

    const mine = sentMessage(ana.page, "odd shapes");
    await mine.locator("img.file-thumb__img").nth(1).waitFor();
    await ana.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));
    expect(await boxes(mine)).toEqual([
      { alt: "panorama.png", w: 320, h: 48, loaded: true },
      { alt: "strip.png", w: 48, h: 320, loaded: true },
    ]);

    // On the phone the panorama is as wide as the bubble allows, in the same proportions; both are big enough to tap.
    const his = sentMessage(chen.page, "odd shapes");
    await his.locator("img.file-thumb__img").nth(1).waitFor();
    await chen.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));
    for (const b of await boxes(his)) expect(Math.min(b.w, b.h)).toBeGreaterThanOrEqual(36);
    await his.locator(".file-thumb__open").nth(1).tap();
    await chen.page.locator("#image-viewer").waitFor({ state: "visible" });
    expect(await chen.page.locator("#viewer-title").textContent()).toBe("strip.png");
    expect(problems.list).toEqual([]);
  });
});
