// The room bar on a 375 px phone. It wrapped to two rows (the Rooms button, the name and Leave, then search,
// People and Notify): 98 px, with the header about 150 px of the screen before the first message. It keeps one
// row now: the search box folds to its icon until it is used (a tap, or /), Leave is an icon, and a long room
// name is cut with "…" (the whole name in its title). Every control keeps its name and works by keyboard.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { blockingFindings } from "./helpers/axe.js";
import { join } from "./helpers/browser.js";
import { createPrivateRoom } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
// One row: a 40 px search box (the tallest control) and the bar's padding and border; two rows were 98 px.
const ROOM_BAR_MAX_PX = 56;
const LONG_ROOM = "the-weekly-planning-meeting-of-the-garden-club-xy"; // 50 characters, the most a name may have

interface Bar {
  height: number;
  /** Controls shown, each with its left and right edge. */
  controls: { id: string; left: number; right: number }[];
  screenWidth: number;
}

function roomBar(page: Page): Promise<Bar> {
  return page.evaluate(() => {
    const bar = document.querySelector(".room-bar");
    if (!bar) throw new Error("no room bar");
    const controls = [...bar.children]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { id: el.id, left: Math.round(r.left), right: Math.round(r.right) };
      });
    return { height: bar.getBoundingClientRect().height, controls, screenWidth: document.documentElement.clientWidth };
  });
}

/** Every control lies inside the screen. */
function outside(bar: Bar): Bar["controls"] {
  return bar.controls.filter((c) => c.left < 0 || c.right > bar.screenWidth);
}

describe("the room bar on a 375 px phone", () => {
  it(`keeps one row (at most ${ROOM_BAR_MAX_PX} px) with a long room name, every control named and working`, async () => {
    await suite.server.seed(LONG_ROOM, [{ sender: "Ben", content: "the compost rota is up" }]);
    const { problems, person } = world(suite);
    const ana = await person("ana", { ...PHONE, bypassCSP: true }); // bypassCSP: axe is injected as a script
    await join(ana.page, suite.server.url, "Ana", LONG_ROOM);
    const page = ana.page;

    const bar = await roomBar(page);
    expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(bar)).toEqual([]);
    expect(bar.controls.map((c) => c.id)).toEqual(["rooms-toggle", "room-title", "search-form", "presence-toggle", "", "leave-button"]);
    // The name is cut, and whole in its title and for screen readers.
    expect(await page.locator("#room-title").evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await page.getAttribute("#room-title-name", "title")).toBe(LONG_ROOM);
    expect(await page.getByRole("heading", { level: 2, name: `Room ${LONG_ROOM}` }).isVisible()).toBe(true);

    // Each control by its name, as a screen reader finds it.
    const rooms = page.getByRole("button", { name: /^Rooms/ });
    const search = page.getByRole("searchbox", { name: "Search messages" });
    const people = page.getByRole("button", { name: /^People/ });
    const notify = page.getByRole("combobox", { name: "Notify" });
    const leave = page.getByRole("button", { name: "Leave", exact: true });
    for (const control of [rooms, search, people, notify, leave]) expect(await control.isVisible()).toBe(true);
    expect(await blockingFindings(page, "room bar on a phone")).toEqual([]);

    // Search: "/" opens the folded box, still on the one row and inside the screen; Enter finds the message.
    const folded = await search.evaluate((el) => el.getBoundingClientRect().width);
    await page.locator("#message-list").focus();
    await page.keyboard.press("/");
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect.poll(() => search.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(folded + 40);
    const searching = await roomBar(page);
    expect(searching.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(searching)).toEqual([]);
    await page.keyboard.type("compost");
    await page.keyboard.press("Enter");
    await page.locator("#search-results li.search-hit", { hasText: "the compost rota is up" }).waitFor();
    await page.keyboard.press("Escape");
    await page.locator("#search-panel").waitFor({ state: "hidden" });

    // People opens from the keyboard.
    await people.focus();
    await page.keyboard.press("Enter");
    expect(await people.getAttribute("aria-expanded")).toBe("true");
    await page.locator("#presence").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");

    // The Notify level.
    await notify.selectOption("all");
    expect(await page.locator(".notify-level").getAttribute("data-level")).toBe("all");

    // Leave, by keyboard: the room goes (a public room goes at once) and the join form is back.
    await leave.focus();
    await page.keyboard.press("Enter");
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(problems.list).toEqual([]);
  });

  it("keeps one row in a private room, with Invite, which still opens its dialog", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", PHONE);
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "A private room with a long name for phones");
    const bar = await roomBar(ana.page);
    expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(bar)).toEqual([]);
    expect(bar.controls.map((c) => c.id)).toEqual(["rooms-toggle", "room-title", "search-form", "presence-toggle", "", "invite-button", "leave-button"]);

    const invite = ana.page.getByRole("button", { name: "Invite", exact: true });
    await invite.focus();
    await ana.page.keyboard.press("Enter");
    await ana.page.locator("#invite-dialog").waitFor({ state: "visible" });
    await ana.page.keyboard.press("Escape");
    await ana.page.locator("#invite-dialog").waitFor({ state: "hidden" });
    expect(await ana.page.getByRole("button", { name: "Leave", exact: true }).isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("keeps one row for a moderator in a private room too, the fullest bar (Invite and Make public)", async () => {
    const { problems, person } = world(suite);
    const mod = await person("mod", PHONE);
    await signInAsModerator(mod.page, suite.server.url);
    await createPrivateRoom(mod.page, suite.server.url, "Mod", "The moderators' private room");
    await mod.page.getByRole("button", { name: "Make public" }).waitFor();

    const bar = await roomBar(mod.page);
    expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(bar)).toEqual([]);
    expect(bar.controls.map((c) => c.id)).toEqual(["rooms-toggle", "room-title", "search-form", "presence-toggle", "", "invite-button", "privacy-button", "leave-button"]);
    // The name keeps some room beside the icons.
    expect(bar.controls.find((c) => c.id === "room-title")).toSatisfy((c: { left: number; right: number }) => c.right - c.left >= 30);
    expect(problems.list).toEqual([]);
  });
});
