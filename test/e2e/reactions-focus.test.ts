// The keyboard's place when a reaction it is on goes away. Found walking through the page as a new user: Enter
// on one's own reaction, the only one of its emoji, takes it back and its button goes; the focus went with it, to
// the top of the page, so a keyboard user had to Tab back from the start.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { send, sentMessage } from "./helpers/browser.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });

const reaction = (msg: Locator, emoji: string) => msg.locator(`button.reaction[data-emoji="${emoji}"]`);

async function react(page: Page, msg: Locator, emoji: string): Promise<void> {
  await msg.hover();
  await msg.locator(".msg__action[data-action=react]").click();
  await page.locator(`#picker-frequent button[data-emoji="${emoji}"]`).click();
  await page.locator("#reaction-picker").waitFor({ state: "hidden" });
  await reaction(msg, emoji).waitFor();
}

/** What has the focus: a reaction's emoji, a message action's name, or the element's tag. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!(el instanceof HTMLElement)) return "nothing";
    return el.dataset.emoji ?? (el.dataset.action ? `action:${el.dataset.action}` : el.tagName);
  });
}

describe("the focus on a reaction that goes away", () => {
  it("moves to the next reaction, then to Add reaction, when the keyboard takes one's reactions back", async () => {
    const { problems, ana } = await twoPeople(suite, "react-focus");
    await send(ana.page, "Cake or pie?");
    const msg = sentMessage(ana.page, "Cake or pie?");
    await react(ana.page, msg, "👍");
    await react(ana.page, msg, "🎉");

    await reaction(msg, "👍").focus();
    await ana.page.keyboard.press("Enter");
    await reaction(msg, "👍").waitFor({ state: "detached" });
    expect(await focused(ana.page)).toBe("🎉");

    await ana.page.keyboard.press("Enter");
    await reaction(msg, "🎉").waitFor({ state: "detached" });
    expect(await focused(ana.page)).toBe("action:react");
    expect(problems.list).toEqual([]);
  });

  it("stays in the message when someone else takes back the reaction the keyboard is on", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "react-focus-other");
    await send(ana.page, "Tea?");
    const onBen = sentMessage(ben.page, "Tea?");
    const onAna = sentMessage(ana.page, "Tea?");
    await onBen.waitFor();
    await react(ben.page, onBen, "👀");
    await reaction(onAna, "👀").waitFor();

    await reaction(onAna, "👀").focus();
    await reaction(onBen, "👀").click();
    await reaction(onAna, "👀").waitFor({ state: "detached" });
    expect(await focused(ana.page)).toBe("action:react");
    expect(problems.list).toEqual([]);
  });
});
