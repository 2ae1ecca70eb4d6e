// LIST_PUBLIC_ROOMS=false (issue 17): the page has no "Active rooms" at all and never asks /api/rooms (which
// answers 404 then), on the home page, after leaving a room, and back on the home page again.
import { describe, expect, it } from "vitest";
import { join } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { LIST_PUBLIC_ROOMS: "false" } });

describe("no list of rooms", () => {
  it("renders no Active rooms card and never asks /api/rooms", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    const asked: string[] = [];
    ana.page.on("request", (req) => {
      if (new URL(req.url()).pathname === "/api/rooms") asked.push(req.url());
    });
    await ana.page.goto(`${suite.server.url}/`);
    await ana.page.locator("#join-form").waitFor();
    expect(await ana.page.locator("#rooms-card, #room-list, #rooms-title").count()).toBe(0);
    expect(await ana.page.locator("body").innerText()).not.toContain("Active rooms");

    await join(ana.page, suite.server.url, "Ana", "unlisted");
    await ana.page.click("#leave-button");
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    // The page becomes visible again (the list would refresh then): still nothing asked.
    await ana.page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await join(ana.page, suite.server.url, "Ana", "unlisted-2");
    expect(asked).toEqual([]);
    expect(problems.list).toEqual([]);
  });
});
