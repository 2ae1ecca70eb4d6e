// A moderator lifts a ban from the page: the Bans list under the people list shows who is banned and until when,
// Unban ends the ban (said on the page and to screen readers), and the person can join the room again at once.
import { describe, expect, it } from "vitest";
import { waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { moderatorAndMember } from "./helpers/moderator.js";

const suite = browserSuite();

describe("the Bans list", () => {
  it("lists a ban and lifts it with Unban from the keyboard; the banned person joins again", async () => {
    const w = world(suite);
    const { problems } = w;
    const room = "unban-room";
    const { mod, other: cleo } = await moderatorAndMember(w, suite.server.url, room, "<b>Cleo</b>");
    await waitForPresence(cleo.page, ["<b>Cleo</b>", "Mod"]);
    expect(await cleo.page.locator("#bans").isHidden()).toBe(true); // moderators only
    const toggle = mod.page.getByRole("button", { name: "Bans" });
    await toggle.focus();
    await mod.page.keyboard.press("Enter");
    await mod.page.locator("#bans-status", { hasText: "No bans in force in this room." }).waitFor();

    // A ban made while the list is open shows in it at once.
    await mod.page.click("#presence-list button[aria-label='Ban <b>Cleo</b>']");
    await mod.page.click("#confirm-ok");
    await cleo.page.locator("#removed-note", { hasText: /^A moderator banned you/ }).waitFor();
    const entry = mod.page.locator("#bans-list li");
    await entry.waitFor();
    expect(await mod.page.locator("#bans-status").isHidden()).toBe(true);
    expect(await entry.locator(".bans__name").textContent()).toBe("<b>Cleo</b>"); // text, never markup
    expect(await entry.locator(".bans__until").textContent()).toMatch(/^until /);
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");

    await mod.page.getByRole("button", { name: "Unban <b>Cleo</b>" }).focus();
    await mod.page.keyboard.press("Enter");
    const said = "<b>Cleo</b> was unbanned and can join again.";
    await mod.page.locator("#bans-status", { hasText: said }).waitFor();
    await mod.page.locator("#live-region", { hasText: said }).waitFor();
    expect(await entry.count()).toBe(0);
    expect(await mod.page.evaluate(() => document.activeElement?.id)).toBe("bans-toggle");

    await cleo.page.fill("#username", "<b>Cleo</b>");
    await cleo.page.fill("#room-name", room);
    await cleo.page.click("#join-button");
    await waitForPresence(mod.page, ["<b>Cleo</b>", "Mod"]);
    expect(problems.list).toEqual([]);
  });
});
