// The tab's title names the room on screen ("general · Messenger Room", a conversation by the other person's name),
// after the unread count of every room: several tabs, and the Back/Forward list (one history entry per room, each
// keeping the title it had), could not be told apart when every title read "(3) Messenger Room". The name sits between U+2068 and U+2069
// (unread.js pageTitle), so a right-to-left name cannot reorder the title's parts.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, joinAnotherRoom, openFromSidebar, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { privateAddress } from "./helpers/private-rooms.js";
import { type NodeClient } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite({ env: { MODERATOR_LOGIN_PER_MINUTE: "30" } });

const waitForTitle = (page: Page, title: string) => page.waitForFunction((t) => document.title === t, title);

/** The titles of the tab's history entries, as the Back/Forward list shows them (oldest first, about:blank left out). */
async function historyTitles(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { entries } = await cdp.send("Page.getNavigationHistory");
  await cdp.detach();
  return entries.filter((e) => e.url !== "about:blank").map((e) => e.title);
}

async function say(socket: NodeClient, room: string, content: string): Promise<void> {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content });
  expect(res).toMatchObject({ ok: true });
}

describe("the tab's title", () => {
  it("names the room on screen after join and after a switch, behind the other rooms' unread count, and each history entry keeps its room's", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await page.goto(`${suite.server.url}/`);
    expect(await page.title()).toBe("Messenger Room"); // the join form names no room
    await join(page, suite.server.url, "Ana", "general");
    await waitForTitle(page, "\u2068general\u2069 · Messenger Room");
    await joinAnotherRoom(page, "random");
    await waitForTitle(page, "\u2068random\u2069 · Messenger Room");

    const ben = await suite.server.joined("general", "Ben");
    await say(ben, "general", "one");
    await say(ben, "general", "@Ana two");
    await waitForTitle(page, "(2) @ \u2068random\u2069 · Messenger Room");

    await openFromSidebar(page, "general");
    await waitForTitle(page, "\u2068general\u2069 · Messenger Room");
    // Each entry keeps the title it had when the next was pushed: the join form's ("+ Join") names no room, and
    // random's still counts what was unread in general then.
    const entries = ["Messenger Room", "\u2068general\u2069 · Messenger Room", "Messenger Room", "(2) @ \u2068random\u2069 · Messenger Room", "\u2068general\u2069 · Messenger Room"];
    await expect.poll(() => historyTitles(page)).toEqual(entries);

    await page.goBack();
    await waitInRoom(page, "random");
    expect(await page.title()).toBe("\u2068random\u2069 · Messenger Room");
    await page.goBack();
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(await page.title()).toBe("Messenger Room");
    await page.goBack();
    await waitInRoom(page, "general");
    expect(await page.title()).toBe("\u2068general\u2069 · Messenger Room");

    // Leaving the last room: the home page's title again.
    await page.click("#leave-button");
    await waitInRoom(page, "random");
    expect(await page.title()).toBe("\u2068random\u2069 · Messenger Room");
    await page.click("#leave-button");
    await page.locator("#home-view").waitFor({ state: "visible" });
    await waitForTitle(page, "Messenger Room");
    ben.close();
    expect(problems.list).toEqual([]);
  });

  it("isolates a right-to-left room name (U+2068 ... U+2069), the count before it and the app's name after it", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    const hebrew = "טיול-סוף-שבוע";
    await join(page, suite.server.url, "Ana", "general");
    await joinAnotherRoom(page, hebrew);
    await waitForTitle(page, `\u2068${hebrew}\u2069 · Messenger Room`);
    const ben = await suite.server.joined("general", "Ben");
    await say(ben, "general", "one");
    await waitForTitle(page, `(1) \u2068${hebrew}\u2069 · Messenger Room`);
    ben.close();
    expect(problems.list).toEqual([]);
  });

  it("names a direct conversation by the other person, and never shows its address", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    await join(ana.page, suite.server.url, "Ana", "lobby");
    await join(bob.page, suite.server.url, "Bob", "lobby");
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await ana.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(ana.page, "Bob");
    await waitForTitle(ana.page, "\u2068Bob\u2069 · Messenger Room");
    expect(await ana.page.title()).not.toContain(privateAddress(ana.page));
    expect(problems.list).toEqual([]);
  });

  it("follows a room a moderator made private to its new address, by the name the room bar shows", async () => {
    const { problems, person } = world(suite);
    const [mod, ben] = await Promise.all([person("mod"), person("ben")]);
    await signInAsModerator(mod.page, suite.server.url);
    await join(ben.page, suite.server.url, "Ben", "plans");
    await join(mod.page, suite.server.url, "Mod", "plans");
    await waitForTitle(ben.page, "\u2068plans\u2069 · Messenger Room");

    await mod.page.click("#privacy-button");
    await mod.page.click("#confirm-ok");
    await ben.page.waitForFunction(() => /^\/r\/~[A-Za-z0-9_-]{22}$/.test(location.pathname));
    await waitInRoom(ben.page, "plans");
    await waitForTitle(ben.page, "\u2068plans\u2069 · Messenger Room");
    expect(await ben.page.title()).not.toContain(privateAddress(ben.page));
    expect(problems.list).toEqual([]);
  });
});
