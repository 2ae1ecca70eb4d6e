// Search on a phone, where the results panel lies over the messages. Found walking through the page as a new
// user at 375 px: tapping a result scrolled to the message and focused it, but behind the panel, which stayed
// open over it; with a screenful of results nothing seemed to happen at all.
import { describe, expect, it } from "vitest";
import { join } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

const PHONE = { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true };

describe("search on a phone", () => {
  it("shows the chosen result's message uncovered: the results panel gets out of its way", async () => {
    const room = "search-phone";
    const seeded = await suite.server.seed(
      room,
      Array.from({ length: 30 }, (_, i) => ({ sender: "Ben", content: `hay number ${i + 1}` })),
    );
    const { problems, person } = world(suite);
    const vic = await person("vic", PHONE);
    await join(vic.page, suite.server.url, "Vic", room);

    await vic.page.fill("#search-input", "hay");
    await vic.page.press("#search-input", "Enter");
    const hit = vic.page.locator("#search-results li.search-hit").nth(4);
    await hit.waitFor();
    const id = Number(await hit.getAttribute("data-id"));
    expect(id).toBe(seeded[25]?.id);
    await hit.tap();

    const chosen = vic.page.locator(`#messages li.msg[data-id="${id}"]`);
    await vic.page.waitForFunction((i) => document.activeElement?.getAttribute("data-id") === String(i), id);
    // What a finger would touch at the middle of the message's text is the message, not the panel.
    const atItsMiddle = await chosen.locator(".msg__text").evaluate((el) => {
      const r = el.getBoundingClientRect();
      const there = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return there?.closest("#messages li.msg")?.getAttribute("data-id") ?? `not a message: ${there?.closest("[id]")?.id ?? "nothing"}`;
    });
    expect(atItsMiddle).toBe(String(id));
    // The words searched stay in the box: Enter shows the results again.
    expect(await vic.page.inputValue("#search-input")).toBe("hay");
    expect(problems.list).toEqual([]);
  });
});
