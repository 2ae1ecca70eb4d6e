// On a touch screen a tap on a message shows its actions (message-tap.js), but a tap on a part of it that does a
// thing of its own does that thing and selects nothing: a link opens, an image opens the viewer, a reaction chip
// adds the reader's reaction, a reply's quote shows the original, and a mention (which does nothing) is no way to
// select the message either.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { join, sentMessage } from "./helpers/browser.js";
import { pasteFiles, pngOf } from "./helpers/files.js";
import { SELECTED_MESSAGE, showActions } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });
const PHONE = { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true };

/**
 * Taps `part` and answers the text of the message selected once every click listener of the page has run (a
 * listener on the window hears the click after the document's, where message-tap.js listens), or null.
 */
async function selectedAfterTap(page: Page, part: Locator): Promise<string | null> {
  // Wrapped: evaluateHandle would wait for a promise returned bare.
  const after = await page.evaluateHandle((selector) => ({
    selected: new Promise<string | null>((resolve) => {
      window.addEventListener("click", () => resolve(document.querySelector(selector)?.querySelector(".msg__text")?.textContent ?? null), { once: true });
    }),
  }), SELECTED_MESSAGE);
  await part.tap();
  return after.evaluate((a) => a.selected);
}

describe("a tap on a part of a message that does its own thing, on a touch screen", () => {
  it("opens the link, the image, the reaction, the quote's original or nothing (a mention), and never selects the message", async () => {
    const { problems, person } = world(suite);
    const room = "tap-parts";
    const [trail] = await suite.server.seed(room, [{ sender: "Ben", content: "Trail map at https://example.org/trails" }]);
    if (!trail) throw new Error("seeding failed");
    const { context, page } = await person("ana", PHONE);
    // The link's page, answered here: the machine has no network.
    await context.route("https://example.org/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>Trails</title>" }));
    await join(page, suite.server.url, "Ana", room);

    const ben = await suite.server.joined(room, "Ben", { session: suite.server.newSession() });
    expect(await ben.timeout(5000).emitWithAck("react", { room, id: trail.id, emoji: "👍", on: true })).toMatchObject({ ok: true });
    expect(await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content: "That one, yes", replyTo: trail.id })).toMatchObject({ ok: true });
    expect(await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content: "@Ana are you coming?" })).toMatchObject({ ok: true });
    await pasteFiles(page, [{ name: "route.png", type: "image/png", bytes: await pngOf(320, 160, "#2a9d8f") }]);
    await page.locator("#upload-list button", { hasText: "Remove" }).waitFor();
    await page.fill("#message-content", "Our route");
    await page.press("#message-content", "Enter");

    const trailMsg = sentMessage(page, "Trail map at https://example.org/trails");
    const reply = sentMessage(page, "That one, yes");
    const mention = sentMessage(page, "@Ana are you coming?").locator(".mention");
    const photo = sentMessage(page, "Our route");
    await photo.locator("img.file-thumb__img").waitFor();
    await mention.waitFor();
    expect(await page.locator(SELECTED_MESSAGE).count()).toBe(0);

    // A link opens its page.
    const opened = context.waitForEvent("page");
    expect(await selectedAfterTap(page, trailMsg.locator(".msg__text a"))).toBeNull();
    const linkPage = await opened;
    await linkPage.waitForURL("https://example.org/trails");
    await linkPage.close();

    // A reaction chip adds the reader's reaction to it.
    const thumb = trailMsg.locator('button.reaction[data-emoji="👍"]');
    expect(await selectedAfterTap(page, thumb)).toBeNull();
    await trailMsg.locator('button.reaction[data-emoji="👍"][aria-pressed="true"]').waitFor();

    // A reply's quote shows the original, flashed.
    expect(await selectedAfterTap(page, reply.locator("button.msg__quote"))).toBeNull();
    await trailMsg.and(page.locator(".msg--flash")).waitFor();

    // A mention is text that does nothing on a tap: still no way to select its message.
    expect(await selectedAfterTap(page, mention)).toBeNull();

    // An image opens the viewer.
    expect(await selectedAfterTap(page, photo.locator("img.file-thumb__img"))).toBeNull();
    await page.locator("#image-viewer").waitFor({ state: "visible" });
    await page.locator("#viewer-close").tap();
    await page.locator("#image-viewer").waitFor({ state: "hidden" });

    // The same messages tapped on their plain text are selected: the taps above were on their parts alone.
    await showActions(reply);
    expect(await page.locator(SELECTED_MESSAGE).count()).toBe(1);
    expect(problems.list).toEqual([]);
  });
});
