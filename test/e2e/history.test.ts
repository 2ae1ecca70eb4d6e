// Reading the room: older history on scroll, where the view stays, days, times and groups.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, messageTexts, notice, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { FLASK_INSERT, withFlaskConnection } from "../helpers/flask-db.js";

const suite = browserSuite();

const scrollState = (page: Page) =>
  page.evaluate(() => {
    const s = document.getElementById("message-list") as HTMLElement;
    return { top: s.scrollTop, atBottom: s.scrollHeight - s.scrollTop - s.clientHeight <= 2 };
  });

const topOf = (page: Page, id: number) =>
  page.evaluate((i) => document.querySelector(`#messages li[data-id="${i}"]`)?.getBoundingClientRect().top ?? Number.NaN, id);

const isBeginningShown = (page: Page) => page.locator("#history-note", { hasText: "Beginning of the room" }).isVisible();

describe("history and reading", () => {
  it("loads older messages at the top with the view anchored, down to the beginning of the room", async () => {
    const { problems, person } = world(suite);
    const seeded = await suite.server.seed(
      "archive",
      Array.from({ length: 300 }, (_, i) => ({ sender: i % 3 === 0 ? "Ben" : "Cleo", content: `archive message ${i + 1}` })),
    );
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "archive");
    await sentMessage(page, "archive message 300").waitFor();
    expect(await page.locator("#messages li.msg").count()).toBe(100); // HISTORY_LIMIT newest
    expect((await messageTexts(page))[0]).toBe("archive message 201");
    expect((await scrollState(page)).atBottom).toBe(true);
    expect(await isBeginningShown(page)).toBe(false);

    // To the top: the message that was first on screen stays exactly where it was while older ones load above it.
    const anchorId = seeded[200]?.id ?? -1;
    const anchorBefore = await page.evaluate((i) => {
      (document.getElementById("message-list") as HTMLElement).scrollTop = 0;
      return document.querySelector(`#messages li[data-id="${i}"]`)?.getBoundingClientRect().top ?? Number.NaN;
    }, anchorId);
    await sentMessage(page, "archive message 151").waitFor({ state: "attached" });
    expect(Math.abs((await topOf(page, anchorId)) - anchorBefore)).toBeLessThanOrEqual(1);
    expect((await scrollState(page)).top).toBeGreaterThan(500);

    for (let round = 0; round < 10 && !(await isBeginningShown(page)); round++) {
      const shown = await page.locator("#messages li.msg").count();
      await page.evaluate(() => ((document.getElementById("message-list") as HTMLElement).scrollTop = 0));
      await page.waitForFunction(
        (n) => document.querySelectorAll("#messages li.msg").length > n || document.getElementById("history-note")?.textContent === "Beginning of the room",
        shown,
      );
    }
    await page.locator("#history-note", { hasText: "Beginning of the room" }).waitFor();
    expect(await messageTexts(page)).toEqual(Array.from({ length: 300 }, (_, i) => `archive message ${i + 1}`));
    expect(problems.list).toEqual([]);
  });

  it("follows new messages only for a reader at the bottom; others get a New messages button, and nothing shifts", async () => {
    const { problems, person } = world(suite);
    await suite.server.seed("sticky", Array.from({ length: 40 }, (_, i) => ({ sender: "Cleo", content: `earlier ${i + 1}` })));
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await ana.context.addInitScript(() => {
      const w = window as unknown as { __shift: number };
      w.__shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) if (!e.hadRecentInput) w.__shift += e.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    await join(ana.page, suite.server.url, "Ana", "sticky");
    await join(ben.page, suite.server.url, "Ben", "sticky");
    await notice(ana.page, "Ben has joined the chat.").waitFor();

    await send(ben.page, "while you watch");
    await sentMessage(ana.page, "while you watch").waitFor();
    await ana.page.waitForFunction(() => {
      const s = document.getElementById("message-list") as HTMLElement;
      return s.scrollHeight - s.scrollTop - s.clientHeight <= 2;
    });
    expect(await ana.page.locator("#new-messages").isHidden()).toBe(true);

    // Reading older messages: new ones must not pull the view down.
    await ana.page.evaluate(() => ((document.getElementById("message-list") as HTMLElement).scrollTop = 100));
    await ana.page.waitForFunction(() => (document.getElementById("message-list") as HTMLElement).scrollTop === 100);
    const firstId = Number(await ana.page.locator("#messages li.msg").nth(3).getAttribute("data-id"));
    const firstTop = await topOf(ana.page, firstId);
    await send(ben.page, "while you read");
    await sentMessage(ana.page, "while you read").waitFor({ state: "attached" });
    await ana.page.locator("#new-messages", { hasText: "New messages ↓" }).waitFor();
    expect((await scrollState(ana.page)).top).toBe(100);
    expect(await topOf(ana.page, firstId)).toBe(firstTop);

    await ana.page.click("#new-messages");
    await ana.page.locator("#new-messages").waitFor({ state: "hidden" });
    expect((await scrollState(ana.page)).atBottom).toBe(true);
    await send(ben.page, "back at the bottom");
    await sentMessage(ana.page, "back at the bottom").waitFor();
    await ana.page.waitForFunction(() => {
      const s = document.getElementById("message-list") as HTMLElement;
      return s.scrollHeight - s.scrollTop - s.clientHeight <= 2;
    });
    expect(await ana.page.locator("#new-messages").isHidden()).toBe(true);
    expect(await ana.page.evaluate(() => (window as unknown as { __shift: number }).__shift)).toBeLessThan(0.01);
    expect(problems.list).toEqual([]);
  });

  it("separates days, shows local times from sentAt, groups a sender's run and sets own messages and notices apart", async () => {
    const { problems, person } = world(suite);
    const timeZone = "Asia/Kolkata"; // UTC+05:30 all year: local times differ from UTC by a visible amount
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo);
    const DAY = 86_400_000;
    const seeded = await suite.server.seed("days", [
      { sender: "Ben", content: "from last week", sentAt: at(4 * DAY) },
      { sender: "Ben", content: "yesterday one", sentAt: at(DAY) },
      { sender: "Ben", content: "yesterday two", sentAt: at(DAY - 60_000) },
      { sender: "Cleo", content: "today one", sentAt: at(30_000) },
      { sender: "Cleo", content: "today two", sentAt: at(20_000) },
      { sender: "Ben", content: "today three", sentAt: at(10_000) },
    ]);
    const { page } = await person("ana", { timezoneId: timeZone, locale: "en-GB" });
    await join(page, suite.server.url, "Ana", "days");
    await send(page, "mine");

    const weekday = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone }).format(at(4 * DAY));
    expect(await page.locator("#messages li.day").allTextContents()).toEqual([weekday, "Yesterday", "Today"]);

    const first = seeded[1];
    if (!first) throw new Error("seed failed");
    const expectedTime = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", timeZone }).format(new Date(first.sentAt));
    const time = sentMessage(page, "yesterday one").locator("time");
    expect(await time.textContent()).toBe(expectedTime);
    expect(await time.getAttribute("datetime")).toBe(first.sentAt);

    const continued = async (text: string) => ((await sentMessage(page, text).getAttribute("class")) ?? "").includes("msg--continued");
    expect(await continued("yesterday one")).toBe(false);
    expect(await continued("yesterday two")).toBe(true);
    expect(await continued("today one")).toBe(false); // another sender
    expect(await continued("today two")).toBe(true);
    expect(await continued("today three")).toBe(false);
    // One visible header per run; later messages keep the name for screen readers only.
    const senderWidth = (text: string) => sentMessage(page, text).locator(".msg__sender").evaluate((el) => el.getBoundingClientRect().width);
    expect(await senderWidth("today one")).toBeGreaterThan(10);
    expect(await senderWidth("today two")).toBeLessThanOrEqual(1);

    const bubble = (text: string) => sentMessage(page, text).locator(".msg__bubble").evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bubble("mine")).not.toBe(await bubble("today three"));
    const noticeStyle = await notice(page, "Ana has joined the chat.").evaluate((el) => ({ style: getComputedStyle(el).fontStyle, color: getComputedStyle(el).color }));
    const textColor = await sentMessage(page, "today three").locator(".msg__text").evaluate((el) => getComputedStyle(el).color);
    expect(noticeStyle.style).toBe("italic");
    expect(noticeStyle.color).not.toBe(textColor);
    expect(problems.list).toEqual([]);
  });

  it("shows a Flask row's date alone as that day and a timestamp it cannot read as its text, never a made-up date", async () => {
    const { problems, person } = world(suite);
    const timeZone = "America/New_York"; // behind UTC: midnight UTC of a date is the evening before here
    // Rows the Flask app left with odd timestamps, written into the file as it would (the row stays as it is).
    withFlaskConnection(suite.server.databasePath, (db) => {
      db.prepare(FLASK_INSERT).run("flask-times", "flask", "a date alone", "2024-05-06");
      db.prepare(FLASK_INSERT).run("flask-times", "flask", "fields out of range", "2024-13-45 99:99:99");
    });
    await suite.server.seed("flask-times", [{ sender: "Ben", content: "sent today", sentAt: new Date() }]);
    const { page } = await person("ana", { timezoneId: timeZone, locale: "en-GB" });
    await join(page, suite.server.url, "Ana", "flask-times");
    await sentMessage(page, "sent today").waitFor();

    const dateAlone = sentMessage(page, "a date alone").locator("time");
    expect(await dateAlone.textContent()).toBe("6 May 2024");
    expect(await dateAlone.getAttribute("datetime")).toBe("2024-05-06");
    expect(await sentMessage(page, "fields out of range").locator("time").textContent()).toBe("2024-13-45 99:99:99");
    // The day lines: that day (no 1970, no rolled-over 2025), then today's; the unreadable one starts no day.
    const thatDay = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(2024, 4, 6));
    expect(await page.locator("#messages li.day").allTextContents()).toEqual([thatDay, "Today"]);
    expect(problems.list).toEqual([]);
  });
});
