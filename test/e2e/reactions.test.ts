// Reactions (issue 22), in two browsers: Add reaction opens the picker, a pick shows on both browsers with its
// count, the reader's own pressed and labelled ("including you"), the names as a tooltip; a click on a reaction
// adds to it or takes one's own back; updates from others keep the reader's place; the picker is usable by
// keyboard alone (arrows, the search box, Enter, Escape with the focus back) and its full list is fetched only
// when first opened; a refusal from the server is shown under the message.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { closeAndReopenAtOnce, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100", MAX_REACTION_EMOJI: "3" } });

const reaction = (msg: Locator, emoji: string) => msg.locator(`button.reaction[data-emoji="${emoji}"]`);
const active = (page: Page) => page.evaluate(() => ({ id: document.activeElement?.id ?? "", emoji: (document.activeElement as HTMLElement | null)?.dataset.emoji ?? "", action: (document.activeElement as HTMLElement | null)?.dataset.action ?? "" }));

/** Opens the picker from a message's "Add reaction" with the mouse. */
async function openPicker(page: Page, msg: Locator): Promise<void> {
  await msg.hover();
  await msg.locator(".msg__action[data-action=react]").click();
  await page.locator("#reaction-picker").waitFor({ state: "visible" });
}

describe("reactions", () => {
  it("reacts from the picker, the other browser's count changes, a click adds to it and takes it back", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "react-basic");
    await send(ana.page, "Pizza tonight?");
    const onBen = sentMessage(ben.page, "Pizza tonight?");
    const onAna = sentMessage(ana.page, "Pizza tonight?");
    await onBen.waitFor();

    await openPicker(ben.page, onBen);
    await ben.page.locator('#picker-frequent button[data-emoji="👍"]').click();
    await ben.page.locator("#reaction-picker").waitFor({ state: "hidden" });
    const benThumb = reaction(onBen, "👍");
    await benThumb.waitFor();
    expect(await benThumb.getAttribute("aria-pressed")).toBe("true");
    expect(await benThumb.getAttribute("aria-label")).toBe("👍 1 reaction, including you");

    // Ana sees Ben's reaction, not pressed, with his name in the tooltip.
    const anaThumb = reaction(onAna, "👍");
    await anaThumb.waitFor();
    expect(await anaThumb.getAttribute("aria-pressed")).toBe("false");
    expect(await anaThumb.getAttribute("aria-label")).toBe("👍 1 reaction");
    expect(await anaThumb.getAttribute("title")).toBe("Ben reacted with 👍");

    // Ana adds hers with a click: both see 2, each pressed only where it is theirs.
    await anaThumb.click();
    await ana.page.waitForFunction(() => document.querySelector('button.reaction[data-emoji="👍"]')?.getAttribute("aria-label") === "👍 2 reactions, including you");
    await ben.page.waitForFunction(() => document.querySelector('button.reaction[data-emoji="👍"] .reaction__count')?.textContent === "2");
    expect(await benThumb.getAttribute("aria-pressed")).toBe("true");
    expect(await benThumb.getAttribute("title")).toBe("Ben and Ana reacted with 👍");

    // Ben takes his back: 1 on both, not his any more; then Ana takes hers and the row goes.
    await benThumb.click();
    await ana.page.waitForFunction(() => document.querySelector('button.reaction[data-emoji="👍"] .reaction__count')?.textContent === "1");
    await ben.page.waitForFunction(() => document.querySelector('button.reaction[data-emoji="👍"]')?.getAttribute("aria-pressed") === "false");
    await anaThumb.click();
    await onBen.locator(".msg__reactions").waitFor({ state: "detached" });
    await onAna.locator(".msg__reactions").waitFor({ state: "detached" });
    expect(problems.list).toEqual([]);
  });

  it("uses the picker by keyboard alone: arrows, the search box, Enter, Escape with the focus back; the full list loads only then", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "react-keys");
    const emojiRequests: string[] = [];
    ben.page.on("request", (req) => {
      if (req.url().includes("/emoji/")) emojiRequests.push(req.url());
    });
    await send(ana.page, "Release is out");
    const onBen = sentMessage(ben.page, "Release is out");
    await onBen.waitFor();
    expect(emojiRequests).toEqual([]); // not on page load

    // Tab into the message's actions: Reply, then Add reaction.
    await onBen.locator(".msg__action[data-action=reply]").focus();
    await ben.page.keyboard.press("Tab");
    expect((await active(ben.page)).action).toBe("react");
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reaction-picker").waitFor({ state: "visible" });
    expect((await active(ben.page)).emoji).toBe("👍");
    // Arrows through the frequent row: → → ← lands on the second, End on the last.
    await ben.page.keyboard.press("ArrowRight");
    await ben.page.keyboard.press("ArrowRight");
    await ben.page.keyboard.press("ArrowLeft");
    expect((await active(ben.page)).emoji).toBe("❤️");
    await ben.page.keyboard.press("End");
    expect((await active(ben.page)).emoji).toBe("👀");
    // Escape closes, the focus goes back to Add reaction.
    await ben.page.keyboard.press("Escape");
    await ben.page.locator("#reaction-picker").waitFor({ state: "hidden" });
    expect((await active(ben.page)).action).toBe("react");

    // Again: Enter picks the focused emoji (the arrows only once the picker has put the focus on its first one).
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await expect.poll(async () => (await active(ben.page)).emoji).toBe("👍");
    await ben.page.keyboard.press("ArrowRight");
    await ben.page.keyboard.press("ArrowRight");
    await ben.page.keyboard.press("ArrowRight");
    await ben.page.keyboard.press("Enter");
    await reaction(onBen, "🎉").waitFor();
    expect((await active(ben.page)).action).toBe("react");

    // The search box: ↓ from the frequent row reaches it; typing fetches the full list (once), Enter takes the first hit.
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await expect.poll(async () => (await active(ben.page)).emoji).toBe("👍");
    await ben.page.keyboard.press("ArrowDown");
    expect((await active(ben.page)).id).toBe("picker-search");
    await ben.page.keyboard.type("rocket");
    await ben.page.locator('#picker-all button[data-emoji="🚀"]').waitFor();
    expect(emojiRequests).toHaveLength(1);
    await ben.page.keyboard.press("Enter");
    await reaction(onBen, "🚀").waitFor();
    await reaction(sentMessage(ana.page, "Release is out"), "🚀").waitFor();

    // Searching, then arrows into the results and Enter.
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await expect.poll(async () => (await active(ben.page)).emoji).toBe("👍");
    await ben.page.keyboard.press("ArrowDown");
    await ben.page.keyboard.type("red heart");
    await ben.page.locator("#picker-all button.picker__emoji").first().waitFor();
    await ben.page.keyboard.press("ArrowDown");
    expect((await active(ben.page)).emoji).toBe("❤️");
    await ben.page.keyboard.press("Enter");
    await reaction(onBen, "❤️").waitFor();
    expect(await onBen.locator("button.reaction").evaluateAll((bs) => bs.map((b) => b.getAttribute("data-emoji")))).toEqual(["🎉", "🚀", "❤️"]);
    expect(emojiRequests).toHaveLength(1); // fetched once

    // The whole list, by group, from its button.
    await ben.page.keyboard.press("Enter");
    await ben.page.locator("#picker-more").click();
    await ben.page.locator("#picker-all .picker__group", { hasText: "Smileys & Emotion" }).waitFor();
    expect(await ben.page.locator("#picker-all button.picker__emoji").count()).toBeGreaterThan(1000);
    await ben.page.keyboard.press("Escape");
    await ben.page.locator("#reaction-picker").waitFor({ state: "hidden" });
    expect(problems.list).toEqual([]);
  });

  it("still picks when the picker is opened again before the last close's event has fired (Escape then Enter at once)", async () => {
    const { problems, ben, ana } = await twoPeople(suite, "react-reopen");
    await send(ana.page, "Quick hands");
    const onBen = sentMessage(ben.page, "Quick hands");
    await onBen.waitFor();
    await openPicker(ben.page, onBen);
    await closeAndReopenAtOnce(ben.page, "reaction-picker", onBen.locator(".msg__action[data-action=react]"));
    await expect.poll(async () => (await active(ben.page)).emoji).toBe("👍");
    await ben.page.keyboard.press("Enter");
    await reaction(onBen, "👍").waitFor();
    await reaction(sentMessage(ana.page, "Quick hands"), "👍").waitFor();
    expect((await active(ben.page)).action).toBe("react");
    expect(problems.list).toEqual([]);
  });

  it("shows the server's refusal under the message (a fourth emoji past MAX_REACTION_EMOJI=3)", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "react-refused");
    await send(ana.page, "Vote!");
    const onBen = sentMessage(ben.page, "Vote!");
    await onBen.waitFor();
    for (const emoji of ["👍", "❤️", "😂"]) {
      await openPicker(ben.page, onBen);
      await ben.page.locator(`#picker-frequent button[data-emoji="${emoji}"]`).click();
      await reaction(onBen, emoji).waitFor();
    }
    await openPicker(ben.page, onBen);
    await ben.page.locator('#picker-frequent button[data-emoji="🎉"]').click();
    const note = onBen.locator(".msg__reaction-note");
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^Reaction not saved: .+/);
    expect(await onBen.locator("button.reaction").count()).toBe(3);
    expect(problems.list).toEqual([]);
  });

  it("keeps the reader's place when reactions change on a message above", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "react-still");
    await send(ana.page, "an early message");
    const cleo = await suite.server.joined("react-still", "Cleo");
    for (let i = 1; i <= 40; i++) expect(await cleo.timeout(5000).emitWithAck("send_message", { room: "react-still", username: "Cleo", content: `chatter ${i}` })).toMatchObject({ ok: true });
    await sentMessage(ben.page, "chatter 40").waitFor();
    await sentMessage(ana.page, "chatter 40").waitFor();
    // Ben reads from "chatter 20"; the early message is above his view.
    await sentMessage(ben.page, "chatter 20").evaluate((el) => el.scrollIntoView({ block: "start" }));
    const topOf = () => sentMessage(ben.page, "chatter 20").evaluate((el) => Math.round(el.getBoundingClientRect().top));
    const before = await topOf();

    // Ana reacts to the early message (scrolled there): Ben's list gains a row of reactions above his view.
    const early = sentMessage(ana.page, "an early message");
    await early.scrollIntoViewIfNeeded();
    await openPicker(ana.page, early);
    await ana.page.locator('#picker-frequent button[data-emoji="🙏"]').click();
    await reaction(sentMessage(ben.page, "an early message"), "🙏").waitFor({ state: "attached" });
    expect(await topOf()).toBe(before);
    expect(problems.list).toEqual([]);
  });
});
