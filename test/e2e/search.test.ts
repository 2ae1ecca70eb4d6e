// Search (issue 12): the box and `/`, the results panel with marked words, a hit opened in context with
// its neighbours (far enough back that it is not loaded on join), paging down to the live end without
// gaps or duplicates, Copy link, and the permalink from outside (after "Join as").
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, messageTexts, sentMessage, waitInRoom } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { browserSuite, world } from "./helpers/suite.js";
import { FLASK_INSERT, withFlaskConnection } from "../helpers/flask-db.js";

const suite = browserSuite();

/** 300 messages; number 20 holds the rare word, after two emoji (astral: two UTF-16 units each). */
async function seedArchive(room: string) {
  const seeded = await suite.server.seed(
    room,
    Array.from({ length: 300 }, (_, i) => ({ sender: i % 2 ? "Ben" : "Cleo", content: i === 19 ? "😀😀 find the needle here" : `line ${i + 1}` })),
  );
  const target = seeded[19];
  if (!target) throw new Error("seed failed");
  return { seeded, target };
}

const scrollToEnd = (page: Page) => page.evaluate(() => {
  const s = document.getElementById("message-list") as HTMLElement;
  s.scrollTop = s.scrollHeight;
});

/** The target is inside the scroller's visible box. */
const isInView = (page: Page, id: number) =>
  page.evaluate((i) => {
    const li = document.querySelector(`#messages li[data-id="${i}"]`);
    const box = document.getElementById("message-list")?.getBoundingClientRect();
    if (!li || !box) return false;
    const r = li.getBoundingClientRect();
    return r.top >= box.top && r.bottom <= box.bottom;
  }, id);

describe("search", () => {
  it("shows a Flask hit's date alone as that day and an unreadable timestamp as its text, never a made-up date", async () => {
    const { problems, person } = world(suite);
    const room = "flask-search";
    withFlaskConnection(suite.server.databasePath, (db) => {
      db.prepare(FLASK_INSERT).run(room, "flask", "oddity with a date alone", "2024-05-06");
      db.prepare(FLASK_INSERT).run(room, "flask", "oddity out of range", "2024-13-45 99:99:99");
    });
    const { page } = await person("ana", { timezoneId: "America/New_York", locale: "en-GB" });
    await join(page, suite.server.url, "Ana", room);
    await sentMessage(page, "oddity out of range").waitFor();
    await page.fill("#search-input", "oddity");
    await page.press("#search-input", "Enter");
    const hit = (text: string) => page.locator("#search-results li.search-hit", { hasText: text }).locator("time");
    await hit("oddity out of range").waitFor();
    const thatDay = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(2024, 4, 6));
    expect(await hit("oddity with a date alone").textContent()).toBe(thatDay);
    expect(await hit("oddity out of range").textContent()).toBe("2024-13-45 99:99:99");
    expect(problems.list).toEqual([]);
  });

  it("finds an old message, marks the words, opens it in context and pages down to the live end once each", async () => {
    const { problems, person } = world(suite);
    const room = "archive-search";
    const { target } = await seedArchive(room);
    const { page } = await person("ana", { bypassCSP: true });
    await join(page, suite.server.url, "Ana", room);
    await sentMessage(page, "line 300").waitFor();
    expect(await page.locator(`#messages li[data-id="${target.id}"]`).count()).toBe(0); // not loaded on join

    // `/` does nothing while typing in the composer, and focuses the search box from the message list.
    await page.press("#message-content", "/");
    expect(await page.inputValue("#message-content")).toBe("/");
    await page.fill("#message-content", "");
    await page.focus("#message-list");
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("search-input");
    await page.keyboard.type("needle");
    await page.keyboard.press("Enter");

    const hit = page.locator("#search-results li.search-hit");
    await hit.first().waitFor();
    expect(await hit.count()).toBe(1);
    expect(await page.textContent("#search-status")).toBe("1 message matches.");
    expect(await page.getAttribute("#search-status", "role")).toBe("status");
    // The marked word is exactly "needle": the emoji before it did not shift the code-point range.
    expect(await hit.locator("mark").allTextContents()).toEqual(["needle"]);
    expect(await hit.locator(".search-hit__text").textContent()).toBe("😀😀 find the needle here");
    expect(await blockingFindings(page, "search results")).toEqual([]);

    // A Node client writes while the reader is far back: it must show once, at the end, after paging down.
    const cleo = await suite.server.joined(room, "Cleo");
    await hit.locator("button").click();
    const shown = page.locator(`#messages li[data-id="${target.id}"]`);
    await shown.waitFor();
    await page.waitForFunction((i) => document.querySelector(`#messages li[data-id="${i}"]`)?.classList.contains("msg--flash"), target.id);
    expect(await isInView(page, target.id)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest("li")?.getAttribute("data-id"))).toBe(String(target.id));
    const windowTexts = await messageTexts(page);
    expect(windowTexts).toContain("line 19");
    expect(windowTexts).toContain("line 21");
    expect(windowTexts).not.toContain("line 300");
    await page.locator("#new-messages", { hasText: "Latest messages" }).waitFor();

    const live = await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content: "said while you were reading" });
    expect(live.ok).toBe(true);

    for (let round = 0; round < 20; round++) {
      if (await sentMessage(page, "said while you were reading").count()) break;
      const count = await page.locator("#messages li.msg").count();
      await scrollToEnd(page);
      await page.waitForFunction((n) => document.querySelectorAll("#messages li.msg").length > n, count);
    }
    await sentMessage(page, "said while you were reading").waitFor();
    const texts = await messageTexts(page);
    const first = Number(/line (\d+)/.exec(texts[0] ?? "")?.[1] ?? 1);
    const expected = Array.from({ length: 300 }, (_, i) => (i === 19 ? "😀😀 find the needle here" : `line ${i + 1}`)).slice(first - 1);
    expect(texts).toEqual([...expected, "said while you were reading"]);

    // Back at the live end: new messages arrive as usual, once.
    await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content: "and now live" });
    await sentMessage(page, "and now live").waitFor();
    expect((await messageTexts(page)).filter((t) => t === "and now live")).toHaveLength(1);
    expect(problems.list).toEqual([]);
  });

  it("pages results with Load more and closes with Escape", async () => {
    const { problems, person } = world(suite);
    const room = "many-hits";
    await suite.server.seed(room, Array.from({ length: 45 }, (_, i) => ({ sender: "Ben", content: `apple number ${i + 1}` })));
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", room);
    await page.fill("#search-input", "apple");
    await page.press("#search-input", "Enter");
    await page.locator("#search-status", { hasText: "20+ messages match" }).waitFor();
    expect(await page.locator("#search-results li").count()).toBe(20);
    await page.click("#search-more");
    await page.waitForFunction(() => document.querySelectorAll("#search-results li").length === 40);
    await page.click("#search-more");
    await page.locator("#search-status", { hasText: "45 messages match." }).waitFor();
    const ids = await page.locator("#search-results li").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    expect(new Set(ids).size).toBe(45);
    expect(await page.locator("#search-more").isHidden()).toBe(true);
    await page.focus("#search-input");
    await page.keyboard.press("Escape");
    await page.locator("#search-panel").waitFor({ state: "hidden" });
    expect(problems.list).toEqual([]);
  });

  it("copies a message's link, and the link opens the message in context after Join as", async () => {
    const { problems, person } = world(suite);
    const room = "linked";
    const { target } = await seedArchive(room);
    const ana = await person("ana");
    await ana.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: suite.server.url });
    await join(ana.page, suite.server.url, "Ana", room);

    // Copy link on a message on screen (reached by keyboard: the actions show on focus).
    const last = sentMessage(ana.page, "line 300");
    await last.locator(".msg__action[data-action=copy]").focus();
    await ana.page.keyboard.press("Enter");
    await last.locator(".msg__action[data-action=copy]", { hasText: "Copied" }).waitFor();
    const copied = await ana.page.evaluate(() => navigator.clipboard.readText());
    const lastId = await last.getAttribute("data-id");
    expect(copied).toBe(`${suite.server.url}/r/${room}?m=${lastId}`);

    // A link to the old message from outside: the remembered name is offered, then the message opens.
    const tab = await ana.newTab();
    await tab.goto(`${suite.server.url}/r/${room}?m=${target.id}`);
    await tab.locator("#join-as-button").click();
    await waitInRoom(tab, room);
    await tab.locator(`#messages li[data-id="${target.id}"].msg--flash`).waitFor();
    expect(await isInView(tab, target.id)).toBe(true);
    expect(new URL(tab.url()).search).toBe(""); // the address is the room's again
    expect(problems.list).toEqual([]);
  });
});
