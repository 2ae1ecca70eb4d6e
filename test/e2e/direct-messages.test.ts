// Direct messages (issue 17) between two browsers: "Message privately" in a room's people list, the conversation
// under "Direct messages" in the other person's sidebar, counted and notified as a mention, the reply, closing it
// (Close asks nothing) until a new message brings it back, and the conversations that come back on a new visit.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { notes, observeNotifications, setHidden } from "./helpers/notifications.js";
import { sidebarRooms } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { NOTIFY_INTERVAL_MS: "0" } });

/** Waits until the sidebar's "Direct messages" lists these conversations with these unread counts. */
async function waitForDirects(page: Page, want: { title: string; count: string }[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const got = [...document.querySelectorAll("#sidebar-direct a.sidebar__room")].map((a) => ({
        title: a.querySelector(".sidebar__name")?.textContent ?? "",
        count: a.querySelector(".sidebar__count [aria-hidden]")?.textContent ?? "",
      }));
      return JSON.stringify(got) === JSON.stringify(expected);
    },
    want,
    { timeout: 10_000 },
  );
}

describe("direct messages", () => {
  it("Ana messages Bob privately from the people list; Bob's sidebar shows it under Direct messages, counted and notified; Bob replies", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    await observeNotifications(bob.context);
    await bob.context.grantPermissions(["notifications"], { origin: suite.server.url });
    const room = "dm-lobby";
    await join(bob.page, suite.server.url, "Bob", room);
    await join(ana.page, suite.server.url, "Ana", room);
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    // One's own name has no "Message privately".
    expect(await ana.page.locator("#presence-list button[data-direct]").evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")))).toEqual(["Message Bob privately"]);
    await setHidden(bob.page, true);

    await ana.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(ana.page, "Bob");
    expect(await ana.page.getAttribute("#room-title", "data-kind")).toBe("direct");
    expect(new URL(ana.page.url()).pathname).toMatch(/^\/r\/~[A-Za-z0-9_-]{22}$/);
    expect(await ana.page.locator("#leave-button").innerText()).toBe("Close");
    await waitForDirects(ana.page, [{ title: "Bob", count: "" }]);

    // Bob, on another page, hears of it: joined in the background, listed, nothing unread yet.
    await waitForDirects(bob.page, [{ title: "Ana", count: "" }]);
    expect(await bob.page.locator("#room-title-name").innerText()).toBe(room); // still on screen: the room
    // Bob is in the conversation too; inside it, no "Message privately" (the other person is the conversation).
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    expect(await ana.page.locator("#presence-list button[data-direct]").count()).toBe(0);

    await send(ana.page, "psst, lunch?");
    await waitForDirects(bob.page, [{ title: "Ana", count: "1" }]);
    // Every message in a conversation counts as a mention: the @ badge, the title, a notification.
    expect(await bob.page.locator("#sidebar-direct .sidebar__mention").count()).toBe(1);
    await bob.page.waitForFunction((r) => document.title === `(1) @ \u2068${r}\u2069 · Messenger Room`, room); // still on screen: the room
    await bob.page.waitForFunction(() => window.__notes.length === 1);
    const [note] = await notes(bob.page);
    expect([note?.title, note?.body]).toEqual(["Ana", "Ana: psst, lunch?"]);
    expect((await sidebarRooms(bob.page)).map((r) => [r.title, r.isDirect])).toEqual([
      [room, false],
      ["Ana", true],
    ]);

    // Bob opens it (Alt+↓ from the room moves into Direct messages) and answers.
    await setHidden(bob.page, false);
    await bob.page.keyboard.press("Alt+ArrowDown");
    await waitInRoom(bob.page, "Ana");
    await sentMessage(bob.page, "psst, lunch?").waitFor();
    await waitForDirects(bob.page, [{ title: "Ana", count: "" }]);
    await send(bob.page, "Yes, at noon.");
    await sentMessage(ana.page, "Yes, at noon.").waitFor();
    expect(problems.list).toEqual([]);
  });

  it("Close asks nothing and hides the conversation until a new message brings it back; a new visit brings back the open ones", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const room = "dm-close";
    await join(bob.page, suite.server.url, "Bob", room);
    await join(ana.page, suite.server.url, "Ana", room);
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await ana.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(ana.page, "Bob");
    await send(ana.page, "first");
    await waitForDirects(bob.page, [{ title: "Ana", count: "1" }]);

    // Bob closes it: no dialog, gone from the sidebar.
    await bob.page.locator("#sidebar-direct a.sidebar__room").click();
    await waitInRoom(bob.page, "Ana");
    await bob.page.click("#leave-button");
    await waitInRoom(bob.page, room);
    expect(await bob.page.locator("#confirm-dialog").isHidden()).toBe(true);
    expect(await bob.page.locator("#sidebar-direct-group").isHidden()).toBe(true);

    // A new message from Ana: back, counted.
    await send(ana.page, "second");
    await waitForDirects(bob.page, [{ title: "Ana", count: "1" }]);
    await bob.page.locator("#sidebar-direct a.sidebar__room").click();
    await waitInRoom(bob.page, "Ana");
    await sentMessage(bob.page, "second").waitFor();
    // Closing and coming back told Ana nothing: no "Bob has left" / "Bob has joined" (under "second" or anywhere);
    // Bob's answer comes after any notice of his return, so by then one would show. Nor does Bob see his own.
    await send(bob.page, "back");
    await sentMessage(ana.page, "back").waitFor();
    expect(await ana.page.locator("#messages li.notice").allInnerTexts()).toEqual([]);
    expect(await bob.page.locator("#messages li.notice").allInnerTexts()).toEqual([]);

    // A new visit with nothing remembered (storage cleared, from a page of the site that runs no script; the
    // cookie kept): the conversation comes back from my_rooms, and what arrived since Bob closed it counts.
    await bob.page.goto(`${suite.server.url}/healthz`);
    await bob.page.evaluate(() => localStorage.removeItem("messenger-room:rooms"));
    await send(ana.page, "third, while you were away");
    await bob.page.goto(`${suite.server.url}/`);
    await bob.page.fill("#username", "Bob");
    await bob.page.fill("#room-name", "dm-elsewhere");
    await bob.page.click("#join-button");
    await waitInRoom(bob.page, "dm-elsewhere");
    await waitForDirects(bob.page, [{ title: "Ana", count: "2" }]); // after Bob closed it: "second" and "third"
    // Beside a JSON page (/healthz), Chromium asks for /favicon.ico, which the app does not serve.
    expect(problems.list.filter((p) => !p.includes("/favicon.ico"))).toEqual([]);
  });
});
