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

/** What the shown actions of `message` lie over (its time, any message's text) or where they leave the view. */
async function placementProblems(page: Page, message: Locator): Promise<string[]> {
  const problems: string[] = [];
  const buttons = await boxesOf(message.locator(".msg__action"));
  const [time] = await boxesOf(message.locator(".msg__time"));
  const texts = await boxesOf(page.locator("#messages li.msg .msg__text"));
  const [list] = await boxesOf(page.locator("#message-list"));
  const [composer] = await boxesOf(page.locator("#composer"));
  if (!time || !list || !composer) throw new Error("no time, list or composer");
  for (const b of buttons) {
    if (overlaps(b, time)) problems.push("over its time");
    if (texts.some((t) => overlaps(b, t))) problems.push("over a message's text");
    if (b.top < list.top || b.bottom > list.bottom || b.bottom > composer.top || b.left < list.left || b.right > list.right) problems.push("out of view");
  }
  return [...new Set(problems)];
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
