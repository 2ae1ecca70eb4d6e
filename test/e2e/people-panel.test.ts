// The people panel on a phone, where it lies over the messages. Found walking through the page as a new user at
// 375 px: "Message <name> privately" in the panel opened the conversation, and the panel stayed open over it,
// now listing the conversation's two people, until closed by hand.
import { describe, expect, it } from "vitest";
import { join, roomAction, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const PHONE = { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true };

describe("the people panel on a phone", () => {
  it("closes when a conversation opened from it takes the screen", async () => {
    const { problems, person } = world(suite);
    const [wes, xia] = await Promise.all([person("wes", PHONE), person("xia")]);
    await join(xia.page, suite.server.url, "Xia", "people-panel");
    await join(wes.page, suite.server.url, "Wes", "people-panel");
    await waitForPresence(wes.page, ["Wes", "Xia"]);

    await (await roomAction(wes.page, "#presence-toggle")).tap();
    await wes.page.locator("#presence-list").waitFor({ state: "visible" });
    await wes.page.locator("#presence-list li", { hasText: "Xia" }).getByRole("button", { name: /privately/ }).tap();
    await waitInRoom(wes.page, "Xia");

    expect(await wes.page.locator("#presence").isVisible()).toBe(false);
    expect(await wes.page.getAttribute("#presence-toggle", "aria-expanded")).toBe("false");
    expect(problems.list).toEqual([]);
  });

  it("stays open while the room on screen stays the same", async () => {
    const { problems, person } = world(suite);
    const [wes, xia] = await Promise.all([person("wes", PHONE), person("xia")]);
    await join(wes.page, suite.server.url, "Wes", "people-stays");
    await (await roomAction(wes.page, "#presence-toggle")).tap();
    await wes.page.locator("#presence-list").waitFor({ state: "visible" });

    await join(xia.page, suite.server.url, "Xia", "people-stays");
    await waitForPresence(wes.page, ["Wes", "Xia"]);

    expect(await wes.page.locator("#presence").isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
