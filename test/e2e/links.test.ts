// Links in messages as a reader sees them: a look-alike (IDN homograph) host shows as punycode, not as the site
// it imitates; a genuine IDN host under its own top-level domain shows as typed. The rules: test/client.linkify.test.ts.
import { describe, expect, it } from "vitest";
import { join, sentMessage, waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("links in messages", () => {
  it("shows https://аpple.com/x (Cyrillic а) with its punycode host, and пример.рф as typed, and reads them out so", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "links");
    await join(ben.page, suite.server.url, "Ben", "links");
    await waitForPresence(ana.page, ["Ana", "Ben"]);

    // Not send(): it waits for the message to read as typed, which this one must not.
    await ana.page.fill("#message-content", "log in at https://аpple.com/x or https://пример.рф/");
    await ana.page.press("#message-content", "Enter");
    const text = ben.page.locator("#messages li.msg:not(.msg--local) .msg__text").last();
    await text.locator("a").nth(1).waitFor();

    expect(await text.innerText()).toBe("log in at https://xn--pple-43d.com/x or https://пример.рф/");
    const links = await text.locator("a").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
    expect(links).toEqual([
      ["https://xn--pple-43d.com/x", "https://xn--pple-43d.com/x"],
      ["https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"],
    ]);
    // The screen reader's live region reads the message out as the list shows it.
    expect(await ben.page.locator("#live-region p").allTextContents()).toContain("Ana: log in at https://xn--pple-43d.com/x or https://пример.рф/");
    expect(problems.list).toEqual([]);
  });

  it("shows the punycode host in a reply's quote and in a search hit, where the text is not a link", async () => {
    const { problems, person } = world(suite);
    const room = "links-plain";
    const [original] = await suite.server.seed(room, [{ sender: "Cleo", content: "log in at https://аpple.com/login now" }]);
    if (!original) throw new Error("seeding failed");
    const cleo = await suite.server.joined(room, "Cleo");
    const sent = await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content: "did you?", replyTo: original.id });
    expect(sent.ok).toBe(true);

    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", room);
    const quote = sentMessage(page, "did you?").locator("button.msg__quote .msg__quote-text");
    await quote.waitFor();
    expect(await quote.textContent()).toBe("log in at https://xn--pple-43d.com/login now");

    await page.fill("#search-input", "login");
    await page.press("#search-input", "Enter");
    const hit = page.locator("#search-results li.search-hit .search-hit__text").first();
    await hit.waitFor();
    expect(await hit.textContent()).toBe("log in at https://xn--pple-43d.com/login now");
    expect(await hit.locator("mark").allTextContents()).toEqual(["login"]);
    expect(problems.list).toEqual([]);
  });

  it("marks a search hit's punycode host whole when the query matched a word inside it, not only its start", async () => {
    const { problems, person } = world(suite);
    const room = "links-mark";
    // "bücher" is a word of the host "my-bücher.de", which shows as xn--my-bcher-95a.de from its first letter on.
    await suite.server.seed(room, [{ sender: "Cleo", content: "shop at https://my-bücher.de today" }]);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", room);

    await page.fill("#search-input", "bücher");
    await page.press("#search-input", "Enter");
    const hit = page.locator("#search-results li.search-hit .search-hit__text").first();
    await hit.waitFor();
    expect(await hit.textContent()).toBe("shop at https://xn--my-bcher-95a.de today");
    expect(await hit.locator("mark").allTextContents()).toEqual(["xn--my-bcher-95a"]);
    expect(problems.list).toEqual([]);
  });

  it("shows the punycode host in the delete dialog's preview of the message", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "links-delete");
    // Not send(): it waits for the message to read as typed, which this one must not.
    await page.fill("#message-content", "log in at https://аpple.com/login now");
    await page.press("#message-content", "Enter");
    const shown = "log in at https://xn--pple-43d.com/login now";
    await sentMessage(page, shown).waitFor();

    await sentMessage(page, shown).locator(".msg__action[data-action=delete]").focus();
    await page.keyboard.press("Enter");
    await page.locator("#confirm-dialog").waitFor({ state: "visible" });
    expect(await page.textContent("#confirm-text")).toBe(`This deletes your message for everyone: “${shown}”`);
    expect(problems.list).toEqual([]);
  });
});
