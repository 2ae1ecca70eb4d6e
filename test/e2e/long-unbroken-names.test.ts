// A name of 50 characters with no space in it ("project_alpha_release_planning...") on a 360 px phone: the join
// form's "… is already in this room" error and the dialogs' titles ("Ban <name> from this room?", "Invite people to
// <room>") did not wrap, so the form and the dialogs grew wider than the screen and opened scrolled sideways, their
// buttons and text cut off at the left (found by the user walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { browserSuite, world } from "./helpers/suite.js";
import { join, roomAction, waitForPresence } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createPrivateRoom, inviteDialog } from "./helpers/private-rooms.js";

const suite = browserSuite();

const PHONE = { viewport: { width: 360, height: 700 }, isMobile: true, hasTouch: true };
const LONG_NAME = "bartholomew_featherstonehaugh_smythe_of_the_north"; // 50 characters, no space
const LONG_TITLE = "project_alpha_release_planning_for_the_fourth_qtr"; // 50 characters, no space

/** How far its content reaches past its own width, in CSS pixels: 0 when nothing has to scroll sideways. */
const sidewaysOverflow = (el: Locator) => el.evaluate((node) => node.scrollWidth - node.clientWidth);

describe("names with no space in them on a 360 px phone", () => {
  it("the join form's name-taken error wraps inside the form", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob", PHONE)]);
    await join(ana.page, suite.server.url, LONG_NAME, "long-names");

    await bob.page.goto(`${suite.server.url}/`);
    await bob.page.fill("#username", LONG_NAME);
    await bob.page.fill("#room-name", "long-names");
    await bob.page.click("#join-button");
    await bob.page.locator("#username-error", { hasText: "is already in this room" }).waitFor();
    expect(await sidewaysOverflow(bob.page.locator("#home-view"))).toBe(0);
    expect(problems.list).toEqual([]);
  });

  it("the Ban dialog and the invite dialog fit the screen", async () => {
    const { problems, person } = world(suite);
    const [ana, mod] = await Promise.all([person("ana", PHONE), person("mod", PHONE)]);
    await signInAsModerator(mod.page, suite.server.url);
    await join(ana.page, suite.server.url, LONG_NAME, "long-ban");
    await join(mod.page, suite.server.url, "Mod", "long-ban");
    await (await roomAction(mod.page, "#presence-toggle")).click();
    await waitForPresence(mod.page, [LONG_NAME, "Mod"]);
    await mod.page.click(`#presence-list button[aria-label='Ban ${LONG_NAME}']`);
    const confirm = mod.page.locator("#confirm-dialog");
    await confirm.waitFor({ state: "visible" });
    expect(await sidewaysOverflow(confirm)).toBe(0);
    await mod.page.click("#confirm-cancel");

    await createPrivateRoom(ana.page, suite.server.url, "Ana", LONG_TITLE, { fromSidebar: true });
    await (await roomAction(ana.page, "#invite-button")).click();
    await inviteDialog(ana.page).waitFor({ state: "visible" });
    expect(await sidewaysOverflow(inviteDialog(ana.page))).toBe(0);
    expect(problems.list).toEqual([]);
  });
});
