// "New messages ↓" pressed from the keyboard: the button hides once the newest message is in view, and the focus
// used to fall to the page's body; it goes to the message list, where the reader now is (found by the third
// walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { join, notice, send, sentMessage } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("the New messages button by keyboard", () => {
  it("takes the reader to the newest message and leaves the focus on the message list", async () => {
    const { problems, person } = world(suite);
    await suite.server.seed("new-focus", Array.from({ length: 40 }, (_, i) => ({ sender: "Cleo", content: `earlier ${i + 1}` })));
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "new-focus");
    await join(ben.page, suite.server.url, "Ben", "new-focus");
    await notice(ana.page, "Ben has joined the chat.").waitFor();

    await ana.page.evaluate(() => ((document.getElementById("message-list") as HTMLElement).scrollTop = 100));
    await ana.page.waitForFunction(() => (document.getElementById("message-list") as HTMLElement).scrollTop === 100);
    await send(ben.page, "while you read");
    await sentMessage(ana.page, "while you read").waitFor({ state: "attached" });
    const button = ana.page.locator("#new-messages", { hasText: "New messages ↓" });
    await button.waitFor();

    await button.focus();
    await ana.page.keyboard.press("Enter");
    await ana.page.locator("#new-messages").waitFor({ state: "hidden" });
    await sentMessage(ana.page, "while you read").waitFor(); // in view
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-list");
    expect(problems.list).toEqual([]);
  });
});
