// A message's actions on a touch screen: shown under every message's text, they nearly doubled each message's
// height on a phone. Now a message shows none until it is tapped; they float over the conversation (nothing below
// moves), one message at a time, stay in view above the message box, and go with a second tap, a tap on another
// message or elsewhere, Escape, or the message scrolled out of view. The focus still shows them without a tap.
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { join, send, sentMessage } from "./helpers/browser.js";
import { actionsShown, SELECTED_MESSAGE, showActions, tapBubble } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });
const PHONE = { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true };

async function boxOf(target: Locator): Promise<{ left: number; right: number; top: number; bottom: number }> {
  return target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
}

describe("a message's actions on a touch screen", () => {
  it("shows them only for the message tapped, one at a time, over the conversation; a second tap, Escape or a tap elsewhere hides them", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", PHONE);
    await join(page, suite.server.url, "Ana", "tap-actions");
    await send(page, "Shall we meet at eight?");
    await send(page, "Or nine, if that is easier");
    await send(page, "Either works for me");
    const first = sentMessage(page, "Shall we meet at eight?");
    const second = sentMessage(page, "Or nine, if that is easier");
    const third = sentMessage(page, "Either works for me");
    const nothingSelected = () => page.locator(SELECTED_MESSAGE).waitFor({ state: "detached" });

    expect(await actionsShown(first)).toBe(false);
    expect(await actionsShown(second)).toBe(false);
    const before = { first: await boxOf(first), second: await boxOf(second) };

    await showActions(first);
    expect(await actionsShown(first)).toBe(true);
    expect(await first.getAttribute("aria-current")).toBe("true");
    // Floating: the message keeps its height, and the one below it stays where it was.
    expect(await boxOf(first)).toEqual(before.first);
    expect(await boxOf(second)).toEqual(before.second);

    // Another message: its own actions, and the first's go.
    await showActions(second);
    expect(await actionsShown(second)).toBe(true);
    expect(await actionsShown(first)).toBe(false);
    expect(await first.getAttribute("aria-current")).toBeNull();
    expect(await page.locator(SELECTED_MESSAGE).count()).toBe(1);

    await tapBubble(second);
    await nothingSelected();
    expect(await actionsShown(second)).toBe(false);

    await showActions(first);
    await page.keyboard.press("Escape");
    await nothingSelected();
    expect(await actionsShown(first)).toBe(false);

    // The conversation's empty margin, beside the messages.
    await showActions(first);
    await page.locator("#message-list").tap({ position: { x: 4, y: 4 } });
    await nothingSelected();
    expect(await actionsShown(first)).toBe(false);

    // Shown, they work: Reply opens the reply bar.
    await showActions(third);
    await third.locator('.msg__action[data-action="reply"]').tap();
    await page.locator("#reply-draft").waitFor({ state: "visible" });

    // The keyboard needs no tap: the focus on an action shows them.
    await first.locator('.msg__action[data-action="copy"]').focus();
    expect(await actionsShown(first)).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("keeps a tapped bottom message's actions in view above the message box, and hides them once it is scrolled out of view", async () => {
    const { problems, person } = world(suite);
    const room = "tap-bottom";
    await suite.server.seed(room, Array.from({ length: 30 }, (_, i) => ({ sender: "Ben", content: `Earlier message ${i + 1}` })));
    const { page } = await person("ana", PHONE);
    await join(page, suite.server.url, "Ana", room);
    await send(page, "The last word is mine");
    const last = sentMessage(page, "The last word is mine");

    await showActions(last);
    const list = await boxOf(page.locator("#message-list"));
    const composer = await boxOf(page.locator("#composer"));
    const outside: string[] = [];
    for (const action of await last.locator(".msg__action").all()) {
      const b = await boxOf(action);
      const isInside = b.top >= list.top && b.bottom <= list.bottom && b.bottom <= composer.top && b.left >= 0 && b.right <= PHONE.viewport.width;
      if (!isInside) outside.push((await action.textContent()) ?? "");
    }
    expect(outside).toEqual([]);
    // Reachable: nothing lies over the last of them (a trial tap checks what a tap there would hit).
    await last.locator('.msg__action[data-action="delete"]').tap({ trial: true, timeout: 5000 });

    // On a 320 px phone they wrap onto two rows: too tall for the time line at the bottom, they go above the
    // bubble rather than over the text of the message they belong to.
    await page.setViewportSize({ width: 320, height: 740 });
    await page.keyboard.press("Escape");
    await showActions(last); // placed as the tap lands
    const text = await boxOf(last.locator(".msg__text"));
    const covering: string[] = [];
    for (const action of await last.locator(".msg__action").all()) {
      const b = await boxOf(action);
      if (b.left < text.right && text.left < b.right && b.top < text.bottom && text.top < b.bottom) covering.push((await action.textContent()) ?? "");
    }
    expect(covering).toEqual([]);
    const rows = new Set(await last.locator(".msg__action").evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top))));
    expect(rows.size).toBe(2);

    await page.locator("#message-list").evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.locator(SELECTED_MESSAGE).waitFor({ state: "detached" });
    expect(await actionsShown(last)).toBe(false);
    expect(problems.list).toEqual([]);
  });
});
