// An invite link opened by a browser banned from its private room: the server took the link, spent a use (a link
// for one use wasted) and let the browser back in, and only the join then said "banned"; the next time the link
// said "You're already in" (found by the user walk-through, 2026-12-07). Now the card says until when, in the
// reader's own words, and nothing is spent.
import { describe, expect, it } from "vitest";
import { browserSuite, world } from "./helpers/suite.js";
import { waitForPresence } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createInvite, createPrivateRoom, joinByInvite } from "./helpers/private-rooms.js";

const suite = browserSuite();

describe("an invite link and a ban", () => {
  it("a banned browser is told on the invite card until when it is banned, and stays out", async () => {
    const { problems, person } = world(suite);
    const url = suite.server.url;
    const [ana, mod, bob] = await Promise.all([person("ana"), person("mod"), person("bob")]);
    await createPrivateRoom(ana.page, url, "Ana", "Book club");
    const link = await createInvite(ana.page);
    await signInAsModerator(mod.page, url);
    await joinByInvite(mod.page, link, "Mod", "Book club");
    await joinByInvite(bob.page, link, "Bob", "Book club");
    await waitForPresence(mod.page, ["Ana", "Bob", "Mod"]);

    await mod.page.click("#presence-list button[aria-label='Ban Bob']");
    await mod.page.click("#confirm-ok");
    const note = bob.page.locator("#removed-note", { hasText: /^A moderator banned you from Book club until .+\.$|banned you/ });
    await note.waitFor();

    await bob.page.goto(link);
    await bob.page.fill("#invite-username", "Robert");
    await bob.page.click("#invite-submit");
    const error = bob.page.locator("#invite-card [role='alert']");
    await error.waitFor({ state: "visible" });
    expect(await error.textContent()).toMatch(/^You are banned from this room until .+\.$/);
    expect(await error.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(new URL(bob.page.url()).pathname).toMatch(/^\/invite\//);
    await bob.page.goto(link); // still not let in: the card offers the link again, not "You're already in"
    expect(await bob.page.locator("#invite-card").getAttribute("data-state")).toBe("active");
    expect(problems.list.filter((p) => !(p.includes("status of 403") && p.includes("/invite/")))).toEqual([]);
  });
});
