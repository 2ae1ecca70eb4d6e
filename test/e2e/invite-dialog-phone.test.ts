// The invite dialog on a 360 px phone: every control a thumb uses in it (the two choices, Create link, Copy, each
// link's Revoke, Close) takes a tap of at least 44 x 44 px inside the screen. Create link, Copy and Revoke were
// 40 px tall (.btn and .btn--small), found by the phone sweep of 2026-12-08.
import { describe, expect, it } from "vitest";
import { createInvite, createPrivateRoom, inviteDialog } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
const CONTROLS = ["#invite-expiry", "#invite-uses", "#invite-create", "#invite-copy", ".invite-list__item button", "#invite-close"];

describe("the invite dialog on a phone", () => {
  it("gives every control a tap area of at least 44 x 44 px inside the screen", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", PHONE);
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "Book club");
    await createInvite(ana.page);
    await inviteDialog(ana.page).locator(".invite-list__item button").first().waitFor();

    const sizes = await ana.page.evaluate((selectors) => {
      return selectors.map((selector) => {
        const el = document.querySelector(selector);
        if (!(el instanceof HTMLElement)) return { selector, found: false, width: 0, height: 0, inside: false };
        el.scrollIntoView({ block: "center" });
        const r = el.getBoundingClientRect();
        return { selector, found: true, width: Math.round(r.width), height: Math.round(r.height), inside: r.left >= 0 && r.right <= window.innerWidth };
      });
    }, CONTROLS);
    const small = sizes.filter((s) => !s.found || s.width < 44 || s.height < 44 || !s.inside);
    expect(small).toEqual([]);
    expect(problems.list).toEqual([]);
  });
});
