// Private rooms and invite links (issue 17) as people use them: a private room made from the join form, an
// invite link made in the invite dialog and opened in another browser, what an outsider who knows the room's name
// sees (nothing), revoking a link, a moderator's kick that ends a member's admission, and leaving, which asks
// first. Every page is watched for console errors and CSP violations, the server for error lines.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { besidesDocumentStatus, closeAndReopenAtOnce, join, messageTexts, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { createInvite, createPrivateRoom, inviteDialog, joinByInvite, privateAddress, sidebarRooms } from "./helpers/private-rooms.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();
const OUTSIDER = "There is no room at this address, or it is private and this browser has not been let in.";

/** Nothing on the page shows the room's address (its text, not its links). */
async function showsNoAddress(page: Page, address: string): Promise<void> {
  expect(await page.locator("body").innerText()).not.toContain(address);
  expect(await page.title()).not.toContain(address);
}

describe("private rooms and invite links", () => {
  it("Ana makes a private room and an invite link; Bob opens it, joins as Bob, and they chat both ways", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const title = "Book club";

    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const address = privateAddress(ana.page);
    expect(await ana.page.getAttribute("#room-title", "data-kind")).toBe("private");
    expect(await ana.page.locator("#room-title-lock").isVisible()).toBe(true);
    expect(await sidebarRooms(ana.page)).toEqual([{ title, as: " as Ana", isPrivate: true, isDirect: false, count: "" }]);
    await showsNoAddress(ana.page, address);

    const link = await createInvite(ana.page);
    expect(link).toMatch(new RegExp(`^${suite.server.url}/invite/[A-Za-z0-9_-]+$`));
    await inviteDialog(ana.page).locator("#invite-list li").first().waitFor();
    expect(await inviteDialog(ana.page).locator("#invite-list li").count()).toBe(1);
    expect(await ana.page.locator("#invite-list li .invite-list__who").innerText()).toBe("Made by you Active");
    await ana.page.keyboard.press("Escape");
    await inviteDialog(ana.page).waitFor({ state: "hidden" });
    // The focus is back on the button that opened the dialog, and the link is not left in the page.
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-button");
    // The dialog's "close" event, which clears the link, is queued as a task after it hides (Chromium restores the focus
    // before that): wait for it rather than read the field in between.
    await expect.poll(() => ana.page.inputValue("#invite-link")).toBe("");

    // Bob, in a browser of his own with no name remembered: the room's name, a name field, "Join as Bob".
    await bob.page.goto(link);
    await bob.page.locator("#invite-card-title", { hasText: title }).waitFor();
    expect(await bob.page.locator("#invite-submit").innerText()).toBe("Join");
    await bob.page.fill("#invite-username", "Bob");
    expect(await bob.page.locator("#invite-submit").innerText()).toBe("Join as Bob");
    expect(await bob.page.locator("#join-card").isHidden()).toBe(true);
    await bob.page.click("#invite-submit");
    await waitInRoom(bob.page, title);
    // The address bar: the room's address, the token gone (from the history entry too).
    expect(new URL(bob.page.url()).pathname).toBe(`/r/${address}`);
    expect(bob.page.url()).not.toContain("/invite/");
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await showsNoAddress(bob.page, address);

    await send(ana.page, "Welcome, Bob!");
    await sentMessage(bob.page, "Welcome, Bob!").waitFor();
    await send(bob.page, "Thanks, Ana.");
    await sentMessage(ana.page, "Thanks, Ana.").waitFor();

    // The link, opened again by its member: "already in", and Open.
    await bob.page.goto(link);
    await bob.page.locator("#invite-card-title", { hasText: `You're already in ${title}` }).waitFor();
    await bob.page.click("#invite-submit");
    await waitInRoom(bob.page, title);
    expect(await messageTexts(bob.page)).toEqual(["Welcome, Bob!", "Thanks, Ana."]);

    // A reload keeps the room and its name (remembered, then told again by the server).
    await bob.page.reload();
    await waitInRoom(bob.page, title);
    expect(problems.list).toEqual([]);
  });

  it("an outsider who knows the name sees nothing: the name is a fresh public room, the address not_found, the list empty", async () => {
    const { problems, person } = world(suite);
    const [ana, cleo] = await Promise.all([person("ana"), person("cleo")]);
    const title = "Secret plans";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const address = privateAddress(ana.page);
    await send(ana.page, "the plan is hidden");

    // The home page's active rooms: no private room, by name or address.
    await cleo.page.goto(`${suite.server.url}/`);
    await cleo.page.locator("#rooms-card").waitFor();
    const listed = await cleo.page.locator("#room-list .room-link").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href + " " + a.textContent));
    expect(listed.join("\n")).not.toContain(title);
    expect(listed.join("\n")).not.toContain(encodeURIComponent(address));
    const api = (await (await cleo.page.request.get(`${suite.server.url}/api/rooms`)).json()) as { rooms: { room: string }[] };
    expect(api.rooms.map((r) => r.room)).not.toContain(address);
    expect(api.rooms.map((r) => r.room)).not.toContain(title);

    // The title typed as a room name: a public room of that name, empty.
    await cleo.page.fill("#username", "Cleo");
    await cleo.page.fill("#room-name", title);
    await cleo.page.click("#join-button");
    await waitInRoom(cleo.page, title);
    expect(await cleo.page.getAttribute("#room-title", "data-kind")).toBe("public");
    expect(new URL(cleo.page.url()).pathname).toBe(`/r/${encodeURIComponent(title)}`);
    await cleo.page.locator("#history-note", { hasText: "Beginning of the room" }).waitFor();
    expect(await messageTexts(cleo.page)).toEqual([]);

    // Ana's address, typed in: the join form asks for the "private room" by no name, and the join is refused.
    const tab = await cleo.newTab();
    await tab.goto(`${suite.server.url}/r/${address}`);
    await tab.locator("#join-as-button").waitFor();
    expect(await tab.locator("#join-title").innerText()).toBe("Join a private room");
    await showsNoAddress(tab, address);
    await tab.click("#join-as-button");
    await tab.locator("#join-error", { hasText: OUTSIDER }).waitFor();
    expect(await tab.locator("#chat-view").isHidden()).toBe(true);
    expect(await suite.server.app.presence.users(address)).toEqual(["Ana"]);
    expect(problems.list).toEqual([]);
  });

  it("a revoked link says so; a moderator's kick drops the room from Bob's page, and coming back is not_found", async () => {
    const { problems, person } = world(suite);
    const [ana, bob, cleo, mod] = await Promise.all([person("ana"), person("bob"), person("cleo"), person("mod")]);
    const title = "Kick and revoke";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const address = privateAddress(ana.page);
    const link = await createInvite(ana.page);
    await ana.page.click("#invite-close");
    await joinByInvite(bob.page, link, "Bob", title);
    await signInAsModerator(mod.page, suite.server.url);
    await joinByInvite(mod.page, link, "Mod", title);
    await waitForPresence(ana.page, ["Ana", "Bob", "Mod"]);

    // Revoke: the link leaves the list; opened afterwards, it only says why it does not work.
    await ana.page.click("#invite-button");
    // Closed and opened again before the close event fired: the dialog still lists and revokes.
    await closeAndReopenAtOnce(ana.page, "invite-dialog", ana.page.locator("#invite-button"));
    const row = inviteDialog(ana.page).locator("#invite-list li");
    await row.first().waitFor();
    expect(await row.locator(".invite-list__meta").innerText()).toMatch(/^2 uses, no limit · expires /);
    await row.getByRole("button", { name: /^Revoke/ }).click();
    await inviteDialog(ana.page).locator("#invite-list-status", { hasText: "No active invite links." }).waitFor();
    await ana.page.click("#invite-close");
    await cleo.page.goto(link);
    await cleo.page.locator("#invite-card-title", { hasText: "This invite link does not work" }).waitFor();
    expect(await cleo.page.locator("#invite-why").innerText()).toBe("It was revoked. Ask whoever sent it for a new one.");
    expect(await cleo.page.locator("body").innerText()).not.toContain(title);
    expect(await cleo.page.locator("#join-card").isHidden()).toBe(true);

    // The moderator kicks Bob: Bob's page drops the room and says why.
    await mod.page.click("#presence-list button[aria-label='Kick Bob']");
    await mod.page.click("#confirm-ok");
    await bob.page.locator("#removed-note", { hasText: "A moderator removed you from this room." }).waitFor();
    expect(await bob.page.locator("#sidebar").isHidden()).toBe(true);
    await waitForPresence(ana.page, ["Ana", "Mod"]);
    const stored = await bob.page.evaluate(() => JSON.parse(localStorage.getItem("messenger-room:rooms") ?? "[]") as { room: string }[]);
    expect(stored.map((r) => r.room)).not.toContain(address);

    // Coming back by the room's address: refused, as any outsider is.
    await bob.page.goto(`${suite.server.url}/r/${address}`);
    await bob.page.click("#join-as-button");
    await bob.page.locator("#join-error", { hasText: OUTSIDER }).waitFor();
    // The revoked link's page is a 410, which Chromium reports for the document itself.
    expect(besidesDocumentStatus(problems, link, 410)).toEqual([]);
  });

  it("leaving a private room asks first (Cancel keeps it); after Leave it is gone from the sidebar and cannot be rejoined", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await join(ana.page, suite.server.url, "Ana", "leave-lobby");
    const title = "Short stay";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title, { fromSidebar: true });
    const address = privateAddress(ana.page);

    await ana.page.click("#leave-button");
    await ana.page.locator("#confirm-dialog").waitFor({ state: "visible" });
    expect(await ana.page.locator("#confirm-title").innerText()).toBe(`Leave ${title}?`);
    expect(await ana.page.locator("#confirm-text").innerText()).toContain("only come back with a new invite link");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("confirm-cancel");
    await ana.page.click("#confirm-cancel");
    await ana.page.locator("#confirm-dialog").waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("leave-button");
    expect((await sidebarRooms(ana.page)).map((r) => r.title)).toEqual(["leave-lobby", title]);

    await ana.page.click("#leave-button");
    await ana.page.click("#confirm-ok");
    await waitInRoom(ana.page, "leave-lobby");
    expect((await sidebarRooms(ana.page)).map((r) => r.title)).toEqual(["leave-lobby"]);
    expect(await suite.server.app.presence.users(address)).toEqual([]);

    await ana.page.goto(`${suite.server.url}/r/${address}`);
    await ana.page.click("#join-as-button");
    await ana.page.locator("#join-error", { hasText: OUTSIDER }).waitFor();
    expect(problems.list).toEqual([]);
  });

  it("a moderator makes a public room private and public again: everyone in it moves with it, and is told", async () => {
    const { problems, person } = world(suite);
    const [mod, ben] = await Promise.all([person("mod"), person("ben")]);
    const room = "townhall";
    await signInAsModerator(mod.page, suite.server.url);
    await join(ben.page, suite.server.url, "Ben", room);
    await join(mod.page, suite.server.url, "Mod", room);
    await send(ben.page, "before the move");
    await ben.page.fill("#message-content", "half a thought");
    expect(await ben.page.locator("#privacy-button").isHidden()).toBe(true); // Ben is no moderator

    await mod.page.click("#privacy-button");
    expect(await mod.page.locator("#confirm-title").innerText()).toBe(`Make ${room} private?`);
    await mod.page.click("#confirm-ok");
    for (const page of [mod.page, ben.page]) {
      await page.waitForFunction(() => /^\/r\/~[A-Za-z0-9_-]{22}$/.test(location.pathname));
      await waitInRoom(page, room);
      await page.locator("#messages li.notice", { hasText: "This room is now private" }).waitFor();
      expect(await page.getAttribute("#room-title", "data-kind")).toBe("private");
    }
    await sentMessage(ben.page, "before the move").waitFor();
    expect(await ben.page.inputValue("#message-content")).toBe("half a thought");
    await waitForPresence(mod.page, ["Ben", "Mod"]);
    // Nobody joined anything: no "has joined" under the move's line, on either page. A message sent after both
    // followed comes after any notice of their joins, so by then one would show.
    await send(mod.page, "after the move");
    for (const page of [mod.page, ben.page]) {
      await sentMessage(page, "after the move").waitFor();
      expect(await page.locator("#messages li.notice").allInnerTexts()).toEqual(["This room is now private: only people invited can join it. Everyone who was here stays in it."]);
    }
    expect(await suite.server.app.presence.users(room)).toEqual([]);

    await mod.page.click("#privacy-button");
    expect(await mod.page.locator("#confirm-title").innerText()).toBe(`Make ${room} public?`);
    await mod.page.click("#confirm-ok");
    await ben.page.waitForFunction((r) => location.pathname === `/r/${r}`, room);
    await ben.page.locator("#messages li.notice", { hasText: "This room is now public" }).waitFor();
    expect(await ben.page.getAttribute("#room-title", "data-kind")).toBe("public");
    await waitForPresence(ben.page, ["Ben", "Mod"]);
    expect(problems.list).toEqual([]);
  });
});
