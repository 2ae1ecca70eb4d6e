// Several rooms in one page (issue 13 section 1): the sidebar with unread counts and mentions, instant
// switching that keeps each room's scroll position and draft, one connection for every room, leaving for
// real, rooms remembered across a reload (rejoined with `since`), the title, and the drawer at 360 px.
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page, WebSocket } from "playwright-core";
import { join, joinAnotherRoom, messageTexts, notice, openFromSidebar, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { type NodeClient } from "./helpers/server.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

interface SidebarRoom {
  room: string;
  count: string;
  mention: boolean;
  dot: boolean;
  current: boolean;
}

/** The sidebar as the reader sees it: each room, its unread number, its mention badge, the current one. */
function sidebar(page: Page): Promise<SidebarRoom[]> {
  return page.locator("#sidebar-list a.sidebar__room").evaluateAll((links) =>
    links.map((a) => ({
      room: a.querySelector(".sidebar__name")?.textContent ?? "",
      count: a.querySelector(".sidebar__count [aria-hidden]")?.textContent ?? "",
      mention: a.querySelector(".sidebar__mention") !== null,
      dot: a.querySelector(".sidebar__dot") !== null,
      current: a.getAttribute("aria-current") === "page",
    })),
  );
}

/** Waits until the sidebar shows these counts ("" for none), room by room. */
async function waitForCounts(page: Page, counts: Record<string, string>): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const got: Record<string, string> = {};
      for (const a of document.querySelectorAll("#sidebar-list a.sidebar__room")) {
        got[a.querySelector(".sidebar__name")?.textContent ?? ""] = a.querySelector(".sidebar__count [aria-hidden]")?.textContent ?? "";
      }
      return JSON.stringify(got) === JSON.stringify(want);
    },
    counts,
    { timeout: 10_000 },
  );
}

/** Names of the events the page sends on its socket (join_chat, fetch_history, ...), from now on. */
function watchSentEvents(page: Page): string[] {
  const sent: string[] = [];
  const onFrame = (frame: { payload: string | Buffer }) => {
    const m = /^\d+\d*\["([a-z_]+)"/.exec(String(frame.payload));
    if (m?.[1]) sent.push(m[1]);
  };
  page.on("websocket", (ws: WebSocket) => ws.on("framesent", onFrame));
  return sent;
}

async function say(client: NodeClient, room: string, content: string): Promise<void> {
  const res = await client.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
}

describe("several rooms in one page", () => {
  it("joins three rooms on one connection; counts unread and mentions per room, right after switching and after a reload", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    const frames = watchSentEvents(ana.page);
    await join(ana.page, suite.server.url, "Ana", "alpha");
    await joinAnotherRoom(ana.page, "beta");
    await joinAnotherRoom(ana.page, "gamma");
    expect(await sidebar(ana.page)).toEqual([
      { room: "alpha", count: "", mention: false, dot: false, current: false },
      { room: "beta", count: "", mention: false, dot: false, current: false },
      { room: "gamma", count: "", mention: false, dot: false, current: true },
    ]);
    // One Socket.IO connection carries the three rooms.
    const ids = await Promise.all(["alpha", "beta", "gamma"].map(async (r) => (await suite.server.app.io.in(r).fetchSockets()).map((s) => s.id)));
    expect(ids[0]).toHaveLength(1);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);

    const ben = await suite.server.joined("alpha", "Ben");
    await ben.timeout(5000).emitWithAck("join_chat", { room: "beta", username: "Ben" });
    await say(ben, "alpha", "first in alpha");
    await say(ben, "alpha", "@Ana look at this");
    await say(ben, "beta", "one in beta");
    await waitForCounts(ana.page, { alpha: "2", beta: "1", gamma: "" });
    expect((await sidebar(ana.page)).map((r) => r.mention)).toEqual([true, false, false]);
    await ana.page.waitForFunction(() => document.title === "(3) @ \u2068gamma\u2069 · Messenger Room");

    // Switching is instant: no join, no history fetched again; alpha is read, beta still counts.
    const before = frames.length;
    await openFromSidebar(ana.page, "alpha");
    await sentMessage(ana.page, "@Ana look at this").waitFor();
    await waitForCounts(ana.page, { alpha: "", beta: "1", gamma: "" });
    await ana.page.waitForFunction(() => document.title === "(1) \u2068alpha\u2069 · Messenger Room");
    expect(frames.slice(before).filter((e) => e === "join_chat" || e === "fetch_history")).toEqual([]);
    expect(new URL(ana.page.url()).pathname).toBe("/r/alpha");
    // The "New messages" line sits right above the first message that was unread.
    expect(await ana.page.locator("#messages .unread-line + li .msg__text, #messages .unread-line + .day + li .msg__text").first().textContent()).toBe("first in alpha");

    // Away for the night: the page is gone while Ben writes; back (a reload of its own address), every
    // room is rejoined with since, and the counts are right.
    await ana.page.goto("about:blank");
    await ben.timeout(5000).emitWithAck("join_chat", { room: "gamma", username: "Ben" });
    await say(ben, "gamma", "gamma while you slept");
    await say(ben, "gamma", "@Ana wake up");
    await say(ben, "beta", "beta while you slept");
    await ana.page.goBack();
    await waitInRoom(ana.page, "alpha");
    await waitForCounts(ana.page, { alpha: "", beta: "2", gamma: "2" });
    expect((await sidebar(ana.page)).map((r) => r.mention)).toEqual([false, false, true]);
    await ana.page.waitForFunction(() => document.title === "(4) @ \u2068alpha\u2069 · Messenger Room");

    await openFromSidebar(ana.page, "gamma");
    await sentMessage(ana.page, "@Ana wake up").waitFor();
    await waitForCounts(ana.page, { alpha: "", beta: "2", gamma: "" });
    expect(await ana.page.locator("#messages .unread-line + li .msg__text, #messages .unread-line + .day + li .msg__text").first().textContent()).toBe("gamma while you slept");
    // Back follows the switches.
    await ana.page.goBack();
    await waitInRoom(ana.page, "alpha");

    // The home page of a new visit: the join form, with every remembered room rejoined in the sidebar.
    await ana.page.goto("about:blank");
    await ana.page.goto(`${suite.server.url}/`);
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    await waitForCounts(ana.page, { alpha: "", beta: "2", gamma: "" });
    await ana.page.waitForFunction(() => document.title === "(2) Messenger Room");
    await say(ben, "gamma", "while on the home page");
    await waitForCounts(ana.page, { alpha: "", beta: "2", gamma: "1" });
    ben.close();
    expect(problems.list).toEqual([]);
  });

  it("Leave leaves for real: out of the sidebar, the server and storage, and not back after a reload", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ben.page, suite.server.url, "Ben", "lobby");
    await join(ana.page, suite.server.url, "Ana", "lobby");
    await joinAnotherRoom(ana.page, "kitchen");
    await waitForPresence(ben.page, ["Ana", "Ben"]);

    await openFromSidebar(ana.page, "lobby");
    await ana.page.click("#leave-button");
    // The next room takes the screen; the one left is gone from the sidebar and from the server.
    await waitInRoom(ana.page, "kitchen");
    expect((await sidebar(ana.page)).map((r) => r.room)).toEqual(["kitchen"]);
    await notice(ben.page, "Ana has left the chat.").waitFor();
    await waitForPresence(ben.page, ["Ben"]);
    expect(await suite.server.app.presence.users("lobby")).toEqual(["Ben"]);
    const stored = await ana.page.evaluate(() => JSON.parse(localStorage.getItem("messenger-room:rooms") ?? "[]") as { room: string }[]);
    expect(stored.map((r) => r.room)).toEqual(["kitchen"]);

    await ana.page.reload();
    await waitInRoom(ana.page, "kitchen");
    expect((await sidebar(ana.page)).map((r) => r.room)).toEqual(["kitchen"]);
    expect(await suite.server.app.presence.users("lobby")).toEqual(["Ben"]);

    // Leaving the last room goes home, with no sidebar.
    await ana.page.click("#leave-button");
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(await ana.page.locator("#sidebar").isHidden()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("keeps each room's draft and scroll position; Alt+Arrow keys move between rooms", async () => {
    const { problems, person } = world(suite);
    await suite.server.seed(
      "long",
      Array.from({ length: 80 }, (_, i) => ({ sender: "Ben", content: `line ${i + 1}` })),
    );
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "long");
    await joinAnotherRoom(ana.page, "short");
    await ana.page.fill("#message-content", "a thought for short");

    await openFromSidebar(ana.page, "long");
    expect(await ana.page.inputValue("#message-content")).toBe("");
    await ana.page.fill("#message-content", "half-written in long");
    // Scrolled up to a point in the middle of the history.
    await ana.page.locator("#message-list").evaluate((el) => (el.scrollTop = 400));
    const top = await ana.page.locator("#message-list").evaluate((el) => el.scrollTop);

    await ana.page.keyboard.press("Alt+ArrowDown");
    await waitInRoom(ana.page, "short");
    expect(await ana.page.inputValue("#message-content")).toBe("a thought for short");

    await ana.page.keyboard.press("Alt+ArrowUp");
    await waitInRoom(ana.page, "long");
    expect(await ana.page.inputValue("#message-content")).toBe("half-written in long");
    expect(await ana.page.locator("#message-list").evaluate((el) => el.scrollTop)).toBe(top);
    expect(await ana.page.locator("#new-messages").isHidden()).toBe(true);
    // A draft is never sent by switching.
    await send(ana.page, "sent from long");
    await openFromSidebar(ana.page, "short");
    expect(await ana.page.inputValue("#message-content")).toBe("a thought for short");
    expect(await sentMessage(ana.page, "sent from long").count()).toBe(0);
    expect(problems.list).toEqual([]);
  });

  it("after a server restart every room catches up: missed messages once each, counted in the rooms off screen", async () => {
    const { problems, person } = world(suite);
    const server = suite.server;
    const ana = await person("ana");
    await join(ana.page, server.url, "Ana", "one");
    await joinAnotherRoom(ana.page, "two");
    await send(ana.page, "before in two");

    problems.allowNetworkErrors = true;
    await server.stop();
    await ana.page.locator("#connection-banner", { hasText: "Server restarting…" }).waitFor();
    await ana.page.fill("#message-content", "offline in two");
    await ana.page.press("#message-content", "Enter");
    await ana.page.locator("#messages li.msg--pending", { hasText: "offline in two" }).waitFor();
    const door = await server.sideDoor();
    const cleo = await door.joined("one", "Cleo");
    await cleo.timeout(5000).emitWithAck("join_chat", { room: "two", username: "Cleo" });
    for (const [room, content] of [["one", "missed 1"], ["one", "missed 2"], ["one", "missed 3"], ["two", "missed in two"]] as const) {
      const res = await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content });
      expect(res.ok).toBe(true);
    }
    await door.close();
    await server.start();
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    await sentMessage(ana.page, "offline in two").waitFor();
    problems.allowNetworkErrors = false;

    await waitForCounts(ana.page, { one: "3", two: "" });
    expect(await messageTexts(ana.page)).toEqual(["before in two", "missed in two", "offline in two"]);
    await openFromSidebar(ana.page, "one");
    await sentMessage(ana.page, "missed 3").waitFor();
    expect(await messageTexts(ana.page)).toEqual(["missed 1", "missed 2", "missed 3"]);
    await waitForCounts(ana.page, { one: "", two: "" });
    expect(problems.list).toEqual([]);
  });

  it("a muted room shows only a dot and leaves the title; completion offers the people of the room on screen", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "muted-room");
    await ana.page.selectOption("#notify-level", "none");
    await joinAnotherRoom(ana.page, "busy-room");
    const ben = await suite.server.joined("muted-room", "Ben");
    await ben.timeout(5000).emitWithAck("join_chat", { room: "busy-room", username: "Ben" });
    const cleo = await suite.server.joined("busy-room", "Cleo");
    await say(ben, "muted-room", "@Ana in the muted room");
    await say(ben, "busy-room", "in the busy room");
    await waitForCounts(ana.page, { "muted-room": "", "busy-room": "" });
    await ana.page.waitForFunction(() => document.querySelector("#sidebar-list a[data-room='muted-room'] .sidebar__dot") !== null);
    expect((await sidebar(ana.page)).map((r) => [r.room, r.dot, r.mention])).toEqual([
      ["muted-room", true, false],
      ["busy-room", false, false],
    ]);
    expect(await ana.page.title()).toBe("\u2068busy-room\u2069 · Messenger Room");

    // "@" in the box offers the people of the room on screen, not of the other rooms.
    await ana.page.fill("#message-content", "");
    await ana.page.type("#message-content", "@");
    await ana.page.locator("#mention-list [role=option]").first().waitFor();
    expect(await ana.page.locator("#mention-list [role=option]").allTextContents()).toEqual(["Ben", "Cleo"]);
    await ana.page.keyboard.press("Escape");
    await openFromSidebar(ana.page, "muted-room");
    expect(await ana.page.inputValue("#notify-level")).toBe("none");
    await ana.page.fill("#message-content", "");
    await ana.page.type("#message-content", "@");
    await ana.page.locator("#mention-list [role=option]").first().waitFor();
    expect(await ana.page.locator("#mention-list [role=option]").allTextContents()).toEqual(["Ben"]);
    ben.close();
    cleo.close();
    expect(problems.list).toEqual([]);
  });

  it("a moderator removing the reader from one room takes only that room away; the others keep working", async () => {
    const { problems, person } = world(suite);
    const [mod, ben] = await Promise.all([person("mod"), person("ben")]);
    await signInAsModerator(mod.page, suite.server.url);
    await join(ben.page, suite.server.url, "Ben", "quiet");
    await joinAnotherRoom(ben.page, "loud");
    await join(mod.page, suite.server.url, "Mod", "quiet");
    await waitForPresence(mod.page, ["Ben", "Mod"]);

    // Ben reads "loud" while the moderator takes him out of "quiet".
    await mod.page.click("#presence-list button[aria-label='Kick Ben']");
    await mod.page.click("#confirm-ok");
    await waitForPresence(mod.page, ["Mod"]);
    await ben.page.waitForFunction(() => [...document.querySelectorAll("#sidebar-list .sidebar__name")].map((e) => e.textContent).join() === "loud");
    expect(await ben.page.locator("#live-region").innerText()).toContain("A moderator removed you from quiet.");
    expect(new URL(ben.page.url()).pathname).toBe("/r/loud");
    await send(ben.page, "still here in loud");
    expect(await suite.server.app.presence.users("loud")).toEqual(["Ben"]);
    const stored = await ben.page.evaluate(() => JSON.parse(localStorage.getItem("messenger-room:rooms") ?? "[]") as { room: string }[]);
    expect(stored.map((r) => r.room)).toEqual(["loud"]);
    expect(problems.list).toEqual([]);
  });

  it("under 768 px the sidebar is a drawer: the Rooms button opens it, Escape closes it and the focus comes back", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { viewport: { width: 360, height: 640 }, bypassCSP: true });
    await join(ana.page, suite.server.url, "Ana", "north");
    await joinAnotherRoom(ana.page, "south");
    const nav = ana.page.locator("#sidebar");
    const toggle = ana.page.locator("#rooms-toggle");
    await nav.waitFor({ state: "hidden" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");

    await toggle.click();
    await nav.waitFor({ state: "visible" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute("aria-current"))).toBe("page");
    expect(await ana.page.evaluate(() => document.activeElement?.textContent)).toContain("south");
    expect(await blockingFindings(ana.page, "drawer")).toEqual([]);

    await ana.page.keyboard.press("Escape");
    await nav.waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("rooms-toggle");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");

    // Picking a room closes the drawer and switches.
    await toggle.click();
    await nav.waitFor({ state: "visible" });
    await openFromSidebar(ana.page, "north");
    await nav.waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-content");

    // Tabbing out of the open drawer closes it rather than trapping the focus.
    await toggle.click();
    await nav.waitFor({ state: "visible" });
    await ana.page.locator("#sidebar-list a").last().focus();
    await ana.page.keyboard.press("Tab");
    await nav.waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("rooms-toggle");
    expect(problems.list).toEqual([]);
  });

  it("takes the sidebar screenshots for the docs (wide, and the drawer at 360 px)", async () => {
    const { problems, person } = world(suite);
    await suite.server.seed("weekend-hike", [
      { sender: "Ben", content: "Anyone up for a hike on Saturday?" },
      { sender: "Cleo", content: "Yes! The ridge trail or the lake loop?" },
    ]);
    const [ana, phone] = await Promise.all([
      person("ana", { viewport: { width: 1000, height: 640 }, deviceScaleFactor: 1 }),
      person("ana-phone", { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
    ]);
    for (const page of [ana.page, phone.page]) {
      await join(page, suite.server.url, page === ana.page ? "Ana" : "Ann", "book-club");
      await joinAnotherRoom(page, "kitchen");
      await joinAnotherRoom(page, "weekend-hike");
    }
    const ben = await suite.server.joined("book-club", "Ben");
    await ben.timeout(5000).emitWithAck("join_chat", { room: "kitchen", username: "Ben" });
    await say(ben, "book-club", "Chapter 3 tonight?");
    await say(ben, "book-club", "@Ana @Ann you picked it, you lead");
    await say(ben, "kitchen", "Who took the last coffee filter?");
    await waitForCounts(ana.page, { "book-club": "2", kitchen: "1", "weekend-hike": "" });
    await ana.page.locator("#message-content").blur();
    const dir = screenshotDir();
    await ana.page.screenshot({ path: joinPath(dir, "screenshot-rooms.png") });
    await waitForCounts(phone.page, { "book-club": "2", kitchen: "1", "weekend-hike": "" });
    await phone.page.click("#rooms-toggle");
    await phone.page.locator("#sidebar").waitFor({ state: "visible" });
    await phone.page.waitForFunction(() => getComputedStyle(document.getElementById("sidebar") as HTMLElement).transform === "none");
    await phone.page.screenshot({ path: joinPath(dir, "screenshot-rooms-mobile.png") });
    ben.close();
    expect(problems.list).toEqual([]);
  });

  it("the sidebar with counts, a mention and the room on screen passes axe, light and dark", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", { bypassCSP: true });
    await join(ana.page, suite.server.url, "Ana", "east");
    await joinAnotherRoom(ana.page, "west");
    const ben = await suite.server.joined("east", "Ben");
    await say(ben, "east", "@Ana over here");
    await say(ben, "east", "and again");
    await waitForCounts(ana.page, { east: "2", west: "" });
    expect(await ana.page.locator("#sidebar-list a.sidebar__room").first().innerText()).toContain("east");
    // Read out as words, not as "@" and "2".
    await ana.page.getByRole("link", { name: /^#?\s*east\s+as Ana\s*,\s*mentions you\s*,\s*2 unread$/ }).waitFor();
    expect(await blockingFindings(ana.page, "sidebar")).toEqual([]);
    // The home view with the sidebar beside the join form.
    await ana.page.click("#sidebar-join");
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(await blockingFindings(ana.page, "home with sidebar")).toEqual([]);
    ben.close();
    expect(problems.list).toEqual([]);
  });
});
