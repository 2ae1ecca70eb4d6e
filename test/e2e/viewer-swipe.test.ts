// The image viewer on a phone (review, 2026-12-08): Chen opened the first of Ana's two photos on a 360 px phone and
// swiped it aside, as every phone's photo viewer moves, and nothing happened; only the small ‹ › buttons moved.
// A sideways swipe now moves (to the left: the next image), while a finger dragged up or down, or too short a
// swipe, moves nothing.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, sentMessage } from "./helpers/browser.js";
import { pasteFiles, pngOf } from "./helpers/files.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

/** One finger from `from` to `to` over the viewer's image, with Chromium's own touch events (CDP), in steps. */
async function swipe(page: Page, from: { dx: number; dy: number }, to: { dx: number; dy: number }): Promise<void> {
  const box = await page.locator("#viewer-image").boundingBox();
  if (!box) throw new Error("no image in the viewer");
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const at = (f: number) => ({ x: centre.x + from.dx + (to.dx - from.dx) * f, y: centre.y + from.dy + (to.dy - from.dy) * f });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(0)] });
  for (const f of [0.25, 0.5, 0.75, 1]) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(f)] });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

const shownName = (page: Page) => page.locator("#viewer-title").textContent();

describe("the image viewer on a phone", () => {
  it("a swipe to the left shows the next image and one to the right the previous; a drag up or a short one does not move", async () => {
    const { problems, person } = world(suite);
    const [ana, chen] = await Promise.all([person("ana"), person("chen", PHONE)]);
    await join(ana.page, suite.server.url, "Ana", "viewer-swipe");
    await join(chen.page, suite.server.url, "Chen", "viewer-swipe");
    await pasteFiles(ana.page, [
      { name: "first.png", type: "image/png", bytes: await pngOf(400, 300, "#264653") },
      { name: "second.png", type: "image/png", bytes: await pngOf(400, 300, "#f4a261") },
    ]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.fill("#message-content", "swipe through these");
    await ana.page.press("#message-content", "Enter");
    const msg = sentMessage(chen.page, "swipe through these");
    await msg.locator(".file-thumb__open").nth(1).waitFor();
    await msg.locator(".file-thumb__open").first().tap();
    await chen.page.locator("#image-viewer").waitFor({ state: "visible" });
    expect(await shownName(chen.page)).toBe("first.png");

    await swipe(chen.page, { dx: 0, dy: -20 }, { dx: 0, dy: 100 }); // a drag down
    await swipe(chen.page, { dx: 10, dy: 0 }, { dx: -20, dy: 0 }); // 30 px: too short
    expect(await shownName(chen.page)).toBe("first.png");
    await swipe(chen.page, { dx: 60, dy: 0 }, { dx: -60, dy: 10 });
    expect(await shownName(chen.page)).toBe("second.png");
    expect(await chen.page.locator("#viewer-count").textContent()).toBe("2 of 2");
    await swipe(chen.page, { dx: -60, dy: 0 }, { dx: 60, dy: -10 });
    expect(await shownName(chen.page)).toBe("first.png");
    expect(await chen.page.locator("#image-viewer").evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
