// The inline editor on a phone: a touch keyboard has no Escape and the hint naming the keys is hidden under
// 768 px, so the editor carries Cancel and Save of its own (found by the third walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { join, send, sentMessage } from "./helpers/browser.js";
import { showActions } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true };

describe("the inline editor's buttons", () => {
  it("cancels an edit with Cancel and saves one with Save on a touch phone", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", PHONE);
    await join(page, suite.server.url, "Ana", "edit-buttons");
    await send(page, "typo herre");
    const mine = sentMessage(page, "typo herre");
    const editor = mine.locator(".msg__editor");

    await showActions(mine);
    await mine.getByRole("button", { name: "Edit", exact: true }).tap();
    await editor.locator("textarea").fill("something else");
    await editor.getByRole("button", { name: "Cancel" }).tap();
    await editor.waitFor({ state: "detached" });
    expect(await mine.locator(".msg__text").textContent()).toBe("typo herre");
    expect(await mine.locator(".msg__edited").count()).toBe(0);

    await showActions(mine);
    await mine.getByRole("button", { name: "Edit", exact: true }).tap();
    await editor.locator("textarea").fill("typo here");
    await editor.getByRole("button", { name: "Save" }).tap();
    const edited = sentMessage(page, "typo here");
    await edited.locator(".msg__edited").waitFor();
    expect(await edited.locator(".msg__editor").count()).toBe(0);
    expect(problems.list).toEqual([]);
  });
});
