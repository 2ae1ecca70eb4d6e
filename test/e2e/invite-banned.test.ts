// An invite link opened by a browser banned from its private room. First the server took the link, spent a use (a
// link for one use wasted) and let the browser back in, and only the join then said "banned"; the next time the link
// said "You're already in" (found by the user walk-through, 2026-12-07). Then the click's POST said "banned", but the
// page still offered the join form first (found by the phone walk-through). Now the card says so as it opens: until
// when, in the reader's own words, with no form, nothing spent. A name banned in advance is known only once typed:
// the click's refusal says until when, in the reader's words too.
import { describe, expect, it } from "vitest";
import { browserSuite, world } from "./helpers/suite.js";
import { waitForPresence } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createInvite, createPrivateRoom, joinByInvite } from "./helpers/private-rooms.js";
import { smallTapAreas } from "./helpers/tap-area.js";

const suite = browserSuite();

describe("an invite link and a ban", () => {
  it("a banned browser is told as the link opens, until when, with no form, on a 360 and a 320 px phone; a banned name is told at the click", async () => {
    const { problems, person } = world(suite);
    const url = suite.server.url;
    const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
    const [ana, mod, bob, cleo] = await Promise.all([person("ana"), person("mod"), person("bob", phone), person("cleo", phone)]);
    const title = "Book club";
    await createPrivateRoom(ana.page, url, "Ana", title);
    const link = await createInvite(ana.page);
    await signInAsModerator(mod.page, url);
    await joinByInvite(mod.page, link, "Mod", title);
    await joinByInvite(bob.page, link, "Bob", title);
    await waitForPresence(mod.page, ["Ana", "Bob", "Mod"]);

    await mod.page.click("#presence-list button[aria-label='Ban Bob']");
    await mod.page.click("#confirm-ok");
    const note = bob.page.locator("#removed-note", { hasText: /^A moderator banned you from this room until .+\.$/ });
    await note.waitFor();
    const until = /until (.+)\.$/.exec((await note.textContent()) ?? "")?.[1];
    expect(until).toBeDefined();

    await bob.page.goto(link);
    const card = bob.page.locator("#invite-card");
    expect(await card.getAttribute("data-state")).toBe("banned");
    expect(await bob.page.locator("#invite-card-title").textContent()).toBe(title);
    const why = bob.page.locator("#invite-why");
    expect(await why.textContent()).toBe(`A moderator banned this browser from the room until ${until}. Until then this link cannot let you in, and it was not used.`);
    expect(await why.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}|UTC/);
    expect(await bob.page.locator("#invite-join-form, #invite-username, #invite-submit").count()).toBe(0);
    // The phone's page: nothing sideways, the one link a thumb's size (a .btn was 40 px tall).
    for (const width of [360, 320]) {
      await bob.page.setViewportSize({ width, height: 740 });
      expect(await bob.page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);
      expect(await smallTapAreas(bob.page, ["#invite-card a.btn"])).toEqual([]);
    }
    await bob.page.locator("#invite-card a.btn", { hasText: "Go to the home page" }).click();
    await bob.page.waitForURL(`${url}/`);

    // Another browser under the banned name: the page cannot know the name until it is typed; the click says it.
    await cleo.page.goto(link);
    expect(await cleo.page.locator("#invite-card").getAttribute("data-state")).toBe("active");
    await cleo.page.fill("#invite-username", "bob");
    await cleo.page.click("#invite-submit");
    const error = cleo.page.locator("#invite-card [role='alert']");
    await error.waitFor({ state: "visible" });
    expect(await error.textContent()).toBe(`You are banned from this room until ${until}.`);
    expect(new URL(cleo.page.url()).pathname).toMatch(/^\/invite\//);
    // The 403s are the pages' own answers (the banned card, the refused click), which Chromium logs as errors.
    expect(problems.list.filter((p) => !(p.includes("status of 403") && p.includes("/invite/")))).toEqual([]);
  });
});
