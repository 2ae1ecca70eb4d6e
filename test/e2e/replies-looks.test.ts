// How replies and reactions look and read (issue 22): axe-core finds nothing serious with a reply's quote, the
// reply bar above the message box, reactions (the reader's own pressed), the picker with its frequent row and
// search results, light and dark; the own reaction keeps 4.5:1 in both themes; a 360 px phone scrolls nowhere
// sideways with a long quote and the picker open; and the docs' screenshots (docs/ only with UPDATE_SCREENSHOTS=1).
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { blockingFindings } from "./helpers/axe.js";
import { join, send, sentMessage, waitForPresence } from "./helpers/browser.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { showActions } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });
const SHOTS_DIR = screenshotDir();
const SHOT = (name: string) => joinPath(SHOTS_DIR, name);

async function replyTo(page: Page, original: Locator, text: string): Promise<void> {
  await original.hover();
  await original.locator(".msg__action[data-action=reply]").click();
  await send(page, text);
}

async function react(page: Page, msg: Locator, emoji: string): Promise<void> {
  const existing = msg.locator(`button.reaction[data-emoji="${emoji}"]`);
  if ((await existing.count()) > 0) {
    await existing.click();
  } else {
    await msg.hover();
    await msg.locator(".msg__action[data-action=react]").click();
    await page.locator(`#picker-frequent button[data-emoji="${emoji}"]`).click();
  }
  await page.waitForFunction((e) => [...document.querySelectorAll(`button.reaction[data-emoji="${e}"]`)].some((b) => b.getAttribute("aria-pressed") === "true"), emoji);
}

/** WCAG contrast of an element's text against its own background colour (both opaque rgb). */
function contrastOf(el: Element): number {
  const s = getComputedStyle(el);
  const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  const lum = ([r = 0, g = 0, b = 0]: number[]) => {
    const f = (v: number) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const a = lum(rgb(s.color));
  const b = lum(rgb(s.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

describe("replies and reactions: looks and accessibility", () => {
  it("has no serious or critical axe findings: quotes, the reply bar, reactions, the picker (light and dark); the own reaction keeps 4.5:1", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana", { bypassCSP: true }), person("ben", { bypassCSP: true })]);
    await join(ana.page, suite.server.url, "Ana", "replies-axe");
    await join(ben.page, suite.server.url, "Ben", "replies-axe");
    await waitForPresence(ben.page, ["Ana", "Ben"]);
    await send(ana.page, "Shall we move the meeting to Thursday?");
    await replyTo(ben.page, sentMessage(ben.page, "Shall we move the meeting to Thursday?"), "Thursday works for me");
    await react(ana.page, sentMessage(ana.page, "Thursday works for me"), "👍");
    await react(ben.page, sentMessage(ben.page, "Thursday works for me"), "🎉");
    await sentMessage(ana.page, "Thursday works for me").locator('button.reaction[data-emoji="🎉"]').waitFor();
    // A reply of Ana's own (in her own bubble), and one whose original is then deleted.
    await send(ben.page, "Never mind this one");
    await replyTo(ana.page, sentMessage(ana.page, "Never mind this one"), "Too late, I read it");
    const doomed = sentMessage(ben.page, "Never mind this one");
    await doomed.hover();
    await doomed.locator(".msg__action[data-action=delete]").click();
    await ben.page.locator("#confirm-ok").click();
    await ana.page.locator(".msg__quote--gone").waitFor();
    // The reply bar open above Ana's message box.
    const original = sentMessage(ana.page, "Thursday works for me");
    await original.hover();
    await original.locator(".msg__action[data-action=reply]").click();
    await ana.page.locator("#reply-draft").waitFor({ state: "visible" });
    const found = await blockingFindings(ana.page, "quotes, reply bar and reactions");

    for (const colorScheme of ["light", "dark"] as const) {
      await ana.page.emulateMedia({ colorScheme });
      const ratio = await sentMessage(ana.page, "Thursday works for me").locator('button.reaction[aria-pressed="true"]').evaluate(contrastOf);
      expect(ratio, `own reaction, ${colorScheme}`).toBeGreaterThanOrEqual(4.5);
    }
    await ana.page.emulateMedia({ colorScheme: "light" });

    // The picker with search results.
    await original.hover();
    await original.locator(".msg__action[data-action=react]").click();
    await ana.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await ana.page.fill("#picker-search", "heart");
    await ana.page.locator("#picker-all button.picker__emoji").first().waitFor();
    found.push(...(await blockingFindings(ana.page, "picker with results")));
    await ana.page.keyboard.press("Escape");

    expect(found).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("fits a 360 px phone: a long quote, the reply bar, reactions and the picker scroll nowhere sideways", async () => {
    const { problems, person } = world(suite);
    const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const [ana, ben] = await Promise.all([person("ana", phone), person("ben")]);
    await join(ben.page, suite.server.url, "Ben", "replies-phone");
    await join(ana.page, suite.server.url, "Ana", "replies-phone");
    await waitForPresence(ben.page, ["Ana", "Ben"]);
    await send(ben.page, `${"A rather long question about the plans for the weekend ".repeat(3)}?`);
    const long = sentMessage(ana.page, `${"A rather long question about the plans for the weekend ".repeat(3)}?`);
    await long.waitFor();
    // On a touch screen a message's actions show once it is tapped.
    await showActions(long);
    await long.locator(".msg__action[data-action=reply]").click();
    await send(ana.page, "Let me check");
    for (const emoji of ["👍", "❤️", "😂", "🎉", "😮"]) {
      await showActions(sentMessage(ana.page, "Let me check"));
      await sentMessage(ana.page, "Let me check").locator(".msg__action[data-action=react]").click();
      await ana.page.locator(`#picker-frequent button[data-emoji="${emoji}"]`).click();
      await sentMessage(ana.page, "Let me check").locator(`button.reaction[data-emoji="${emoji}"]`).waitFor();
    }
    await showActions(long);
    await long.locator(".msg__action[data-action=reply]").click();
    await ana.page.locator("#reply-draft").waitFor({ state: "visible" });
    const widths = () => ana.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, list: (document.getElementById("message-list") as HTMLElement).scrollWidth, listClient: (document.getElementById("message-list") as HTMLElement).clientWidth }));
    let sizes = await widths();
    expect(sizes.doc).toBeLessThanOrEqual(360);
    expect(sizes.list).toBeLessThanOrEqual(sizes.listClient);
    await showActions(sentMessage(ana.page, "Let me check"));
    await sentMessage(ana.page, "Let me check").locator(".msg__action[data-action=react]").click();
    await ana.page.locator("#picker-more").click();
    await ana.page.locator("#picker-all .picker__group").first().waitFor();
    sizes = await widths();
    expect(sizes.doc).toBeLessThanOrEqual(360);
    const picker = await ana.page.locator("#reaction-picker").boundingBox();
    expect(picker && picker.x >= 0 && picker.x + picker.width <= 360).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("takes the docs' screenshots: a conversation with replies and reactions, and the picker", async () => {
    const { problems, person } = world(suite);
    const room = "book-club";
    const [ana, ben, cleo] = await Promise.all([person("ana", { viewport: { width: 1000, height: 760 }, deviceScaleFactor: 1 }), person("ben"), person("cleo")]);
    await join(ben.page, suite.server.url, "Ben", room);
    await join(cleo.page, suite.server.url, "Cleo", room);
    await join(ana.page, suite.server.url, "Ana", room);
    await waitForPresence(ana.page, ["Ana", "Ben", "Cleo"]);

    await send(ben.page, "Which book next month? I vote for The Left Hand of Darkness.");
    await send(cleo.page, "I finished Piranesi last week and loved it");
    await replyTo(ana.page, sentMessage(ana.page, "Which book next month? I vote for The Left Hand of Darkness."), "Le Guin it is, I have wanted to read it for ages");
    await react(cleo.page, sentMessage(cleo.page, "Le Guin it is, I have wanted to read it for ages"), "👍");
    await react(ben.page, sentMessage(ben.page, "Le Guin it is, I have wanted to read it for ages"), "👍");
    await react(ben.page, sentMessage(ben.page, "Le Guin it is, I have wanted to read it for ages"), "🎉");
    await replyTo(ben.page, sentMessage(ben.page, "I finished Piranesi last week and loved it"), "Piranesi is wonderful. The house!");
    await react(ana.page, sentMessage(ana.page, "Piranesi is wonderful. The house!"), "❤️");
    await react(cleo.page, sentMessage(cleo.page, "Piranesi is wonderful. The house!"), "❤️");
    await ana.page.waitForFunction(() => document.querySelectorAll("button.reaction").length === 3 && document.querySelector('button.reaction[data-emoji="❤️"] .reaction__count')?.textContent === "2");

    // Ana answers Cleo: the reply bar above her message box.
    const cleoMsg = sentMessage(ana.page, "I finished Piranesi last week and loved it");
    await cleoMsg.hover();
    await cleoMsg.locator(".msg__action[data-action=reply]").click();
    await ana.page.keyboard.type("Adding it to my list");
    await ana.page.locator("#message-content").blur();
    await ana.page.mouse.move(0, 0);
    await ana.page.screenshot({ path: SHOT("screenshot-replies.png") });

    // The picker, searching for "book".
    const last = sentMessage(ana.page, "Piranesi is wonderful. The house!");
    await last.hover();
    await last.locator(".msg__action[data-action=react]").click();
    await ana.page.locator("#reaction-picker").waitFor({ state: "visible" });
    await ana.page.keyboard.press("ArrowDown");
    await ana.page.keyboard.type("book");
    await ana.page.locator("#picker-all button.picker__emoji").first().waitFor();
    await ana.page.keyboard.press("ArrowDown");
    await ana.page.screenshot({ path: SHOT("screenshot-reaction-picker.png") });
    await ana.page.keyboard.press("Escape");
    console.log(`screenshots written to ${SHOTS_DIR}${process.env.UPDATE_SCREENSHOTS === "1" ? "" : " (UPDATE_SCREENSHOTS=1 writes docs/)"}`);
    expect(problems.list).toEqual([]);
  });
});
