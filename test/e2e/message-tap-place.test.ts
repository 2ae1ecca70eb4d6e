// Where a tapped short message's actions sit on a phone: five buttons (~323 px at 375 px) are wider than the free
// side beside a short bubble, and laid on its time line they hid its time. They must cover neither its text nor
// its time, nor another message's text, and stay in view above the message box.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { join, send, sentMessage } from "./helpers/browser.js";
import { SELECTED_MESSAGE, showActions } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const boxesOf = (target: Locator): Promise<Box[]> =>
  target.evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );

const overlaps = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * What the shown actions of `message` lie over (its time, its text, another message's text) or where they leave
 * the view; `allowed` lists the ones a test accepts.
 */
async function placementProblems(page: Page, message: Locator, allowed: string[] = []): Promise<string[]> {
  const problems: string[] = [];
  const buttons = await boxesOf(message.locator(".msg__action"));
  const [time] = await boxesOf(message.locator(".msg__time"));
  const [ownText] = await boxesOf(message.locator(".msg__text"));
  const texts = await boxesOf(page.locator("#messages li.msg .msg__text"));
  const [list] = await boxesOf(page.locator("#message-list"));
  const [composer] = await boxesOf(page.locator("#composer"));
  if (!time || !ownText || !list || !composer) throw new Error("no time, text, list or composer");
  for (const b of buttons) {
    if (overlaps(b, time)) problems.push("over its time");
    if (overlaps(b, ownText)) problems.push("over its text");
    else if (texts.some((t) => overlaps(b, t))) problems.push("over a message's text");
    if (b.top < list.top || b.bottom > list.bottom || b.bottom > composer.top || b.left < list.left || b.right > list.right) problems.push("out of view");
  }
  return [...new Set(problems)].filter((p) => !allowed.includes(p));
}

describe("a short message's actions on a phone", () => {
  for (const width of [375, 360]) {
    it(`cover neither its text nor its time nor another message's text, in view, at ${width} px`, async () => {
      const { problems, person } = world(suite);
      const room = `tap-short-${width}`;
      await suite.server.seed(room, [
        ...Array.from({ length: 12 }, (_, i) => ({ sender: "Ben", content: `Earlier message ${i + 1}` })),
        { sender: "Ben", content: "Are you coming tonight?" },
        { sender: "Ben", content: "sure" },
      ]);
      const { page } = await person("ana", { viewport: { width, height: 740 }, hasTouch: true, isMobile: true });
      await join(page, suite.server.url, "Ana", room);
      await send(page, "ok");
      const ben = await suite.server.joined(room, "Ben");
      expect(await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content: "See you at eight then" })).toMatchObject({ ok: true });
      await sentMessage(page, "See you at eight then").waitFor();
      // Two short ones of her own in a row, the last at the bottom of the conversation, just above the message box.
      await send(page, "yes");
      await send(page, "great");

      const found: Record<string, string[]> = {};
      for (const text of ["ok", "sure", "yes", "great"]) {
        const message = sentMessage(page, text);
        await showActions(message);
        found[text] = await placementProblems(page, message);
        await page.keyboard.press("Escape");
        await page.locator(SELECTED_MESSAGE).waitFor({ state: "detached" });
      }
      expect(found).toEqual({ ok: [], sure: [], yes: [], great: [] });
      expect(problems.list).toEqual([]);
    });
  }
});

const LONG = (n: number): string => `Ferry note ${n}: it leaves at seven from the north pier, so bring a coat, some water and your ticket, and do not be late`;

describe("a long message's actions on a phone, with no free place around it", () => {
  it("never cover its time or its own text, at the top and at the bottom of the view, at 360 px", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
    await join(page, suite.server.url, "Ana", "tap-long");
    // Her own (five actions, the width of the phone, too wide for the time line), between two long ones, with
    // short ones before and after so the list scrolls it to the top or the bottom of the view.
    for (const n of [1, 2, 3, 4, 5, 6]) await send(page, `ok ${n}`);
    for (const n of [1, 2, 3]) await send(page, LONG(n));
    for (const n of [7, 8, 9, 10, 11, 12]) await send(page, `ok ${n}`);
    const middle = sentMessage(page, LONG(2));

    const found: Record<string, string[]> = {};
    // At the top, above it is out of view; at the bottom, below it is. Beside it there is no room, and below or
    // above it lie the other long ones: something of theirs is covered, never its own time or text. At the top
    // that is the next one's first line; at the bottom only the time line of the one before, not its last line.
    const allowed = { top: ["over a message's text"], bottom: [] };
    for (const [where, block] of [["top", "start"], ["bottom", "end"]] as const) {
      await middle.evaluate((li, b) => li.scrollIntoView({ block: b }), block);
      await showActions(middle);
      found[where] = await placementProblems(page, middle, allowed[where]);
      await page.keyboard.press("Escape");
      await page.locator(SELECTED_MESSAGE).waitFor({ state: "detached" });
    }
    expect(found).toEqual({ top: [], bottom: [] });
    expect(problems.list).toEqual([]);
  });
});

describe("actions wrapped beside a short message on a phone", () => {
  it("line each row up with the bubble's side, at 360 px", async () => {
    const { problems, person } = world(suite);
    const room = "tap-wrapped";
    await suite.server.seed(room, [
      { sender: "Ben", content: "Are you coming tonight? The ferry leaves at seven from the north pier" },
      { sender: "Ben", content: "See you soon" },
    ]);
    const { page } = await person("ana", { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
    await join(page, suite.server.url, "Ana", room);
    const message = sentMessage(page, "See you soon");

    await showActions(message);
    const [bubble] = await boxesOf(message.locator(".msg__bubble"));
    if (!bubble) throw new Error("no bubble");
    const buttons = await boxesOf(message.locator(".msg__action"));
    // Each row's first button: the rows of Ben's message (the free side on its right) start beside the bubble.
    const rowStarts = new Map<number, number>();
    for (const b of buttons) rowStarts.set(Math.round(b.top), Math.min(rowStarts.get(Math.round(b.top)) ?? Infinity, b.left));
    expect(rowStarts.size).toBe(2);
    expect([...rowStarts.values()].map((left) => Math.round(left - bubble.right))).toEqual([6, 6]);
    expect(await placementProblems(page, message)).toEqual([]);
    expect(problems.list).toEqual([]);
  });
});
