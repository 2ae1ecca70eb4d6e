// On a phone the sidebar is a column beside the home view and a closed drawer over a room. Joining a room from
// the home view (the sidebar's "+ Join") moved it from one to the other with the drawer's close transition, so for
// 0.15 s it slid across the room just opened, over the Rooms button and the composer (a tap there hit the drawer).
// Now the views switch with the sidebar's transitions off (public/js/views.js): the drawer is hidden at once.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

interface AtShow {
  visibility: string;
  transitions: number;
}

/** Records, in the turn the chat view is shown again, whether the sidebar is visible and what it animates. */
function recordWhenChatShows(page: Page): Promise<void> {
  return page.evaluate(() => {
    const chat = document.getElementById("chat-view");
    const sidebar = document.getElementById("sidebar");
    if (!chat || !sidebar) throw new Error("no chat view or sidebar");
    new MutationObserver((_records, observer) => {
      if (chat.hidden) return;
      observer.disconnect();
      const visibility = getComputedStyle(sidebar).visibility; // computing the style starts any transition
      (window as unknown as { atShow: AtShow }).atShow = { visibility, transitions: sidebar.getAnimations().length };
    }).observe(chat, { attributes: true, attributeFilter: ["hidden"] });
  });
}

describe("the sidebar on a phone when a room is joined from the home view", () => {
  it("is hidden the moment the room shows, with nothing sliding over it", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", PHONE);
    await join(ana.page, suite.server.url, "Ana", "first-room");
    await ana.page.click("#rooms-toggle");
    await ana.page.click("#sidebar-join");
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    // The home view shows the sidebar as a column, with the first room in it.
    expect(await ana.page.locator("#sidebar").isVisible()).toBe(true);
    await recordWhenChatShows(ana.page);
    await ana.page.fill("#room-name", "second-room");
    await ana.page.press("#room-name", "Enter");
    await waitInRoom(ana.page, "second-room");
    expect(await ana.page.evaluate(() => (window as unknown as { atShow?: AtShow }).atShow)).toEqual({ visibility: "hidden", transitions: 0 });
    // The drawer still slides when the reader opens or closes it: its transition is back on.
    expect(await ana.page.locator("#sidebar").evaluate((el) => getComputedStyle(el).transitionDuration)).not.toMatch(/^0s(, 0s)*$/);
    expect(problems.list).toEqual([]);
  });
});
