// Alt+↑ / Alt+↓ behind a modal dialog (review, 2026-12-08): Ana opened the reaction picker on a message of
// room-a, pressed Alt+↑, and room-b came on screen behind the still open picker; her pick then reacted to a message
// no longer shown and the focus fell to the page's body. The same with a delete's confirm dialog. While a modal
// dialog is open, the room keys now do nothing; once it is closed they move again.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, joinAnotherRoom, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const roomOnScreen = (page: Page) => page.locator("#room-title-name").textContent();

describe("the room keys behind a modal dialog", () => {
  it("Alt+↑ does not switch rooms under the reaction picker or the delete dialog, and does once they are closed", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "keys-b");
    await joinAnotherRoom(ana.page, "keys-a");
    await send(ana.page, "react here");
    const mine = sentMessage(ana.page, "react here");

    await mine.hover();
    await mine.locator(".msg__action[data-action=react]").click();
    await ana.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await ana.page.keyboard.press("Alt+ArrowUp"); // on 👍, the top row: the picker itself moves nowhere
    expect(await roomOnScreen(ana.page)).toBe("keys-a");
    await ana.page.keyboard.press("Enter"); // 👍, on the message the picker was opened for
    await ana.page.locator("#reaction-picker").waitFor({ state: "hidden" });
    await mine.locator('button.reaction[aria-pressed="true"]').waitFor();
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe("react");

    await mine.locator(".msg__action[data-action=delete]").focus();
    await ana.page.keyboard.press("Enter");
    await ana.page.locator("#confirm-dialog").waitFor({ state: "visible" });
    await ana.page.keyboard.press("Alt+ArrowUp");
    expect(await roomOnScreen(ana.page)).toBe("keys-a");
    await ana.page.keyboard.press("Escape");
    await ana.page.locator("#confirm-dialog").waitFor({ state: "hidden" });

    await ana.page.keyboard.press("Alt+ArrowUp");
    await ana.page.waitForFunction(() => document.getElementById("room-title-name")?.textContent === "keys-b");
    expect(problems.list).toEqual([]);
  });
});
