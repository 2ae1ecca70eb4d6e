// How private rooms, invite links and direct messages (issue 17) look and read: axe-core in light and dark on the
// invite dialog, the invite page in each state a browser can reach, and the sidebar with Direct messages; a 360 px
// phone; the dialog by keyboard alone; and the screenshots in docs/ (UPDATE_SCREENSHOTS=1), from real rooms.
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { besidesDocumentStatus, join, joinAnotherRoom, roomAction, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { createInvite, createPrivateRoom, inviteDialog, joinByInvite } from "./helpers/private-rooms.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
// docs/ only with UPDATE_SCREENSHOTS=1; otherwise a temporary folder (named in the test's output).
const SHOTS_DIR = screenshotDir();
const SHOT = (name: string) => joinPath(SHOTS_DIR, name);
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function fitsWidth(page: Page): Promise<void> {
  const sizes = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(sizes.doc).toBeLessThanOrEqual(sizes.width);
}

/** The element's box lies inside the viewport. */
async function inViewport(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  const width = await page.evaluate(() => window.innerWidth);
  expect(box).not.toBeNull();
  expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= width).toBe(true);
}

describe("private rooms: looks and accessibility", () => {
  it("has no serious or critical axe findings on the invite dialog, the invite page's states and the sidebar with Direct messages", async () => {
    const { problems, person } = world(suite);
    const [ana, bob, cleo] = await Promise.all([person("ana", { bypassCSP: true }), person("bob", { bypassCSP: true }), person("cleo", { bypassCSP: true })]);
    const found: string[] = [];
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "Axe club");
    const once = await createInvite(ana.page, { maxUses: 1 });
    const revoked = await createInvite(ana.page, { maxUses: 0 });
    await inviteDialog(ana.page).locator("#invite-list li").nth(1).waitFor();
    found.push(...(await blockingFindings(ana.page, "invite dialog")));
    await inviteDialog(ana.page).locator("#invite-list li", { hasText: "no limit" }).getByRole("button", { name: /^Revoke/ }).click();
    await inviteDialog(ana.page).locator("#invite-list li").nth(1).waitFor({ state: "detached" });
    await ana.page.click("#invite-close");

    // The invite page: a working link (before and after a name is typed), one used up, one revoked, one that is not a link.
    await bob.page.goto(once);
    await bob.page.locator("#invite-submit").waitFor();
    found.push(...(await blockingFindings(bob.page, "invite page (active)")));
    await bob.page.fill("#invite-username", "Bob");
    await bob.page.click("#invite-submit");
    await waitInRoom(bob.page, "Axe club");
    for (const [link, state, status] of [
      [once, "used up", 410],
      [revoked, "revoked", 410],
      [`${suite.server.url}/invite/not-a-real-token`, "invalid", 404],
    ] as const) {
      await cleo.page.goto(link);
      await cleo.page.locator("#invite-why").waitFor();
      found.push(...(await blockingFindings(cleo.page, `invite page (${state})`)));
      problems.list.splice(0, problems.list.length, ...besidesDocumentStatus(problems, link, status));
    }
    expect(await cleo.page.locator("#invite-why").innerText()).toContain("not a valid invite link");
    // A member opening the link again.
    await bob.page.goto(once);
    await bob.page.locator("#invite-card-title", { hasText: "You're already in" }).waitFor();
    found.push(...(await blockingFindings(bob.page, "invite page (member)")));

    // The sidebar with a private room and Direct messages (one unread), on the home page and in a room.
    await join(cleo.page, suite.server.url, "Cleo", "axe-lobby");
    await joinAnotherRoom(ana.page, "axe-lobby");
    await waitForPresence(ana.page, ["Ana", "Cleo"]);
    await ana.page.click("#presence-list button[aria-label='Message Cleo privately']");
    await waitInRoom(ana.page, "Cleo");
    await send(ana.page, "A private word");
    await cleo.page.locator("#sidebar-direct .sidebar__count").waitFor();
    found.push(...(await blockingFindings(cleo.page, "sidebar with direct messages")));
    await cleo.page.click("#sidebar-join");
    await cleo.page.locator("#home-view").waitFor({ state: "visible" });
    await cleo.page.check("#private-room");
    found.push(...(await blockingFindings(cleo.page, "home with Private room checked and the sidebar")));

    expect(found).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("works by keyboard: the invite dialog opens from Invite, every control is reachable, Escape closes it and the focus comes back", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "Keys only");
    await ana.page.focus("#invite-button");
    await ana.page.keyboard.press("Enter");
    await inviteDialog(ana.page).waitFor({ state: "visible" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-expiry");
    expect(await ana.page.locator("#invite-expiry option:checked").innerText()).toBe("7 days");
    expect(await ana.page.locator("#invite-uses option:checked").innerText()).toBe("Unlimited");
    await ana.page.keyboard.press("Tab");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-uses");
    await ana.page.keyboard.press("Tab");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-create");
    await ana.page.keyboard.press("Enter");
    // The new link is selected in its box, ready to copy.
    await ana.page.waitForFunction(() => document.activeElement?.id === "invite-link");
    const selected = await ana.page.evaluate(() => {
      const input = document.getElementById("invite-link") as HTMLInputElement;
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toBe(await ana.page.inputValue("#invite-link"));
    await ana.page.keyboard.press("Tab");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-copy");
    // Copy: to the clipboard where the browser allows it...
    const link = await ana.page.inputValue("#invite-link");
    await ana.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: suite.server.url });
    await ana.page.keyboard.press("Enter");
    await ana.page.locator("#invite-copy-status", { hasText: "Link copied." }).waitFor();
    expect(await ana.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    // ...and where it refuses, the link is selected to copy by hand, and the page says so.
    await ana.page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("refused", "NotAllowedError"));
    });
    await ana.page.click("#invite-copy");
    await ana.page.locator("#invite-copy-status", { hasText: "The link is selected: copy it with Ctrl+C" }).waitFor();
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-link");
    // "Every member may invite": the creator manages the room.
    await ana.page.locator("#invite-members").focus();
    await ana.page.keyboard.press("Space");
    await ana.page.waitForFunction(() => (document.getElementById("invite-members") as HTMLInputElement).checked && !(document.getElementById("invite-members") as HTMLInputElement).disabled);
    await ana.page.keyboard.press("Escape");
    await inviteDialog(ana.page).waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-button");
    expect(problems.list).toEqual([]);
  });

  it("fits a 360 px phone: the room bar's Invite, the invite dialog, the invite page and the drawer with Direct messages", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana", PHONE), person("bob", PHONE)]);
    // No sliding drawer: measured where it stops.
    await ana.page.emulateMedia({ reducedMotion: "reduce" });
    const title = "A private room with a long name for phones";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    await fitsWidth(ana.page);
    await roomAction(ana.page, "#invite-button");
    await inViewport(ana.page, "#invite-button");
    const link = await createInvite(ana.page);
    await fitsWidth(ana.page);
    await inViewport(ana.page, "#invite-copy");
    await inViewport(ana.page, "#invite-close");
    await ana.page.click("#invite-close");

    await bob.page.goto(link);
    await bob.page.locator("#invite-submit").waitFor();
    await fitsWidth(bob.page);
    await joinByInvite(bob.page, link, "Bob", title);
    await fitsWidth(bob.page);

    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await (await roomAction(ana.page, "#presence-toggle")).click();
    await ana.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(ana.page, "Bob");
    await fitsWidth(ana.page);
    await ana.page.click("#rooms-toggle");
    await ana.page.locator("#sidebar-direct a.sidebar__room").waitFor({ state: "visible" });
    await inViewport(ana.page, "#sidebar-direct a.sidebar__room");
    // The long title ends in an ellipsis inside the drawer.
    expect(await ana.page.evaluate(() => [...document.querySelectorAll("#sidebar .sidebar__list")].every((l) => l.scrollWidth <= l.clientWidth))).toBe(true);
    await fitsWidth(ana.page);
    expect(problems.list).toEqual([]);
  });

  it("takes the docs' screenshots from real rooms: the invite dialog, the invite page, the sidebar with a conversation", async () => {
    const { problems, person } = world(suite);
    const desktop = { viewport: { width: 1000, height: 720 }, deviceScaleFactor: 1 };
    const [ana, bob, cleo] = await Promise.all([person("ana", desktop), person("bob", { viewport: { width: 760, height: 400 }, deviceScaleFactor: 1 }), person("cleo", desktop)]);
    const title = "Book club";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    await send(ana.page, "Welcome to the book club! Next up: The Left Hand of Darkness.");
    const first = await createInvite(ana.page, { maxUses: 5 });
    await ana.page.click("#invite-close");
    await joinByInvite(cleo.page, first, "Cleo", title);
    await send(cleo.page, "Thanks for the invite. Chapter 3 is wonderful.");
    await sentMessage(ana.page, "Thanks for the invite. Chapter 3 is wonderful.").waitFor();

    // The invite dialog with a fresh link (1 day, 10 uses) and the room's two links.
    const link = await createInvite(ana.page, { expiresInMs: 86_400_000, maxUses: 10 });
    await inviteDialog(ana.page).locator("#invite-list li").nth(1).waitFor();
    await ana.page.mouse.move(0, 0);
    await ana.page.screenshot({ path: SHOT("screenshot-private-invite.png") });
    await ana.page.click("#invite-close");

    // Bob opens it: the room's name and "Join as Bob".
    await bob.page.goto(link);
    await bob.page.fill("#invite-username", "Bob");
    await bob.page.locator("#invite-username").blur();
    await bob.page.screenshot({ path: SHOT("screenshot-invite-page.png") });
    await bob.page.click("#invite-submit");
    await waitInRoom(bob.page, title);
    await bob.page.setViewportSize({ width: 1000, height: 620 });

    // Bob's sidebar: a public room, the private one, and two conversations (one on screen, one unread).
    await join(ana.page, suite.server.url, "Ana", "weekend-hike");
    await joinAnotherRoom(bob.page, "weekend-hike");
    await joinAnotherRoom(cleo.page, "weekend-hike");
    await waitForPresence(bob.page, ["Ana", "Bob", "Cleo"]);
    await ana.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(ana.page, "Bob");
    await send(ana.page, "Are you coming on Saturday?");
    await bob.page.locator("#sidebar-direct a.sidebar__room", { hasText: "Ana" }).click();
    await waitInRoom(bob.page, "Ana");
    await send(bob.page, "Yes! I'll bring the map.");
    await send(ana.page, "Great, see you at 8.");
    await sentMessage(bob.page, "Great, see you at 8.").waitFor();
    await cleo.page.click("#presence-list button[aria-label='Message Bob privately']");
    await waitInRoom(cleo.page, "Bob");
    await send(cleo.page, "Can I borrow your copy?");
    await send(cleo.page, "Mine is still at the library.");
    await bob.page.locator("#sidebar-direct .sidebar__count", { hasText: "2" }).waitFor();
    await bob.page.locator("#message-content").blur();
    await bob.page.mouse.move(0, 0);
    await bob.page.screenshot({ path: SHOT("screenshot-direct.png") });
    console.log(`screenshots written to ${SHOTS_DIR}${process.env.UPDATE_SCREENSHOTS === "1" ? "" : " (UPDATE_SCREENSHOTS=1 writes docs/)"}`);
    expect(problems.list).toEqual([]);
  });
});

