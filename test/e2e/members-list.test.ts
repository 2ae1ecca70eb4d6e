// Who can read a private room (list_members) on the page: a member who closed the tab stays listed in the People
// panel as away, with when they were let in; a moderator removes them there (on a 360 px phone, a finger-sized
// Remove; a long name wraps whole; no serious axe finding), the list drops them, and their browser can no longer open
// the room.
import { describe, expect, it } from "vitest";
import { blockingFindings } from "./helpers/axe.js";
import { waitForPresence, roomAction } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createInvite, createPrivateRoom, joinByInvite, privateAddress } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const OUTSIDER = "There is no room at this address, or it is private and this browser has not been let in.";
/** A 50-character name with no place to break: it must wrap inside the panel, whole. */
const LONG = "Cleopatra".repeat(5) + "Queen";

describe("the members of a private room in the People panel", () => {
  it("Ana sees Bob away after he closed his tab, removes him, and Bob's browser can no longer open the room", async () => {
    const { problems, person } = world(suite);
    // bypassCSP: the axe scan injects its script.
    const [ana, bob, cleo] = await Promise.all([person("ana", { bypassCSP: true }), person("bob"), person("cleo")]);
    const title = "Who reads this";
    await signInAsModerator(ana.page, suite.server.url);
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const address = privateAddress(ana.page);
    const link = await createInvite(ana.page);
    await ana.page.click("#invite-close");
    await joinByInvite(bob.page, link, "Bob", title);
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await ana.page.locator("#members-count", { hasText: "2 members, 2 here" }).waitFor();

    await joinByInvite(cleo.page, link, LONG, title);
    await waitForPresence(ana.page, ["Ana", "Bob", LONG]);

    await Promise.all([bob.page.close(), cleo.page.close()]);
    await waitForPresence(ana.page, ["Ana"]);
    await ana.page.locator("#members-count", { hasText: "3 members, 1 here" }).waitFor();
    const away = ana.page.locator("#members-away li");
    expect(await away.locator(".members__name").allTextContents()).toEqual(["Bob", LONG]);
    const today = await ana.page.evaluate(() => new Date().toLocaleDateString(undefined, { dateStyle: "medium" }));
    expect(await away.first().locator(".members__since").innerText()).toBe(`away · let in ${today}`);

    // On a 360 px phone: the People panel opens from the room bar, and Remove is a finger's size, inside the screen.
    await ana.page.setViewportSize({ width: 360, height: 740 });
    await (await roomAction(ana.page, "#presence-toggle")).click();
    const remove = ana.page.getByRole("button", { name: "Remove Bob" });
    await remove.waitFor();
    const box = await remove.boundingBox();
    expect(box && box.height >= 44 && box.width >= 44 && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    // The long name wraps inside the panel, whole (nothing cut off, nothing past the edge).
    const fits = await ana.page.evaluate(() => {
      const panel = document.getElementById("presence")?.getBoundingClientRect();
      return [...document.querySelectorAll("#members-away .members__name")].every((el) => {
        const r = el.getBoundingClientRect();
        return panel !== undefined && r.left >= panel.left && r.right <= panel.right && el.scrollWidth <= el.clientWidth + 1;
      });
    });
    expect(fits).toBe(true);
    expect(await blockingFindings(ana.page, "members list")).toEqual([]);
    await remove.click();
    expect(await ana.page.locator("#confirm-title").innerText()).toBe("Remove Bob from this room?");
    await ana.page.click("#confirm-ok");
    await ana.page.locator("#members-count", { hasText: "2 members, 1 here" }).waitFor();
    expect(await away.locator(".members__name").allTextContents()).toEqual([LONG]);

    const again = await bob.newTab();
    await again.goto(`${suite.server.url}/r/${address}`);
    await again.click("#join-as-button");
    await again.locator("#join-error", { hasText: OUTSIDER }).waitFor();
    expect(problems.list).toEqual([]);
  });
});
