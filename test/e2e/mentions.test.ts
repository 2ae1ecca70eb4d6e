// Mentions on the page (issue 13 section 2): `@name` highlighted for everyone and strongly for the person
// mentioned, live, after an edit, in history replayed on join and in search results; and completing names
// after `@` in the composer (arrows, Enter/Tab, Escape, a click), with axe clean while the list is open.
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, messageTexts, send, sentMessage, waitForPresence } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const SHOTS_DIR = screenshotDir();

/** Class lists of the mention spans in the stored message with this text. */
const mentionClasses = (page: Page, text: string) => sentMessage(page, text).locator(".msg__text span.mention").evaluateAll((els) => els.map((e) => `${e.className}:${e.textContent}`));
const rowMentionsMe = (page: Page, text: string) => sentMessage(page, text).evaluate((li) => li.classList.contains("msg--mentions-me"));
const listbox = (page: Page) => page.locator("#mention-list");
const options = (page: Page) => page.locator("#mention-list [role=option]").allTextContents();

describe("mentions", () => {
  it("highlights @bob for everyone and strongly for Bob, live, after an edit, in history and in search", async () => {
    const { problems, person } = world(suite);
    const room = "mention-room";
    const [ana, bob, cleo] = await Promise.all([person("ana"), person("bob", { bypassCSP: true }), person("cleo")]);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(bob.page, suite.server.url, "Bob", room);
    await waitForPresence(ana.page, ["Ana", "Bob"]);

    await send(ana.page, "hi @bob");
    await sentMessage(bob.page, "hi @bob").waitFor();
    expect(await mentionClasses(ana.page, "hi @bob")).toEqual(["mention:@bob"]);
    expect(await rowMentionsMe(ana.page, "hi @bob")).toBe(false);
    expect(await mentionClasses(bob.page, "hi @bob")).toEqual(["mention mention--me:@bob"]);
    expect(await rowMentionsMe(bob.page, "hi @bob")).toBe(true);
    // Strong means a filled chip, unlike the plain mention others see.
    const fill = (page: Page) => sentMessage(page, "hi @bob").locator("span.mention").evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await fill(bob.page)).toBe("rgb(255, 213, 79)");
    expect(await fill(ana.page)).not.toBe(await fill(bob.page));

    // Links stay links, user text stays text.
    await send(ana.page, "@Bob <b>look</b> https://example.com/@bob");
    const both = sentMessage(bob.page, "@Bob <b>look</b> https://example.com/@bob");
    await both.waitFor();
    expect(await mentionClasses(bob.page, "@Bob <b>look</b> https://example.com/@bob")).toEqual(["mention mention--me:@Bob"]);
    expect(await both.locator(".msg__text a").getAttribute("href")).toBe("https://example.com/@bob");
    expect(await both.locator(".msg__text b").count()).toBe(0);
    expect(await blockingFindings(bob.page, "mention highlighted")).toEqual([]);

    // An edit that drops the mention takes the highlight away; one that adds it back brings it back.
    await ana.page.focus("#message-content");
    await ana.page.keyboard.press("ArrowUp");
    const editor = ana.page.locator("#messages textarea.msg__editbox");
    await editor.fill("hi all");
    await ana.page.keyboard.press("Enter");
    await sentMessage(bob.page, "hi all").locator(".msg__edited").waitFor();
    expect(await mentionClasses(bob.page, "hi all")).toEqual([]);
    expect(await rowMentionsMe(bob.page, "hi all")).toBe(false);
    await editor.waitFor({ state: "detached" });
    await ana.page.keyboard.press("ArrowUp");
    await editor.fill("hi all and @BOB");
    await ana.page.keyboard.press("Enter");
    await sentMessage(bob.page, "hi all and @BOB").waitFor();
    expect(await mentionClasses(bob.page, "hi all and @BOB")).toEqual(["mention mention--me:@BOB"]);
    expect(await rowMentionsMe(bob.page, "hi all and @BOB")).toBe(true);

    // History replayed to someone who joins later: highlighted, not as theirs.
    await join(cleo.page, suite.server.url, "Cleo", room);
    await sentMessage(cleo.page, "hi @bob").waitFor();
    expect(await mentionClasses(cleo.page, "hi @bob")).toEqual(["mention:@bob"]);
    expect(await mentionClasses(cleo.page, "hi all and @BOB")).toEqual(["mention:@BOB"]);

    // Search results show the mention as one span, with the matched word marked inside it.
    await bob.page.fill("#search-input", "bob");
    await bob.page.press("#search-input", "Enter");
    await bob.page.locator("#search-results .search-hit").first().waitFor();
    const hitSpans = bob.page.locator("#search-results .search-hit__text .mention--me");
    expect((await hitSpans.allTextContents()).sort()).toEqual(["@BOB", "@bob"]);
    expect((await hitSpans.locator("mark").allTextContents()).sort()).toEqual(["BOB", "bob"]);

    // The docs' picture: Bob's page with the highlights, starting a reply with the names list open.
    await bob.page.click("#search-close");
    await bob.page.fill("#search-input", ""); // the picture shows the search box as a reader finds it
    await bob.page.focus("#message-content");
    await bob.page.keyboard.type("thanks @");
    await listbox(bob.page).waitFor({ state: "visible" });
    expect(await options(bob.page)).toEqual(["Ana", "Cleo"]);
    await bob.page.screenshot({ path: joinPath(SHOTS_DIR, "screenshot-mention.png") });
    expect(problems.list).toEqual([]);
  });

  it("completes @b to @Bob with the arrows and Enter without sending; Escape closes; a click inserts", async () => {
    const { problems, person } = world(suite);
    const room = "complete-room";
    const [ana, bob] = await Promise.all([person("ana", { bypassCSP: true }), person("bob")]);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(bob.page, suite.server.url, "Bob", room);
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    const page = ana.page;
    const box = page.locator("#message-content");

    // One's own name is not offered.
    await box.focus();
    await page.keyboard.type("@a");
    expect(await listbox(page).isHidden()).toBe(true);
    await box.fill("");

    await page.keyboard.type("@b");
    await listbox(page).waitFor({ state: "visible" });
    expect(await options(page)).toEqual(["Bob"]);
    expect(await box.getAttribute("aria-controls")).toBe("mention-list");
    expect(await box.getAttribute("aria-autocomplete")).toBe("list");
    const active = await box.getAttribute("aria-activedescendant");
    expect(await page.locator(`#${active}`).getAttribute("aria-selected")).toBe("true");
    expect(await page.locator("#live-region").textContent()).toContain("1 person to mention");
    expect(await blockingFindings(page, "mention list open")).toEqual([]);

    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    expect(await box.inputValue()).toBe("@Bob ");
    expect(await listbox(page).isHidden()).toBe(true);
    expect(await box.getAttribute("aria-activedescendant")).toBeNull();
    // Enter inserted, it did not send: the next Enter sends, and that is the first message in the room.
    await page.keyboard.type("lunch?");
    await page.keyboard.press("Enter");
    await sentMessage(bob.page, "@Bob lunch?").waitFor();
    expect(await messageTexts(page)).toEqual(["@Bob lunch?"]);
    expect(await mentionClasses(bob.page, "@Bob lunch?")).toEqual(["mention mention--me:@Bob"]);

    // A name typed out in full is sent by Enter as it is (the list was open, the arrows not used).
    await page.keyboard.type("@bob");
    await listbox(page).waitFor({ state: "visible" });
    await page.keyboard.press("Enter");
    await sentMessage(bob.page, "@bob").waitFor();
    expect(await listbox(page).isHidden()).toBe(true);

    // Escape closes the list and keeps the draft and the room; it stays closed for that `@`.
    await page.keyboard.type("see @");
    await listbox(page).waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    expect(await listbox(page).isHidden()).toBe(true);
    expect(await box.inputValue()).toBe("see @");
    await page.keyboard.type("b");
    expect(await listbox(page).isHidden()).toBe(true);
    expect(await page.locator("#chat-view").isVisible()).toBe(true);

    // Tab inserts too, and a click on an option does.
    await box.fill("");
    await page.keyboard.type("ping @B");
    await listbox(page).waitFor({ state: "visible" });
    await page.keyboard.press("Tab");
    expect(await box.inputValue()).toBe("ping @Bob ");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    await page.keyboard.type("and @");
    await page.locator("#mention-list [role=option]", { hasText: "Bob" }).click();
    expect(await box.inputValue()).toBe("ping @Bob and @Bob ");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    expect(problems.list).toEqual([]);
  });
});
