// The server refuses to revoke a link that has ended (invite_expired, invite_used_up). A link that ended while the
// invite dialog was open kept its Revoke button after the refusal: the page showed the server's message but did not
// read the list again. Now it does: the link shows as ended, without Revoke, the message stays, and the focus (on
// the button that went) moves to the list's heading instead of falling out of the dialog.
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { withFlaskConnection } from "../helpers/flask-db.js";
import { createInvite, createPrivateRoom, inviteDialog, joinByInvite } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const HOUR_MS = 3_600_000;

/** The list item of the link with this id. */
function linkItem(list: Locator, id: number): Locator {
  return list.locator(`li[data-id="${id}"]`);
}

/** The id of the focused element, and whether it is inside the invite dialog. */
function focusOf(page: Page): Promise<{ id: string; inDialog: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id ?? "", inDialog: el !== null && document.getElementById("invite-dialog")?.contains(el) === true };
  });
}

describe("revoking a link that ended while the invite dialog was open", () => {
  it("shows the link as ended without Revoke, keeps the server's message and keeps the focus in the dialog", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const title = "Ended club";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const dialog = inviteDialog(ana.page);
    const list = dialog.locator("#invite-list");
    const error = dialog.locator("#invite-error");

    // Oldest first: one to expire, one to use up, one that stays active.
    await createInvite(ana.page, { expiresInMs: HOUR_MS, maxUses: 0 });
    const once = await createInvite(ana.page, { maxUses: 1 });
    await createInvite(ana.page, { maxUses: 0 });
    await list.locator("li").nth(2).waitFor();
    const [active, usedUp, toExpire] = (await list.locator("li").evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-id"))))) as [number, number, number];

    // The dialog stays open on Ana's page while Bob takes the link's only use.
    await joinByInvite(bob.page, once, "Bob", title);
    await ana.page.bringToFront();
    expect(await linkItem(list, usedUp).getByRole("button", { name: /^Revoke/ }).isVisible()).toBe(true);

    await linkItem(list, usedUp).getByRole("button", { name: /^Revoke/ }).click();
    await linkItem(list, usedUp).locator(".invite-list__state--used_up").waitFor();
    expect(await linkItem(list, usedUp).locator("button[data-revoke]").count()).toBe(0);
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toMatch(/used/i);
    expect(await focusOf(ana.page)).toEqual({ id: "invite-list-title", inDialog: true });

    // The system clock runs the server: the other link's expiry is moved into the past in its database instead.
    withFlaskConnection(suite.server.databasePath, (db) => db.prepare("UPDATE room_invite SET expires_at = ? WHERE id = ?").run(new Date(Date.now() - HOUR_MS).toISOString(), toExpire));
    expect(await linkItem(list, toExpire).locator(".invite-list__state--active").count()).toBe(1);

    await linkItem(list, toExpire).getByRole("button", { name: /^Revoke/ }).click();
    await linkItem(list, toExpire).locator(".invite-list__state--expired").waitFor();
    expect(await linkItem(list, toExpire).locator("button[data-revoke]").count()).toBe(0);
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toMatch(/expired/i);
    expect(await focusOf(ana.page)).toEqual({ id: "invite-list-title", inDialog: true });

    // The link still active keeps its Revoke, and revoking it works as before.
    await linkItem(list, active).getByRole("button", { name: /^Revoke/ }).click();
    await ana.page.locator("#invite-list-status", { hasText: "No active invite links." }).waitFor();
    expect(await error.isHidden()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
