// Who can read a private room (list_members) on the page: a member who closed the tab stays listed in the People
// panel as away, with when they were let in; a moderator removes them there (on a 360 px phone, a finger-sized
// Remove), everyone's list drops them, and their browser can no longer open the room.
import { describe, expect, it } from "vitest";
import { waitForPresence, roomAction } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createInvite, createPrivateRoom, joinByInvite, privateAddress } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const OUTSIDER = "There is no room at this address, or it is private and this browser has not been let in.";

describe("the members of a private room in the People panel", () => {
  it("Ana sees Bob away after he closed his tab, removes him, and Bob's browser can no longer open the room", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const title = "Who reads this";
    await signInAsModerator(ana.page, suite.server.url);
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const address = privateAddress(ana.page);
    const link = await createInvite(ana.page);
    await ana.page.click("#invite-close");
    await joinByInvite(bob.page, link, "Bob", title);
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await ana.page.locator("#members-count", { hasText: "2 members, 2 here" }).waitFor();

    await bob.page.close();
    await waitForPresence(ana.page, ["Ana"]);
    await ana.page.locator("#members-count", { hasText: "2 members, 1 here" }).waitFor();
    const away = ana.page.locator("#members-away li");
    expect(await away.locator(".members__name").allTextContents()).toEqual(["Bob"]);
    const today = await ana.page.evaluate(() => new Date().toLocaleDateString(undefined, { dateStyle: "medium" }));
    expect(await away.locator(".members__since").innerText()).toBe(`away · let in ${today}`);

    // On a 360 px phone: the People panel opens from the room bar, and Remove is a finger's size, inside the screen.
    await ana.page.setViewportSize({ width: 360, height: 740 });
    await (await roomAction(ana.page, "#presence-toggle")).click();
    const remove = ana.page.getByRole("button", { name: "Remove Bob" });
    await remove.waitFor();
    const box = await remove.boundingBox();
    expect(box && box.height >= 44 && box.width >= 44 && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    await remove.click();
    expect(await ana.page.locator("#confirm-title").innerText()).toBe("Remove Bob from this room?");
    await ana.page.click("#confirm-ok");
    await ana.page.locator("#members-count", { hasText: "1 member, 1 here" }).waitFor();
    expect(await away.count()).toBe(0);

    const again = await bob.newTab();
    await again.goto(`${suite.server.url}/r/${address}`);
    await again.click("#join-as-button");
    await again.locator("#join-error", { hasText: OUTSIDER }).waitFor();
    expect(problems.list).toEqual([]);
  });
});
