// Where a message's actions (Reply, Add reaction, Copy link, Edit, Delete) show on a screen with a pointer: laid
// over the conversation, they must stay inside it however short the message is, and must not cover the
// box that edits it. Found walking through the page as a new user: a short message of one's own had its Delete
// (and Edit) cut off at the conversation's right edge, and reaching it by keyboard slid the whole
// conversation sideways, where it stayed. The next walk-through found them over the start of someone else's
// "ok", over the text of wide messages, and at the top of tall text, out of view with its top scrolled away.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { send, sentMessage } from "./helpers/browser.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const suite = browserSuite();

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

async function boxOf(target: Locator): Promise<Box> {
  return target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
}

/** The actions of `message` that lie (even partly) outside the visible conversation, by their text. */
async function actionsOutsideList(page: Page, message: Locator): Promise<string[]> {
  await message.hover();
  const list = await boxOf(page.locator("#message-list"));
  const outside: string[] = [];
  for (const action of await message.locator(".msg__action").all()) {
    const box = await boxOf(action);
    if (box.left < list.left || box.right > list.right) outside.push((await action.textContent()) ?? "");
  }
  return outside;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

describe("a message's actions on a screen with a pointer", () => {
  it("keeps every action of a short message inside the conversation, one's own and someone else's", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-short");
    await send(ana.page, "ok");
    await sentMessage(ben.page, "ok").waitFor();

    expect(await sentMessage(ana.page, "ok").locator(".msg__action").allTextContents()).toEqual(["Reply", "Add reaction", "Copy link", "Edit", "Delete"]);
    expect(await actionsOutsideList(ana.page, sentMessage(ana.page, "ok"))).toEqual([]);
    expect(await actionsOutsideList(ben.page, sentMessage(ben.page, "ok"))).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("leaves the sender's name uncovered on someone else's message wide enough for the actions", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-wide");
    const text = "A message long enough that the row of its actions fits beside the sender's name";
    await send(ana.page, text);
    const message = sentMessage(ben.page, text);
    await message.hover();
    // The name's text, not its line (a block as wide as the bubble).
    const name = await message.locator(".msg__sender").evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const r = range.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    });
    const covering: string[] = [];
    for (const action of await message.locator(".msg__action").all()) {
      if (overlaps(await boxOf(action), name)) covering.push((await action.textContent()) ?? "");
    }
    expect(covering).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("does not slide the conversation sideways when the keyboard reaches Delete on a short message", async () => {
    const { problems, ana } = await twoPeople(suite, "actions-slide");
    await send(ana.page, "ok");
    const before = await boxOf(sentMessage(ana.page, "ok"));

    await sentMessage(ana.page, "ok").locator(".msg__action[data-action=delete]").focus();

    expect(await ana.page.locator("#message-list").evaluate((el) => el.scrollLeft)).toBe(0);
    expect((await boxOf(sentMessage(ana.page, "ok"))).right).toBe(before.right);
    expect(problems.list).toEqual([]);
  });

  it("shows the box that edits a message uncovered by the message's actions", async () => {
    const { problems, ana } = await twoPeople(suite, "actions-edit");
    await send(ana.page, "a line long enough that its actions fit over it");
    const message = sentMessage(ana.page, "a line long enough that its actions fit over it");
    await message.hover();
    await message.locator(".msg__action[data-action=edit]").click();
    const editor = message.locator("textarea.msg__editbox");
    await editor.waitFor();

    const box = await boxOf(editor);
    const covering: string[] = [];
    for (const action of await message.locator(".msg__action").all()) {
      if (!(await action.isVisible())) continue;
      const visible = await action.evaluate((el) => getComputedStyle(el.parentElement ?? el).opacity !== "0");
      if (visible && overlaps(await boxOf(action), box)) covering.push((await action.textContent()) ?? "");
    }
    expect(covering).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("covers no message's text, on someone else's very short message, a wide one and one's own", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-no-cover");
    const wide = "A line from Ana long enough to take most of the conversation's width, so nothing fits beside it";
    await send(ana.page, "ok");
    await send(ana.page, wide);
    await send(ben.page, "and a line from Ben that is just as long, to see his own wide message as well");
    await sentMessage(ben.page, wide).waitFor();

    expect(await textsCovered(ben.page, sentMessage(ben.page, "ok"))).toEqual([]);
    expect(await textsCovered(ben.page, sentMessage(ben.page, wide))).toEqual([]);
    expect(await textsCovered(ben.page, sentMessage(ben.page, "and a line from Ben that is just as long, to see his own wide message as well"))).toEqual([]);
    expect(await actionsOutsideList(ben.page, sentMessage(ben.page, wide))).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("places them again when the window is resized under the pointer, so a wide message's still cover none of its text", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-resize");
    const wide = "A line from Ana long enough to take most of the conversation's width, and more, so it wraps";
    await send(ana.page, wide);
    const message = sentMessage(ben.page, wide);
    await message.waitFor();
    expect(await textsCovered(ben.page, message)).toEqual([]);
    // Narrower: the bubble rewraps and its time moves, with the pointer still on the message.
    await ben.page.setViewportSize({ width: 900, height: 720 });
    await expect.poll(() => textsCoveredNow(ben.page, message)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("places them again when the focused message itself grows, so an edit arriving leaves its new lines uncovered", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-grow");
    const wide = "A line from Ana long enough to take most of the conversation's width, so nothing fits beside it";
    await send(ana.page, wide);
    const before = sentMessage(ben.page, wide);
    await before.waitFor();
    // Reached by keyboard, the pointer away: nothing but the message's own change can move the actions.
    await ben.page.mouse.move(1, 1);
    await before.locator(".msg__action[data-action=reply]").focus();
    expect(await textsCoveredNow(ben.page, before)).toEqual([]);

    // Ana edits it to three times the text while Ben's focus rests on it: no pointer move, no scroll, no resize.
    const longer = `${wide}; then a second part just as long, to wrap onto more lines; and a third part, to be sure it wraps`;
    await ana.page.focus("#message-content");
    await ana.page.keyboard.press("ArrowUp");
    await ana.page.locator("#messages textarea.msg__editbox").fill(longer);
    await ana.page.keyboard.press("Enter");
    const after = sentMessage(ben.page, longer);
    await after.locator(".msg__edited").waitFor();

    expect(await after.locator(".msg__action[data-action=reply]").evaluate((el) => el === document.activeElement)).toBe(true);
    await expect.poll(() => textsCoveredNow(ben.page, after)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("keeps a tall message's actions in view and in the half of it the pointer is over", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "actions-tall");
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1} of tall text`);
    await ana.page.fill("#message-content", lines.join("\n"));
    await ana.page.press("#message-content", "Enter");
    const message = ben.page.locator("#messages li.msg:not(.msg--local)").filter({ hasText: "line 20 of tall text" });
    await message.waitFor();
    // Room below it, so its top can scroll out of view.
    await ana.page.fill("#message-content", "and after it\n.\n.\n.\n.\n.\n.\n.\nthe end");
    await ana.page.press("#message-content", "Enter");
    await ben.page.locator("#messages li.msg").filter({ hasText: "the end" }).waitFor();
    const list = ben.page.locator("#message-list");

    // The top scrolled out of view, the pointer over a line near the end.
    await scrollTo(list, message, "top", -120);
    await pointAt(ben.page, message, (bubble) => bubble.bottom - 50);
    const low = await actionsArea(ben.page, message);
    expect(low.outsideView).toEqual([]);
    expect(low.top).toBeGreaterThanOrEqual(low.shownMiddle);
    expect(low.bottom).toBeLessThanOrEqual(low.bubble.bottom);

    // The end scrolled out of view, the pointer over a line near the start.
    await scrollTo(list, message, "bottom", 120);
    await pointAt(ben.page, message, (bubble) => bubble.top + 50);
    const high = await actionsArea(ben.page, message);
    expect(high.outsideView).toEqual([]);
    expect(high.bottom).toBeLessThanOrEqual(high.shownMiddle);
    expect(high.top).toBeGreaterThanOrEqual(high.bubble.top);

    // Reached by keyboard, with the pointer elsewhere: shown where the reader is, the conversation not moved.
    await scrollTo(list, message, "top", -120);
    await ben.page.mouse.move(1, 1);
    const scrolled = await list.evaluate((el) => el.scrollTop);
    await message.locator(".msg__action[data-action=reply]").focus();
    expect((await actionsArea(ben.page, message)).outsideView).toEqual([]);
    expect(await list.evaluate((el) => el.scrollTop)).toBe(scrolled);
    expect(problems.list).toEqual([]);
  });
});

/** The texts (sender, lines, time) of any message on screen that an action of `message`, hovered, lies over. */
async function textsCovered(page: Page, message: Locator): Promise<string[]> {
  await message.locator(".msg__text").hover();
  return textsCoveredNow(page, message);
}

/** The same, with the pointer left where it is. */
async function textsCoveredNow(page: Page, message: Locator): Promise<string[]> {
  const texts = await page.locator("#messages li.msg").evaluateAll((items) =>
    items.flatMap((li) =>
      [...li.querySelectorAll(".msg__sender, .msg__text, .msg__time")].flatMap((el) => {
        // The text's own line boxes, not its block (a block is as wide as the bubble).
        const range = document.createRange();
        range.selectNodeContents(el);
        return [...range.getClientRects()].map((r) => ({ text: el.textContent ?? "", left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
      }),
    ),
  );
  const covered: string[] = [];
  for (const action of await message.locator(".msg__action").all()) {
    const box = await boxOf(action);
    for (const t of texts) if (overlaps(box, t)) covered.push(`${(await action.textContent()) ?? ""} over "${t.text}"`);
  }
  return covered;
}

/** Scrolls the conversation so that `message`'s top (or bottom) edge lies `by` pixels from the conversation's. */
async function scrollTo(list: Locator, message: Locator, edge: "top" | "bottom", by: number): Promise<void> {
  const [view, box] = [await boxOf(list), await boxOf(message.locator(".msg__bubble"))];
  const shift = edge === "top" ? box.top - view.top - by : box.bottom - view.bottom - by;
  await list.evaluate((el, dy) => el.scrollBy(0, dy), shift);
  await expect.poll(async () => Math.round((await boxOf(message.locator(".msg__bubble")))[edge] - (await boxOf(list))[edge])).toBe(by);
}

/** Moves the pointer over `message`'s text, at the height `y` picks from its bubble. */
async function pointAt(page: Page, message: Locator, y: (bubble: Box) => number): Promise<void> {
  const bubble = await boxOf(message.locator(".msg__bubble"));
  await page.mouse.move(bubble.left + 24, y(bubble));
}

/** Where the hovered `message`'s actions are, against its bubble and the part of it in view. */
async function actionsArea(page: Page, message: Locator) {
  const view = await boxOf(page.locator("#message-list"));
  const bubble = await boxOf(message.locator(".msg__bubble"));
  const boxes = await Promise.all((await message.locator(".msg__action").all()).map(boxOf));
  const outsideView = boxes.filter((b) => b.top < view.top || b.bottom > view.bottom || b.left < view.left || b.right > view.right);
  const shownMiddle = (Math.max(bubble.top, view.top) + Math.min(bubble.bottom, view.bottom)) / 2;
  return {
    bubble,
    outsideView,
    shownMiddle,
    top: Math.min(...boxes.map((b) => b.top)),
    bottom: Math.max(...boxes.map((b) => b.bottom)),
  };
}
