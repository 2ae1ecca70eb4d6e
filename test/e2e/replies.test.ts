// Replies (issue 22), in two browsers: Reply in a message's actions and R on a message show the quote above the
// message box, Escape drops it, the reply arrives with its quote on the other browser (a reply to you counts as a
// mention), and clicking a quote shows the original with a flash: on screen, or far back in the history (the
// window around it, as a permalink opens it). A deleted original reads "Deleted message". A failed reply keeps its
// quote, and Retry sends it as a reply; an edit of the original reaches the quotes on screen.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { StorageUnavailableError } from "../../src/storage/repository.js";
import { join, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, twoPeople, world } from "./helpers/suite.js";

const faults = { failAppends: false };
const suite = browserSuite({
  env: { RATE_SEND_BURST: "100" },
  wrapRepo: (repo) => ({
    append: (m) => (faults.failAppends ? Promise.reject(new StorageUnavailableError("e2e: writes refused")) : repo.append(m)),
    page: (room, query) => repo.page(room, query),
    search: (room, query, opts) => repo.search(room, query, opts),
    isHealthy: () => repo.isHealthy(),
    close: () => repo.close(),
  }),
});

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

describe("replies", () => {
  it("answers a message: the quote above the message box (Escape drops it, R brings it), then on both browsers", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "replies-basic");
    await send(ana.page, "Who brings the <b>cake</b> on Friday?");
    const original = sentMessage(ben.page, "Who brings the <b>cake</b> on Friday?");
    await original.waitFor();

    // Reply from the message's actions: the bar shows Ana's message, the focus is in the message box.
    await original.hover();
    await original.locator(".msg__action[data-action=reply]").click();
    await ben.page.locator("#reply-draft").waitFor({ state: "visible" });
    expect(await ben.page.locator("#reply-draft-text").textContent()).toBe("Replying to Ana Who brings the <b>cake</b> on Friday?");
    expect(await focusedId(ben.page)).toBe("message-content");
    expect(await ben.page.locator("#message-content").getAttribute("aria-describedby")).toContain("reply-draft-text");
    // Escape drops it.
    await ben.page.keyboard.press("Escape");
    await ben.page.locator("#reply-draft").waitFor({ state: "hidden" });

    // R on the message (its Reply button focused by keyboard) starts it again.
    await original.locator(".msg__action[data-action=copy]").focus();
    await ben.page.keyboard.press("r");
    await ben.page.locator("#reply-draft").waitFor({ state: "visible" });
    expect(await focusedId(ben.page)).toBe("message-content");
    await ben.page.keyboard.type("I do!");
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reply-draft").waitFor({ state: "hidden" });

    // Both see the reply with its quote above its text; the quote is text, never markup.
    for (const page of [ben.page, ana.page]) {
      const reply = sentMessage(page, "I do!");
      await reply.waitFor();
      await reply.locator("button.msg__quote").waitFor();
      expect(await reply.locator(".msg__quote-sender").textContent()).toBe("Ana");
      expect(await reply.locator(".msg__quote-text").textContent()).toBe("Who brings the <b>cake</b> on Friday?");
      expect(await reply.locator(".msg__quote b").count()).toBe(0);
      // The quote comes before the text.
      expect(await reply.locator(".msg__bubble > *").evaluateAll((els) => els.map((e) => e.className).filter((c) => c.startsWith("msg__quote") || c === "msg__text"))).toEqual(["msg__quote", "msg__text"]);
    }
    // A reply to Ana counts as a mention of her.
    await sentMessage(ana.page, "I do!").and(ana.page.locator(".msg--mentions-me")).waitFor();

    // Clicking the quote shows the original, flashed, with the focus on it.
    await sentMessage(ana.page, "I do!").locator("button.msg__quote").click();
    await sentMessage(ana.page, "Who brings the <b>cake</b> on Friday?").and(ana.page.locator(".msg--flash")).waitFor();

    // The original deleted: the quote says so, and is no longer a button.
    const mine = sentMessage(ana.page, "Who brings the <b>cake</b> on Friday?");
    await mine.hover();
    await mine.locator(".msg__action[data-action=delete]").click();
    await ana.page.locator("#confirm-ok").click();
    const gone = ben.page.locator("#messages li.msg .msg__quote--gone");
    await gone.waitFor();
    expect(await gone.locator(".msg__quote-text").textContent()).toBe("Deleted message");
    await ben.page.reload();
    await sentMessage(ben.page, "I do!").locator(".msg__quote--gone").waitFor();
    expect(problems.list).toEqual([]);
  });

  it("opens an original far back in history from its quote, and flashes it", async () => {
    const { problems, person } = world(suite);
    const room = "replies-far";
    const seeded = await suite.server.seed(room, Array.from({ length: 160 }, (_, i) => ({ sender: i === 3 ? "Cleo" : "Dan", content: i === 3 ? "The old question: tabs or spaces?" : `filler ${i + 1}` })));
    const old = seeded[3];
    if (!old) throw new Error("seeding failed");
    // A reply to it, sent by a script through the server (the page loads only the newest 100).
    const cleo = await suite.server.joined(room, "Cleo");
    const sent = await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content: "Still waiting for an answer", replyTo: old.id });
    expect(sent.ok).toBe(true);

    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", room);
    const reply = sentMessage(ana.page, "Still waiting for an answer");
    await reply.locator("button.msg__quote", { hasText: "tabs or spaces?" }).waitFor();
    expect(await ana.page.locator(`#messages li[data-id="${old.id}"]`).count()).toBe(0);

    await reply.locator("button.msg__quote").click();
    const target = ana.page.locator(`#messages li[data-id="${old.id}"]`);
    await target.and(ana.page.locator(".msg--flash")).waitFor();
    expect(await target.locator(".msg__text").textContent()).toBe("The old question: tabs or spaces?");
    expect(await ana.page.evaluate((id) => document.activeElement?.getAttribute("data-id") === String(id), old.id)).toBe(true);
    const inView = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const box = document.getElementById("message-list")?.getBoundingClientRect();
      return box !== undefined && r.top >= box.top && r.bottom <= box.bottom;
    });
    expect(inView).toBe(true);
    // The window around it: "Latest messages" leads back to the reply.
    await ana.page.locator("#new-messages", { hasText: "Latest messages" }).click();
    await reply.waitFor();
    expect(problems.list).toEqual([]);
  });

  it("keeps the reply through a failed send: Not sent with its quote, then Retry sends it as a reply; the quote follows an edit of the original", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "replies-retry");
    await send(ana.page, "Is the train on time?");
    const original = sentMessage(ben.page, "Is the train on time?");
    await original.waitFor();
    await original.hover();
    await original.locator(".msg__action[data-action=reply]").click();
    faults.failAppends = true;
    try {
      await ben.page.keyboard.type("Ten minutes late");
      await ben.page.keyboard.press("Enter");
      // Stored nowhere: after its automatic retries it shows as failed, still with the page's own quote.
      const failed = ben.page.locator("#messages li.msg--failed");
      await failed.waitFor({ timeout: 15_000 });
      expect(await failed.locator(".msg__quote-text").textContent()).toBe("Is the train on time?");
      await ben.page.locator("#reply-draft").waitFor({ state: "hidden" });
    } finally {
      faults.failAppends = false;
    }
    await ben.page.locator("#messages li.msg--failed .btn--retry").click();
    // Ana's copy has the server's quote: the retry carried replyTo.
    const reply = sentMessage(ana.page, "Ten minutes late");
    await reply.locator("button.msg__quote .msg__quote-text", { hasText: "Is the train on time?" }).waitFor();
    await sentMessage(ben.page, "Ten minutes late").locator("button.msg__quote").waitFor();
    expect(await ben.page.locator("#messages li.msg").count()).toBe(2);

    // Ana edits her question: the quote on Ben's screen follows at once.
    const question = sentMessage(ana.page, "Is the train on time?");
    await question.hover();
    await question.locator(".msg__action[data-action=edit]").click();
    await ana.page.locator(".msg__editbox").fill("Is the 8:15 train on time?");
    await ana.page.keyboard.press("Enter");
    await sentMessage(ben.page, "Ten minutes late").locator(".msg__quote-text", { hasText: "Is the 8:15 train on time?" }).waitFor();
    expect(problems.list).toEqual([]);
  });
});
