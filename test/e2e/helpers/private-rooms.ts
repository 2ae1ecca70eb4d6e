// Private rooms in the page (issue 17): making one from the join form, an invite link from the invite dialog,
// joining by that link, and the sidebar as the reader sees it (rooms, then direct messages).
import type { Locator, Page } from "playwright-core";
import { roomAction, waitInRoom } from "./browser.js";

/** A private room's page address: /r/~ and 22 base64url characters. */
export const PRIVATE_PATH = /^\/r\/(~[A-Za-z0-9_-]{22})$/;

/** The private address in the page's address bar. */
export function privateAddress(page: Page): string {
  const match = PRIVATE_PATH.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not a private room's address: ${page.url()}`);
  return match[1];
}

/**
 * Makes a private room from the join form (Private room checked; the Room field is its name) and waits in it.
 * fromSidebar: the page is in a room already; "+ Join" opens the form.
 */
export async function createPrivateRoom(page: Page, baseUrl: string, username: string, title: string, opts: { fromSidebar?: boolean } = {}): Promise<void> {
  await page.bringToFront();
  if (opts.fromSidebar) {
    if (await page.locator("#rooms-toggle").isVisible()) await page.click("#rooms-toggle");
    await page.click("#sidebar-join");
    await page.locator("#home-view").waitFor({ state: "visible" });
  } else {
    await page.goto(`${baseUrl}/`);
  }
  await page.fill("#username", username);
  await page.fill("#room-name", title);
  await page.check("#private-room");
  await page.click("#join-button");
  await waitInRoom(page, title);
  await page.waitForURL((url) => PRIVATE_PATH.test(url.pathname));
}

export function inviteDialog(page: Page): Locator {
  return page.locator("#invite-dialog");
}

/**
 * Opens the invite dialog, makes a link (the given choices, else what the dialog shows; maxUses 0 is unlimited)
 * and returns it; the dialog stays open.
 */
export async function createInvite(page: Page, choices: { expiresInMs?: number; maxUses?: number } = {}): Promise<string> {
  if (!(await inviteDialog(page).isVisible())) await (await roomAction(page, "#invite-button")).click();
  await inviteDialog(page).waitFor({ state: "visible" });
  if (choices.expiresInMs !== undefined) await page.selectOption("#invite-expiry", String(choices.expiresInMs));
  if (choices.maxUses !== undefined) await page.selectOption("#invite-uses", String(choices.maxUses));
  // A link already on show (made before, the dialog still open) is not the answer: wait for the new one.
  const before = await page.inputValue("#invite-link");
  await page.click("#invite-create");
  await page.waitForFunction((prev) => {
    const link = document.getElementById("invite-link");
    return link instanceof HTMLInputElement && link.value !== "" && link.value !== prev && document.getElementById("invite-result")?.hidden === false;
  }, before);
  return page.inputValue("#invite-link");
}

/** Opens an invite link, joins under `username` and waits in the room. */
export async function joinByInvite(page: Page, link: string, username: string, title: string): Promise<void> {
  await page.bringToFront();
  await page.goto(link);
  await page.locator("#invite-submit").waitFor();
  await page.fill("#invite-username", username);
  await page.click("#invite-submit");
  await waitInRoom(page, title);
}

export interface SidebarRoom {
  title: string;
  as: string;
  isPrivate: boolean;
  isDirect: boolean;
  count: string;
}

/** The sidebar, rooms then direct messages, as the reader sees it. */
export function sidebarRooms(page: Page): Promise<SidebarRoom[]> {
  return page.locator("#sidebar a.sidebar__room").evaluateAll((links) =>
    links.map((a) => ({
      title: a.querySelector(".sidebar__name")?.textContent ?? "",
      as: a.querySelector(".sidebar__as")?.textContent ?? "",
      isPrivate: a.querySelector(".lock") !== null && (a.textContent ?? "").includes("(private)"),
      isDirect: a.closest("#sidebar-direct") !== null,
      count: a.querySelector(".sidebar__count [aria-hidden]")?.textContent ?? "",
    })),
  );
}
