// The reaction picker opens with the focus on its first emoji, and a keyboard user who then types a name ("rocket")
// means a search: the letters go to the search box and its first hit is one Enter away. Before, keys other than
// the arrows, Home, End and Enter did nothing on an emoji, so the typed name was lost without a sign.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { send, sentMessage } from "./helpers/browser.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const suite = browserSuite();

const focused = (page: Page) => page.evaluate(() => ({ id: document.activeElement?.id ?? "", emoji: (document.activeElement as HTMLElement | null)?.dataset.emoji ?? "" }));

describe("typing in the reaction picker", () => {
  it("sends letters typed on an emoji to the search box, where Enter picks the first hit; Space still picks the emoji", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "picker-typing");
    await send(ana.page, "Launch day");
    const onBen = sentMessage(ben.page, "Launch day");
    await onBen.waitFor();

    await onBen.locator(".msg__action[data-action=react]").focus();
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await expect.poll(async () => (await focused(ben.page)).emoji).toBe("👍");

    await ben.page.keyboard.type("rocket");
    expect((await focused(ben.page)).id).toBe("picker-search");
    expect(await ben.page.inputValue("#picker-search")).toBe("rocket");
    await ben.page.locator('#picker-all button[data-emoji="🚀"]').waitFor();
    await ben.page.keyboard.press("Enter");
    await onBen.locator('button.reaction[data-emoji="🚀"]').waitFor();

    // Space on an emoji is the button's own key: it picks, it does not search.
    await onBen.locator(".msg__action[data-action=react]").focus();
    await ben.page.keyboard.press("Enter");
    await expect.poll(async () => (await focused(ben.page)).emoji).toBe("👍");
    await ben.page.keyboard.press("Space");
    await onBen.locator('button.reaction[data-emoji="👍"]').waitFor();
    expect(await ben.page.inputValue("#picker-search")).toBe("");
    expect(problems.list).toEqual([]);
  });
});
