// Losing the connection with the page open: the people list kept its green "online" dots though the page no longer
// knew who was there, and offline the "You are offline" banner and the "Reconnecting…" pill both showed, two
// notices for one state. Now the list reads as last known (hollow grey dots and a line saying so) while the
// connection is down, offline shows only its own banner, and all of it goes when the rooms are caught up.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

/** The dots before each name in the people list: their fill and border colours. */
function dots(page: Page): Promise<string[]> {
  return page.locator("#presence-list li > span:first-child").evaluateAll((spans) =>
    spans.map((span) => {
      const dot = getComputedStyle(span, "::before");
      return `${dot.backgroundColor} / ${dot.borderTopWidth} ${dot.borderTopColor}`;
    }),
  );
}

describe("notices while the connection is down", () => {
  it("offline: one banner (no Reconnecting pill), the people list marked last known; all back when online", async () => {
    const { problems, person } = world(suite);
    const room = "offline-notices";
    const ana = await person("ana");
    const page = ana.page;
    await join(page, suite.server.url, "Ana", room);
    const ben = await suite.server.joined(room, "Ben");
    await waitForPresence(page, ["Ana", "Ben"]);
    const live = await dots(page);
    expect(await page.locator("#presence-stale").isVisible()).toBe(false);

    problems.allowNetworkErrors = true; // Socket.IO's attempts fail while offline, as they should
    await ana.context.setOffline(true);
    await page.locator("#offline-banner").waitFor({ state: "visible" });
    // The socket has noticed too: the connection banner is set ("Reconnecting…") but not shown beside the offline one.
    await page.waitForFunction(() => document.getElementById("connection-banner")?.hidden === false);
    expect(await page.locator("#connection-banner").textContent()).toBe("Reconnecting…");
    expect(await page.locator("#connection-banner").isVisible()).toBe(false);
    expect(await page.getByText("Not connected: who was here last").isVisible()).toBe(true);
    const stale = await dots(page);
    expect(stale).toHaveLength(2);
    for (const dot of stale) expect(live).not.toContain(dot);

    await ana.context.setOffline(false);
    await page.locator("#offline-banner").waitFor({ state: "hidden" });
    await page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    await page.locator("#presence-stale").waitFor({ state: "hidden" });
    await waitForPresence(page, ["Ana", "Ben"]);
    expect(await dots(page)).toEqual(live);
    ben.disconnect();
    expect(problems.list).toEqual([]);
  });

  it("a server restart: the pill shows, and the people list reads as last known until the room is caught up", async () => {
    const { problems, person } = world(suite);
    const room = "restart-notices";
    const ana = await person("ana");
    const page = ana.page;
    await join(page, suite.server.url, "Ana", room);
    const live = await dots(page);

    problems.allowNetworkErrors = true; // the attempts while the server is down fail, as they should
    await suite.server.stop();
    await page.locator("#connection-banner", { hasText: "Server restarting…" }).waitFor();
    expect(await page.locator("#offline-banner").isVisible()).toBe(false);
    expect(await page.getByText("Not connected: who was here last").isVisible()).toBe(true);
    expect(live).not.toContain((await dots(page))[0]);

    await suite.server.start();
    await page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    expect(await page.locator("#presence-stale").isVisible()).toBe(false);
    expect(await dots(page)).toEqual(live);
    problems.allowNetworkErrors = false;
    expect(problems.list).toEqual([]);
  });
});
