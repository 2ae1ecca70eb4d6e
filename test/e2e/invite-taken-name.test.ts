// An invite link taken with a name already used in its private room: the browser is let in, but joining is
// refused, and the page falls back to the join form for the room. That form read "Join Err club", with nothing to
// say the room is private (or which room the reader had just been invited to, for a screen reader). It now shows
// the lock the sidebar uses, says "(private)" to a screen reader, gives the reason under the name, and a new name
// joins at once: the admission the link gave is kept.
import { describe, expect, it } from "vitest";
import { waitInRoom } from "./helpers/browser.js";
import { createInvite, createPrivateRoom, sidebarRooms } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

describe("an invite accepted with a name taken in the room", () => {
  it("shows the private room's title with its lock and the reason, and joins under a new name", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob", PHONE)]);
    const title = "Err club";
    await createPrivateRoom(ana.page, suite.server.url, "ana", title);
    const link = await createInvite(ana.page);

    await bob.page.bringToFront();
    await bob.page.goto(link);
    await bob.page.fill("#invite-username", "ana");
    await bob.page.click("#invite-submit");
    const nameError = bob.page.locator("#username-error");
    await nameError.waitFor({ state: "visible" });
    expect(await nameError.textContent()).toBe('"ana" is already in this room; pick another name.');

    const heading = bob.page.locator("#join-title");
    expect(await heading.locator("svg.lock").isVisible()).toBe(true);
    expect(await heading.textContent()).toBe(`Join ${title} (private)`);
    expect(await heading.locator(".room-ref").textContent()).toBe(title);
    // The home view is named by that heading (the invite card that named it before is gone).
    expect(await bob.page.getByRole("region", { name: `Join ${title} (private)` }).getAttribute("id")).toBe("home-view");
    expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe("username");

    await bob.page.fill("#username", "Bob");
    await bob.page.click("#join-button");
    await waitInRoom(bob.page, title);
    expect((await sidebarRooms(bob.page)).map((r) => [r.title, r.isPrivate])).toEqual([[title, true]]);
    expect(problems.list).toEqual([]);
  });
});
