// A message deleted before the reader saw it stops counting: the room's unread badge, its mention badge and the tab
// title go down, whether the delete arrives live or in a rejoin's `changed`, and after a reload too (the page keeps
// which messages it counted). A delete of a message already read changes nothing, and the "New messages" line
// never points at a deleted message.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import { join, joinAnotherRoom, openFromSidebar, sentMessage, waitInRoom } from "./helpers/browser.js";
import { holdHandshakes, type NodeClient } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "50" } });

async function say(ben: NodeClient, room: string, content: string): Promise<WireMessage> {
  const res = await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function remove(ben: NodeClient, room: string, id: number): Promise<void> {
  const res = await ben.timeout(5000).emitWithAck("delete_message", { room, id });
  if (!res.ok) throw new Error(`delete failed: ${res.error.code}`);
}

/** What the sidebar and the title say, once they say exactly this. */
async function waitForBadges(page: Page, want: { counts: Record<string, string>; mentions: string[]; title: string }): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const counts: Record<string, string> = {};
      const mentions: string[] = [];
      for (const a of document.querySelectorAll("#sidebar-list a.sidebar__room")) {
        const name = a.querySelector(".sidebar__name")?.textContent ?? "";
        counts[name] = a.querySelector(".sidebar__count [aria-hidden]")?.textContent ?? "";
        if (a.querySelector(".sidebar__mention") !== null) mentions.push(name);
      }
      return JSON.stringify({ counts, mentions, title: document.title }) === JSON.stringify(w);
    },
    want,
    { timeout: 10_000 },
  );
}




describe("unread counts and deleted messages", () => {
  it("a message deleted before it was read stops counting: live, in a rejoin's changes, after a reload; a read one changes nothing", async () => {
    const { problems, person } = world(suite);
    const server = suite.server;
    const ana = await person("ana");
    const ben = await server.joined("alpha", "Ben", { session: server.newSession() });
    await join(ana.page, server.url, "Ana", "alpha");
    await joinAnotherRoom(ana.page, "beta"); // alpha is off screen from now on

    const first = await say(ben, "alpha", "first");
    const mention = await say(ben, "alpha", "@Ana look at this");
    const third = await say(ben, "alpha", "third");
    await waitForBadges(ana.page, { counts: { alpha: "3", beta: "" }, mentions: ["alpha"], title: "(3) @ \u2068beta\u2069 · Messenger Room" });

    // Live: Ben takes the mention back; the badge, the mention badge and the title follow.
    await remove(ben, "alpha", mention.id);
    await waitForBadges(ana.page, { counts: { alpha: "2", beta: "" }, mentions: [], title: "(2) \u2068beta\u2069 · Messenger Room" });

    // While the page's connection is down: the rejoin's `changed` carries the delete.
    const { release } = holdHandshakes(suite.server);
    for (const s of server.app.io.sockets.sockets.values()) if (s.data.rooms.get("alpha") === "Ana") s.conn.close();
    await ana.page.locator("#connection-banner", { hasText: "Reconnecting…" }).waitFor();
    await remove(ben, "alpha", first.id);
    release();
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    await waitForBadges(ana.page, { counts: { alpha: "1", beta: "" }, mentions: [], title: "(1) \u2068beta\u2069 · Messenger Room" });

    // After a reload the page still knows which message it counted: its delete takes it back.
    await ana.page.reload();
    await waitInRoom(ana.page, "beta");
    await waitForBadges(ana.page, { counts: { alpha: "1", beta: "" }, mentions: [], title: "(1) \u2068beta\u2069 · Messenger Room" });
    const fourth = await say(ben, "alpha", "fourth");
    await waitForBadges(ana.page, { counts: { alpha: "2", beta: "" }, mentions: [], title: "(2) \u2068beta\u2069 · Messenger Room" });
    await remove(ben, "alpha", third.id);
    await waitForBadges(ana.page, { counts: { alpha: "1", beta: "" }, mentions: [], title: "(1) \u2068beta\u2069 · Messenger Room" });

    // The "New messages" line sits above the first unread message still there, not above a deleted one.
    await openFromSidebar(ana.page, "alpha");
    await sentMessage(ana.page, "fourth").waitFor();
    await waitForBadges(ana.page, { counts: { alpha: "", beta: "" }, mentions: [], title: "\u2068alpha\u2069 · Messenger Room" });
    expect(await ana.page.locator("#messages .unread-line ~ li.msg").first().locator(".msg__text").textContent()).toBe("fourth");

    // A delete of a message already read takes nothing from what is unread now (never below what is there).
    await openFromSidebar(ana.page, "beta");
    await say(ben, "alpha", "fifth");
    await waitForBadges(ana.page, { counts: { alpha: "1", beta: "" }, mentions: [], title: "(1) \u2068beta\u2069 · Messenger Room" });
    await remove(ben, "alpha", fourth.id);
    await say(ben, "alpha", "sixth"); // a fence: the delete before it has been handled once this one counts
    await waitForBadges(ana.page, { counts: { alpha: "2", beta: "" }, mentions: [], title: "(2) \u2068beta\u2069 · Messenger Room" });
    ben.close();
    expect(problems.list).toEqual([]);
  });
});
