// Where a message's actions (Reply, Add reaction, Copy link, Edit, Delete) show on a screen with a pointer: laid
// over the bubble, they must stay inside the conversation however short the message is, and must not cover the
// box that edits it. Found walking through the page as a new user: a short message of one's own had its Delete
// (and Edit) cut off at the conversation's right edge, and reaching it by keyboard slid the whole
// conversation sideways, where it stayed.
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
});
