// A room reopened without a network (the service worker's copy of the page) has not heard who is in it: the people
// list is empty, and its count said "In this room 0" (a phone's People button "0"), though the reader is in the room.
// The count now shows nothing until the server has said who is there, and the right number once it has; and the
// "Not connected: who was here last" hint, which spoke of a list that was not there, shows only over people listed.
import { describe, expect, it } from "vitest";
import { join, sentMessage } from "./helpers/browser.js";
import { cachedTexts, controlled } from "./helpers/pwa.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("the people count offline", () => {
  it("shows no count and no last-known hint in a room reopened offline, and the real count when the network is back", async () => {
    const { problems, person } = world(suite);
    const room = "offline-people";
    const ana = await person("ana");
    const page = ana.page;
    await controlled(page, `${suite.server.url}/`);
    await join(page, suite.server.url, "Ana", room);
    const ben = await suite.server.joined(room, "Ben");
    const res = await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content: "Anyone here?" });
    if (!res.ok) throw new Error(res.error.message);
    await sentMessage(page, "Anyone here?").waitFor();
    await page.locator("#presence-count", { hasText: "2" }).waitFor();
    await expect.poll(() => cachedTexts(page, room)).toEqual(["Anyone here?"]);

    problems.allowNetworkErrors = true; // Socket.IO's attempts fail while offline, as they should
    await ana.context.setOffline(true);
    await page.reload();
    await page.locator("#offline-banner").waitFor({ state: "visible" });
    await page.locator("#offline-messages li").first().waitFor();
    expect(await page.locator("#presence-count").isVisible()).toBe(false);
    expect(await page.locator("#presence-count").textContent()).toBe("");
    expect(await page.locator("#presence-toggle-count").textContent()).toBe("");
    // Nobody listed: no "who was here last" hint over an empty list, only the panel as it is with nobody in it.
    expect(await page.locator("#presence-list li").count()).toBe(0);
    expect(await page.locator("#presence-stale").isVisible()).toBe(false);

    await ana.context.setOffline(false);
    await page.locator("#presence-count", { hasText: "2" }).waitFor({ timeout: 20_000 });
    expect(await page.locator("#presence-count").isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
