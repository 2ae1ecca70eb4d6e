// On a phone the room bar's Make private / Make public button was an icon alone (its words for screen readers); it
// now sits in the room actions beside its words, and its icon still tells the two apart. Both showed the same
// closed lock, so a moderator could not tell by sight which one the button would do. Make public shows an open lock.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, roomAction } from "./helpers/browser.js";
import { PRIVATE_PATH } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

/** The button's picture, focus ring and hover aside. */
async function iconPicture(page: Page): Promise<Buffer> {
  await page.locator("#message-content").focus();
  return page.locator("#privacy-button svg:visible").screenshot({ animations: "disabled" });
}

describe("the Make private / Make public icon on a phone", () => {
  it("shows a lock to make the room private and a different icon to make it public", async () => {
    const { problems, person } = world(suite);
    const mod = await person("mod", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await signInAsModerator(mod.page, suite.server.url);
    await join(mod.page, suite.server.url, "Mod", "icon-lobby");
    await roomAction(mod.page, "#privacy-button");
    const button = mod.page.getByRole("button", { name: "Make private" });
    await button.waitFor();
    const toPrivate = await iconPicture(mod.page);

    await button.click();
    await mod.page.locator("#confirm-ok").click();
    await mod.page.waitForURL((url) => PRIVATE_PATH.test(url.pathname));
    await roomAction(mod.page, "#privacy-button");
    await mod.page.getByRole("button", { name: "Make public" }).waitFor();
    const toPublic = await iconPicture(mod.page);

    expect(toPublic.equals(toPrivate)).toBe(false);
    expect(problems.list).toEqual([]);
  });
});
