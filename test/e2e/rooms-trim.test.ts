// A page left open all day stays small (PAGE_KEEP_MESSAGES): a joined room that is not on screen, left at its
// newest message, keeps only its newest messages; back on screen, scrolling up fetches the older ones again,
// each once and in order.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, messageTexts, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const KEEP = 20;
const suite = browserSuite({ env: { PAGE_KEEP_MESSAGES: String(KEEP), RATE_SEND_PER_SEC: "0", HISTORY_LIMIT: "5" } });

/** Stored messages in the lists of rooms off screen. */
const awayCount = (page: Page): Promise<number> => page.locator("ol.messages--away li.msg:not(.msg--local)").count();

describe("rooms off screen", () => {
  it("keep their newest PAGE_KEEP_MESSAGES; scrolling up in the room brings the rest back once each", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "busy-room");
    await ana.page.click("#sidebar-join");
    await ana.page.fill("#room-name", "quiet-room");
    await ana.page.press("#room-name", "Enter");
    await waitInRoom(ana.page, "quiet-room");

    const ben = await suite.server.joined("busy-room", "Ben");
    const sent: string[] = [];
    for (let i = 1; i <= 60; i++) {
      const res = await ben.timeout(5000).emitWithAck("send_message", { room: "busy-room", username: "Ben", content: `busy ${i}` });
      if (!res.ok) throw new Error(res.error.message);
      sent.push(`busy ${i}`);
    }
    const newest = ana.page.locator("ol.messages--away li.msg .msg__text", { hasText: /^busy 60$/ });
    await newest.waitFor({ state: "attached" });
    // Trimmed down to KEEP each time it passes KEEP + 10: never more than that off screen, never fewer than KEEP.
    const kept = await awayCount(ana.page);
    expect(kept).toBeGreaterThanOrEqual(KEEP);
    expect(kept).toBeLessThanOrEqual(KEEP + 10);
    // The sidebar still counts every message as unread.
    await ana.page.waitForFunction(() => document.querySelector("#sidebar-list .sidebar__count [aria-hidden]")?.textContent === "60");

    await ana.page.locator("#sidebar-list a.sidebar__room", { hasText: "busy-room" }).click();
    await waitInRoom(ana.page, "busy-room");
    expect((await messageTexts(ana.page)).at(-1)).toBe("busy 60");
    // Scrolling to the top fetches the trimmed messages back, a page at a time.
    const shown = (): Promise<number> => ana.page.locator("#messages li.msg:not(.msg--local)").count();
    for (let round = 0; round < 20 && (await shown()) < sent.length; round++) {
      const before = await shown();
      await ana.page.locator("#message-list").evaluate((scroller) => scroller.scrollTo({ top: 0 }));
      await ana.page.waitForFunction((n) => document.querySelectorAll("#messages li.msg:not(.msg--local)").length > n, before);
    }
    expect(await messageTexts(ana.page)).toEqual(sent);
    expect(problems.list).toEqual([]);
  });
});
