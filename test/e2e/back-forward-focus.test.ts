// Back and Forward by keyboard: going Back from a room to the join form hid the room with the focus in it, so the
// focus fell to the page's body and the next Tab started again at the top of the page. The form now takes the
// focus where typing is needed (the room, once the name is filled in), as "+ Join" and a fresh home page do; and
// Forward into the room puts it back in the message box.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

describe("the focus on Back and Forward", () => {
  it("lands in the join form on Back from a room, and in the message box on Forward", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "history-focus");
    expect(await focusedId(ana.page)).toBe("message-content");

    await ana.page.goBack();
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(new URL(ana.page.url()).pathname).toBe("/");
    expect(await focusedId(ana.page)).toBe("room-name");

    await ana.page.goForward();
    await waitInRoom(ana.page, "history-focus");
    expect(await focusedId(ana.page)).toBe("message-content");
    expect(problems.list).toEqual([]);
  });

  it("does the same on a phone, where the join form has the screen", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await join(ana.page, suite.server.url, "Ana", "history-focus-phone");
    await ana.page.goBack();
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(await focusedId(ana.page)).toBe("room-name");
    expect(problems.list).toEqual([]);
  });
});
