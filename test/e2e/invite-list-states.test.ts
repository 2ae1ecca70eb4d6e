// The invite dialog's list of links. A used-up or expired link kept its Revoke button, which could do nothing
// useful (the link lets nobody in already): now only an active link has Revoke, and an ended one shows its state
// in its place. And with no active link left (every one revoked, or the rest ended) the list said "No invite links
// yet.", untrue once links were made: it says "No active invite links." instead.
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { withFlaskConnection } from "../helpers/flask-db.js";
import { createInvite, createPrivateRoom, inviteDialog, joinByInvite } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const HOUR_MS = 3_600_000;

interface ListedLink {
  state: string;
  canRevoke: boolean;
}

/** The dialog's list as the reader sees it: each link's state label and whether it offers Revoke. */
function listedLinks(list: Locator): Promise<ListedLink[]> {
  return list.locator("li").evaluateAll((items) =>
    items.map((li) => ({ state: li.querySelector(".invite-list__state")?.textContent ?? "", canRevoke: li.querySelector("button[data-revoke]") !== null })),
  );
}

describe("the invite dialog's list of links", () => {
  it("offers Revoke only for active links, shows the state of ended ones, and says when none is active", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const title = "States club";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const dialog = inviteDialog(ana.page);
    const list = dialog.locator("#invite-list");

    // Oldest first: one to use up, one to expire, one left active.
    const once = await createInvite(ana.page, { maxUses: 1 });
    await createInvite(ana.page, { expiresInMs: HOUR_MS, maxUses: 0 });
    await createInvite(ana.page, { maxUses: 0 });
    await list.locator("li").nth(2).waitFor();
    const toExpire = Number(await list.locator("li").nth(1).getAttribute("data-id"));
    await ana.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    await joinByInvite(bob.page, once, "Bob", title);
    // The system clock runs the server: the link's expiry is moved into the past in its database instead.
    withFlaskConnection(suite.server.databasePath, (db) => db.prepare("UPDATE room_invite SET expires_at = ? WHERE id = ?").run(new Date(Date.now() - HOUR_MS).toISOString(), toExpire));

    await ana.page.bringToFront();
    await ana.page.click("#invite-button");
    await list.locator("li .invite-list__state--used_up").waitFor();
    // Newest first.
    expect(await listedLinks(list)).toEqual([
      { state: "Active", canRevoke: true },
      { state: "Expired", canRevoke: false },
      { state: "Used up", canRevoke: false },
    ]);
    expect(await ana.page.locator("#invite-list-status").textContent()).toBe("");

    // Revoking the one active link leaves the ended ones listed, and says that none lets anyone in now.
    await list.getByRole("button", { name: /^Revoke/ }).click();
    await ana.page.locator("#invite-list-status", { hasText: "No active invite links." }).waitFor();
    expect(await listedLinks(list)).toEqual([
      { state: "Expired", canRevoke: false },
      { state: "Used up", canRevoke: false },
    ]);
    // Its button went with it: the focus is on the list's heading, not lost.
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("invite-list-title");
    expect(problems.list).toEqual([]);
  });
});
