// The screen-reader live region (#live-region) and the messages it quotes: a message read out as it arrives
// ("Ana: hi") is edited or deleted afterwards. A deleted message's text must not stay readable there (nor wait
// there to be read out), whoever deleted it; an edited one's line reads the new text.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, send, sentMessage, waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

const announcements = (page: Page): Promise<string[]> => page.locator("#live-region p").allTextContents();
const tombstone = (page: Page) => page.locator("#messages li.msg--deleted", { hasText: "message deleted" });

describe("the live region and edited or deleted messages", () => {
  it("reads an edited message's new text, and drops a message its author deleted, keeping the other lines", async () => {
    const { problems, person } = world(suite);
    const room = "live-edits";
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(ben.page, suite.server.url, "Ben", room);
    await waitForPresence(ben.page, ["Ana", "Ben"]);

    await send(ana.page, "helo everyone");
    await sentMessage(ben.page, "helo everyone").waitFor();
    expect(await announcements(ben.page)).toContain("Ana: helo everyone");

    // Up arrow in the empty composer edits Ana's last message.
    await ana.page.focus("#message-content");
    await ana.page.keyboard.press("ArrowUp");
    const editor = ana.page.locator("#messages textarea.msg__editbox");
    await editor.fill("hello everyone");
    await ana.page.keyboard.press("Enter");
    await sentMessage(ben.page, "hello everyone").locator(".msg__edited").waitFor();
    const afterEdit = await announcements(ben.page);
    expect(afterEdit).toContain("Ana: hello everyone");
    expect(afterEdit.join("\n")).not.toContain("helo");

    await send(ana.page, "my password is hunter2");
    await sentMessage(ben.page, "my password is hunter2").waitFor();
    expect(await announcements(ben.page)).toContain("Ana: my password is hunter2");
    const secret = sentMessage(ana.page, "my password is hunter2");
    await secret.hover(); // the actions show on hover (or focus)
    await secret.locator(".msg__action[data-action=delete]").click();
    await ana.page.click("#confirm-ok");
    await tombstone(ben.page).waitFor();
    const afterDelete = await announcements(ben.page);
    expect(afterDelete.join("\n")).not.toContain("hunter2");
    expect(afterDelete).toContain("Ana: hello everyone"); // only the deleted message's line went
    expect(problems.list).toEqual([]);
  });

  it("drops a message a moderator deleted from the live region of every page that read it out", async () => {
    const { problems, person } = world(suite);
    const room = "live-moderated";
    const [mod, ana, ben] = await Promise.all([person("mod"), person("ana"), person("ben")]);
    await signInAsModerator(mod.page, suite.server.url);
    await join(mod.page, suite.server.url, "Mod", room);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(ben.page, suite.server.url, "Ben", room);
    await waitForPresence(mod.page, ["Ana", "Ben", "Mod"]);
    await waitForPresence(ana.page, ["Ana", "Ben", "Mod"]);

    await send(ben.page, "something abusive");
    for (const page of [mod.page, ana.page]) {
      await sentMessage(page, "something abusive").waitFor();
      expect(await announcements(page)).toContain("Ben: something abusive");
    }
    const abusive = sentMessage(mod.page, "something abusive");
    await abusive.hover(); // the actions show on hover (or focus)
    await abusive.locator(".msg__action[data-action=delete]").click();
    await mod.page.click("#confirm-ok");
    for (const page of [mod.page, ana.page]) {
      await tombstone(page).waitFor();
      expect((await announcements(page)).join("\n")).not.toContain("abusive");
    }
    expect(problems.list).toEqual([]);
  });
});
