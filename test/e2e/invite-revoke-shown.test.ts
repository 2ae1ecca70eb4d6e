// The invite dialog shows a new link once, with Copy. Revoking that very link from the list below left it on show
// as "Your new invite link", ready to copy and send though it no longer lets anyone in. Now the dialog takes it
// away when it is revoked; revoking another link leaves the one on show alone.
import { describe, expect, it } from "vitest";
import { createInvite, createPrivateRoom, inviteDialog } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("revoking the link the invite dialog shows", () => {
  it("hides the shown link once it is revoked, and keeps it while another link is revoked", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "Revoke club");
    const list = inviteDialog(ana.page).locator("#invite-list li");

    await createInvite(ana.page);
    await list.first().waitFor();
    const shown = await createInvite(ana.page);
    await list.nth(1).waitFor();

    // The older link (second in the list, newest first): the new one stays on show.
    await list.nth(1).getByRole("button", { name: /^Revoke/ }).click();
    await expect.poll(() => list.count()).toBe(1);
    expect(await ana.page.locator("#invite-result").isVisible()).toBe(true);
    expect(await ana.page.inputValue("#invite-link")).toBe(shown);

    // The one on show: it goes from the dialog, with the list's entry.
    await list.first().getByRole("button", { name: /^Revoke/ }).click();
    await ana.page.locator("#invite-list-status", { hasText: "No active invite links." }).waitFor();
    expect(await ana.page.locator("#invite-result").isHidden()).toBe(true);
    expect(await ana.page.inputValue("#invite-link")).toBe("");
    expect(problems.list).toEqual([]);
  });
});
