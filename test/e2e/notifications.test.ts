// Notifications (issue 13 §3) in Chromium: the permission granted through the browser context, Notification
// construction observed by an init script that wraps window.Notification, and Bob's page made hidden.
//
// Hidden: headless Chromium reports every page as visible (a second tab brought to front and a window
// minimised with CDP Browser.setWindowBounds both leave document.visibilityState "visible", and CDP has no
// visibility override), so setHidden() redefines document.hidden / visibilityState on Bob's page and
// dispatches visibilitychange, which is exactly what the page reads and listens to. What it does not
// reproduce is the rest of a hidden tab (throttled timers, no animation frames).
import { describe, expect, it } from "vitest";
import { join, sentMessage, waitInRoom } from "./helpers/browser.js";
import { closedNotes, notes, observeNotifications, setHidden } from "./helpers/notifications.js";
import { blockingFindings } from "./helpers/axe.js";
import { browserSuite, world } from "./helpers/suite.js";

/** Short, so the summary test awaits it rather than 10 s. */
const INTERVAL_MS = 1000;
const suite = browserSuite({ env: { NOTIFY_INTERVAL_MS: String(INTERVAL_MS) } });

/** Bob in `room` with notifications allowed, his page hidden, and Ana (a Node client) there too. */
async function bobAway(room: string) {
  const { problems, person } = world(suite);
  const bob = await person("bob", { bypassCSP: true });
  await observeNotifications(bob.context);
  await bob.context.grantPermissions(["notifications"], { origin: suite.server.url });
  await join(bob.page, suite.server.url, "Bob", room);
  const ana = await suite.server.joined(room, "Ana");
  const say = async (content: string) => {
    const res = await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content });
    if (!res.ok) throw new Error(res.error.message);
    await sentMessage(bob.page, content).waitFor(); // on Bob's screen: the notification was decided with it
    return res.message;
  };
  await setHidden(bob.page, true);
  return { problems, bob, page: bob.page, say, ana };
}

describe("notifications", () => {
  it("notifies a hidden page of a mention; clicking it focuses the window and opens the message", async () => {
    const room = "notify-mention";
    const { problems, page, say } = await bobAway(room);
    const mention = await say("@Bob <b>lunch</b> at noon?");
    expect(await notes(page)).toEqual([{ title: `#${room}`, body: "Ana: @Bob <b>lunch</b> at noon?", tag: `messenger-room:${room}` }]);

    // The reader is back: the click in the OS arrives as a click event on the notification.
    await setHidden(page, false);
    await page.focus("#message-content");
    await page.evaluate(() => window.__notes[0]?.instance.dispatchEvent(new Event("click")));
    await page.waitForFunction((id) => document.activeElement?.closest("li")?.getAttribute("data-id") === String(id), mention.id);
    expect(await page.evaluate(() => window.__focusCalls)).toBe(1);
    expect(problems.list).toEqual([]);
  });

  it("opens the room of a notification that is not on screen, at the message", async () => {
    const away = "notify-away";
    const { problems, page, ana } = await bobAway(away);
    // Bob joins a second room, which takes the screen; the first stays joined in the sidebar.
    await page.click("#sidebar-join");
    await page.fill("#room-name", "notify-front");
    await page.press("#room-name", "Enter");
    await waitInRoom(page, "notify-front");
    const res = await ana.timeout(5000).emitWithAck("send_message", { room: away, username: "Ana", content: "@Bob over here" });
    if (!res.ok) throw new Error(res.error.message);
    await page.waitForFunction(() => window.__notes.length === 1);
    expect(await notes(page)).toEqual([{ title: `#${away}`, body: "Ana: @Bob over here", tag: `messenger-room:${away}` }]);

    await setHidden(page, false);
    await page.evaluate(() => window.__notes[0]?.instance.dispatchEvent(new Event("click")));
    await waitInRoom(page, away);
    await page.waitForFunction((id) => document.activeElement?.closest("li")?.getAttribute("data-id") === String(id), res.message.id);
    expect(page.url()).toMatch(new RegExp(`/r/${away}`));
    expect(problems.list).toEqual([]);
  });

  it("follows the room's level: a plain message notifies at all messages only, a muted room never", async () => {
    const room = "notify-levels";
    const { problems, page, say } = await bobAway(room);
    const level = page.getByLabel("Notify", { exact: true });
    expect(await level.inputValue()).toBe("mentions");

    await say("plain words"); // mentions only: nothing
    expect(await notes(page)).toEqual([]);

    await level.selectOption({ label: "All messages" });
    await say("more plain words");
    expect((await notes(page)).map((n) => n.body)).toEqual(["Ana: more plain words"]);

    await level.selectOption({ label: "Nothing (muted)" });
    await say("@Bob are you there?");
    expect(await notes(page)).toHaveLength(1);

    // The level is kept per room in this browser: a reload shows it again.
    await page.reload();
    await page.locator("#chat-view").waitFor();
    await page.waitForFunction(() => (document.getElementById("notify-level") as HTMLSelectElement).value === "none");
    expect(problems.list).toEqual([]);
  });

  it("sends one notification per interval and sums the rest into a summary when it ends", async () => {
    const room = "notify-burst";
    const { problems, page, say } = await bobAway(room);
    for (const n of [1, 2, 3]) await say(`@Bob ping ${n}`);
    expect((await notes(page)).map((n) => n.body)).toEqual(["Ana: @Bob ping 1"]);
    await page.waitForFunction(() => window.__notes.length === 2, null, { timeout: 10 * INTERVAL_MS });
    expect((await notes(page))[1]).toEqual({ title: `#${room}`, body: `2 mentions in #${room}\nAna: @Bob ping 3`, tag: `messenger-room:${room}` });
    expect(problems.list).toEqual([]);
  });

  it("closes the notification of a message that is deleted while it is on screen", async () => {
    const room = "notify-deleted";
    const { problems, page, say, ana } = await bobAway(room);
    // One message only: a second would be summed up on the interval's timer (notifications.test.ts in test/ holds
    // the summary's rules on a clock it moves).
    const secret = await say("@Bob my password is hunter2");
    expect(await closedNotes(page)).toEqual([false]);
    expect((await ana.timeout(5000).emitWithAck("delete_message", { room, id: secret.id })).ok).toBe(true);
    await page.locator("#messages li.msg--deleted", { hasText: "message deleted" }).waitFor();
    expect(await closedNotes(page)).toEqual([true]);
    expect(problems.list).toEqual([]);
  });

  it("never notifies of the history replayed on join or what is caught up after a reconnect", async () => {
    const room = "notify-replay";
    const server = suite.server;
    const { problems, person } = world(suite);
    const bob = await person("bob");
    await observeNotifications(bob.context);
    await bob.context.grantPermissions(["notifications"], { origin: server.url });
    const page = bob.page;
    await join(page, server.url, "Bob", room);
    await page.getByLabel("Notify", { exact: true }).selectOption("all"); // any message would do
    const ana = await server.joined(room, "Ana");
    await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "@Bob before the reload" });
    await sentMessage(page, "@Bob before the reload").waitFor();

    // Reloaded while hidden: the page is hidden from its first script on, and rejoins with that history.
    await bob.context.addInitScript(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    });
    await page.reload();
    await sentMessage(page, "@Bob before the reload").waitFor();

    // The server restarts; meanwhile Ana writes through another app on the same database; Bob catches up.
    problems.allowNetworkErrors = true;
    await server.stop();
    const door = await server.sideDoor();
    const anaAway = await door.joined(room, "Ana");
    await anaAway.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "written while Bob was away" });
    await door.close();
    await server.start();
    await sentMessage(page, "written while Bob was away").waitFor({ timeout: 20_000 });
    problems.allowNetworkErrors = false;
    expect(await notes(page)).toEqual([]);

    // Live again: that one does notify, so the silence above was about where the messages came from.
    const anaBack = await server.joined(room, "Ana");
    await anaBack.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "live after the restart" });
    await sentMessage(page, "live after the restart").waitFor();
    expect((await notes(page)).map((n) => n.body)).toEqual(["Ana: live after the restart"]);
    expect(problems.list).toEqual([]);
  });

  it("asks for the permission on a click of the bell only, then shows it on", async () => {
    const { problems, person } = world(suite);
    const { context, page } = await person("cleo", { bypassCSP: true });
    await observeNotifications(context);
    await join(page, suite.server.url, "Cleo", "notify-bell");
    const bell = page.locator("#notify-bell");
    await bell.waitFor();
    expect(await bell.textContent()).toBe("Enable notifications");
    expect(await bell.getAttribute("aria-describedby")).toBeNull(); // the blocked note is not read out here
    expect(await bell.getAttribute("aria-pressed")).toBeNull();
    expect(await page.evaluate(() => window.__permissionRequests)).toBe(0); // nothing asked on load or join

    // The click asks; the person says yes to the browser's prompt (headless Chromium shows none: the context
    // grants it, then the page's pending request is answered).
    await bell.click();
    await page.waitForFunction(() => window.__permissionRequests === 1);
    await context.grantPermissions(["notifications"], { origin: suite.server.url });
    await page.evaluate(() => window.__answerPermission());
    await page.waitForFunction(() => document.getElementById("notify-bell")?.getAttribute("aria-pressed") === "true");
    expect(await page.evaluate(() => window.__permissionRequests)).toBe(1);
    expect(await bell.textContent()).toBe("Notifications");
    expect(await blockingFindings(page, "room with the bell on")).toEqual([]);

    // The bell pauses notifications in this browser (the permission itself cannot be taken back by a page).
    await bell.click();
    await page.waitForFunction(() => document.getElementById("notify-bell")?.getAttribute("aria-pressed") === "false");
    expect(problems.list).toEqual([]);
  });

  it("explains how to allow notifications again when the browser blocks them", async () => {
    const { problems, person } = world(suite);
    const { context, page } = await person("dan", { bypassCSP: true });
    await observeNotifications(context);
    // What Chromium reports once a person blocked the site: the permission is "denied".
    await context.addInitScript(() => Object.defineProperty(Notification, "permission", { configurable: true, get: () => "denied" }));
    await join(page, suite.server.url, "Dan", "notify-denied");
    const bell = page.locator("#notify-bell");
    expect(await bell.textContent()).toBe("Notifications blocked");
    expect(await bell.getAttribute("aria-describedby")).toBe("notify-bell-note"); // heard on focus, before any click
    const note = page.locator("#notify-bell-note");
    expect(await note.isVisible()).toBe(false);
    await bell.click();
    await note.waitFor();
    expect(await bell.getAttribute("aria-expanded")).toBe("true");
    expect(await note.textContent()).toContain("site settings");
    expect(await page.evaluate(() => window.__permissionRequests)).toBe(0); // a blocked site is not asked again
    expect(await blockingFindings(page, "blocked notifications note")).toEqual([]);
    await bell.press("Escape");
    expect(await note.isVisible()).toBe(false);
    expect(problems.list).toEqual([]);
  });

  it("hides the bell in a browser without notifications", async () => {
    const { problems, person } = world(suite);
    const { context, page } = await person("eve");
    await context.addInitScript(() => Reflect.deleteProperty(window, "Notification"));
    await join(page, suite.server.url, "Eve", "notify-none");
    expect(await page.evaluate(() => "Notification" in window)).toBe(false);
    expect(await page.locator("#notify-bell").isHidden()).toBe(true);
    expect(await page.getByLabel("Notify", { exact: true }).isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
