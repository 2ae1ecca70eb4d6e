// The room bar on a 375 px phone. It wrapped to two rows (the Rooms button, the name and Leave, then search,
// People and Notify): 98 px, with the header about 150 px of the screen before the first message. It kept one row
// with every control an icon, but six of them left the name little: "weekend-hike" showed as "#weeken…" at 375 px,
// and a moderator's private room showed only its lock. Now the room's own actions (People, Notify, Invite, Make
// private/public, Leave) sit behind one "Room actions" button, each with its word, and the search box folds to its
// icon until it is used: a 17-character name shows whole at 360 px. Every control keeps its name and works by keyboard.
// The bar's icons are 36 px (the folded search box 40 px) but each one's tap area is 44 x 44, as are the composer's
// controls; with a Rooms unread count, a moderator's lock and a 17-character name still fit (they were cut by a pixel).
import { describe, expect, it, onTestFinished } from "vitest";
import type { Page } from "playwright-core";
import { blockingFindings } from "./helpers/axe.js";
import { join, roomAction } from "./helpers/browser.js";
import { createPrivateRoom } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { smallTapAreas } from "./helpers/tap-area.js";
import { isNameWhole, outside, roomBar } from "./helpers/room-bar.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
// One row: a 37 px search box (the tallest control) and the bar's padding and border; two rows were 98 px. The 44 px
// tap areas reach into that padding: they make the bar no taller.
const ROOM_BAR_MAX_PX = 56;
const LONG_ROOM = "the-weekly-planning-meeting-of-the-garden-club-xy"; // 50 characters, the most a name may have
const ROOM_16 = "weekend-hike-2026"; // 17 characters: a name of 16 or so must show whole
const PHONES = [360, 375].map((width) => ({ width, options: { ...PHONE, viewport: { width, height: 740 } } }));
const BAR = ["rooms-toggle", "room-title", "search-form", "room-actions-toggle"];
/** Every control a thumb taps in the bar (folded) and the composer's row. */
const TAPPABLE = ["#rooms-toggle", "#search-input", "#room-actions-toggle", "#attach-button", "#message-content", "#send-button"];

/** The room bar's name is cut ("…"): its text is wider than its box. */
function isNameCut(page: Page): Promise<boolean> {
  return page.locator("#room-title").evaluate((el) => el.scrollWidth > el.clientWidth);
}

/** The controls shown in the open room actions, each with its height. */
function actionsShown(page: Page): Promise<{ id: string; height: number }[]> {
  return page.locator("#room-actions > *").evaluateAll((els) =>
    els.filter((el) => el.getClientRects().length > 0).map((el) => ({ id: el.id || el.className, height: Math.round(el.getBoundingClientRect().height) })),
  );
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
    expect(bar.controls.map((c) => c.id)).toEqual(BAR);
    // The name is cut, and whole in its title and for screen readers.
    expect(await isNameCut(page)).toBe(true);
    expect(await page.getAttribute("#room-title-name", "title")).toBe(LONG_ROOM);
    expect(await page.getByRole("heading", { level: 2, name: `Room ${LONG_ROOM}` }).isVisible()).toBe(true);

    // Each control by its name, as a screen reader finds it; the room's own actions once "Room actions" is open.
    const rooms = page.getByRole("button", { name: /^Rooms/ });
    const search = page.getByRole("searchbox", { name: "Search messages" });
    const more = page.getByRole("button", { name: "Room actions" });
    const people = page.getByRole("button", { name: /^People/ });
    const notify = page.getByRole("combobox", { name: "Notify" });
    const leave = page.getByRole("button", { name: "Leave", exact: true });
    for (const control of [rooms, search, more]) expect(await control.isVisible()).toBe(true);
    for (const control of [people, notify, leave]) expect(await control.isVisible()).toBe(false);
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    await more.focus();
    await page.keyboard.press("Enter");
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    for (const control of [people, notify, leave]) expect(await control.isVisible()).toBe(true);
    // Rows a thumb can hit: 44 px each (the bar's own icons are 36 px, as before).
    const rows = await actionsShown(page);
    expect(rows.map((r) => r.id)).toEqual(["presence-toggle", "notify-level", "leave-button"]);
    for (const row of rows) expect(row.height).toBeGreaterThanOrEqual(44);
    expect(await blockingFindings(page, "room bar on a phone, its actions open")).toEqual([]);
    // Escape folds them, the focus back on their button.
    await page.keyboard.press("Escape");
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true);
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

    // People opens from the keyboard, through Room actions, which fold as it opens; Escape brings the focus back.
    await more.focus();
    await page.keyboard.press("Enter");
    await people.focus();
    await page.keyboard.press("Enter");
    // Folded away with the actions, the button is out of the accessibility tree: found by its id.
    expect(await page.getAttribute("#presence-toggle", "aria-expanded")).toBe("true");
    await page.locator("#presence").waitFor({ state: "visible" });
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    await page.keyboard.press("Escape");
    await page.locator("#presence").waitFor({ state: "hidden" });
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true);

    // The Notify level; a tap elsewhere folds the actions.
    await (await roomAction(page, "#notify-level")).selectOption("all");
    expect(await notify.inputValue()).toBe("all");
    await page.locator("#message-list").click({ position: { x: 10, y: 10 } });
    expect(await more.getAttribute("aria-expanded")).toBe("false");

    // Leave, by keyboard: the room goes (a public room goes at once) and the join form is back.
    await roomAction(page, "#leave-button");
    await leave.focus();
    await page.keyboard.press("Enter");
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(problems.list).toEqual([]);
  });

  for (const { width, options } of PHONES) {
    it(`shows a 17-character room name whole at ${width} px, on one row`, async () => {
      const { problems, person } = world(suite);
      const ana = await person("ana", options);
      await join(ana.page, suite.server.url, "Ana", ROOM_16);
      const bar = await roomBar(ana.page);
      expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
      expect(outside(bar)).toEqual([]);
      expect(bar.controls.map((c) => c.id)).toEqual(BAR);
      expect(await isNameWhole(ana.page)).toBe(true);
      // Every control's tap area is 44 x 44 px, the bar's 36 px icons too.
      expect(await smallTapAreas(ana.page, TAPPABLE)).toEqual([]);
      // A press in those areas, outside an icon's drawn box, does what one on it does: above the folded search box
      // (on its label) opens the box; past the end of Room actions, by the screen's edge, opens the actions. A mouse
      // press, exact where it lands: Chromium moves a touch tap onto a target near it, the 36 px icons' taps too.
      const search = await ana.page.locator("#search-form").evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
      await ana.page.mouse.click(search.left + search.width / 2, search.top - 3);
      expect(await ana.page.locator("#search-input").evaluate((el) => el === document.activeElement)).toBe(true);
      await ana.page.keyboard.press("Escape");
      await ana.page.locator("#search-input").blur();
      const more = await ana.page.locator("#room-actions-toggle").evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
      await ana.page.mouse.click(more.right + 6, more.top + more.height / 2);
      expect(await ana.page.getAttribute("#room-actions-toggle", "aria-expanded")).toBe("true");
      expect(problems.list).toEqual([]);
    });

    it(`shows it whole for a moderator in a private room too, the lock and the name, with and without a Rooms count, at ${width} px`, async () => {
      const { problems, person } = world(suite);
      const mod = await person("mod", options);
      await signInAsModerator(mod.page, suite.server.url);
      const lobby = `lobby-${width}`; // one per test: the app (and Ben's name in it) is the file's
      await join(mod.page, suite.server.url, "Mod", lobby);
      await createPrivateRoom(mod.page, suite.server.url, "Mod", ROOM_16, { fromSidebar: true });
      await (await roomAction(mod.page, "#privacy-button")).getByText("Make public").waitFor();
      await mod.page.keyboard.press("Escape");

      const fits = async (): Promise<void> => {
        const bar = await roomBar(mod.page);
        expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
        expect(outside(bar)).toEqual([]);
        expect(bar.controls.map((c) => c.id)).toEqual(BAR);
        expect(await mod.page.locator("#room-title-lock").isVisible()).toBe(true);
        expect(await isNameWhole(mod.page)).toBe(true);
        expect(await smallTapAreas(mod.page, TAPPABLE)).toEqual([]);
      };
      await fits();
      // Messages in the other room: Rooms shows their count, one digit, then two (two people: each within the
      // send rate's burst).
      const [ben, cleo] = await Promise.all([suite.server.joined(lobby, "Ben"), suite.server.joined(lobby, "Cleo")]);
      onTestFinished(() => {
        ben.close();
        cleo.close();
      });
      const say = async (client: typeof ben, username: string, times: number): Promise<void> => {
        for (let i = 0; i < times; i++) {
          const sent = await client.timeout(5000).emitWithAck("send_message", { room: lobby, username, content: `the trail is open ${i}` });
          expect(sent.ok).toBe(true);
        }
      };
      await say(ben, "Ben", 1);
      await mod.page.locator("#rooms-toggle-count", { hasText: /^1$/ }).waitFor();
      await fits();
      await say(ben, "Ben", 5);
      await say(cleo, "Cleo", 6);
      await mod.page.locator("#rooms-toggle-count", { hasText: /^12$/ }).waitFor();
      await fits();
      expect(problems.list).toEqual([]);
    });
  }

  it("keeps one row in a private room, with Invite in the room actions, which still opens its dialog", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana", PHONE);
    await createPrivateRoom(ana.page, suite.server.url, "Ana", "A private room with a long name for phones");
    const bar = await roomBar(ana.page);
    expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(bar)).toEqual([]);
    expect(bar.controls.map((c) => c.id)).toEqual(BAR);

    await roomAction(ana.page, "#invite-button");
    expect((await actionsShown(ana.page)).map((r) => r.id)).toEqual(["presence-toggle", "notify-level", "invite-button", "leave-button"]);
    const invite = ana.page.getByRole("button", { name: "Invite", exact: true });
    await invite.focus();
    await ana.page.keyboard.press("Enter");
    await ana.page.locator("#invite-dialog").waitFor({ state: "visible" });
    await ana.page.keyboard.press("Escape");
    await ana.page.locator("#invite-dialog").waitFor({ state: "hidden" });
    // The dialog's Escape was its own: the actions stay open, the focus back on Invite.
    expect(await invite.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await ana.page.getByRole("button", { name: "Leave", exact: true }).isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("keeps one row for a moderator in a private room too, the fullest room actions (Invite and Make public)", async () => {
    const { problems, person } = world(suite);
    const mod = await person("mod", PHONE);
    await signInAsModerator(mod.page, suite.server.url);
    await createPrivateRoom(mod.page, suite.server.url, "Mod", "The moderators' private room");
    await (await roomAction(mod.page, "#privacy-button")).getByText("Make public").waitFor();

    const bar = await roomBar(mod.page);
    expect(bar.height).toBeLessThanOrEqual(ROOM_BAR_MAX_PX);
    expect(outside(bar)).toEqual([]);
    expect(bar.controls.map((c) => c.id)).toEqual(BAR);
    expect((await actionsShown(mod.page)).map((r) => r.id)).toEqual(["presence-toggle", "notify-level", "invite-button", "privacy-button", "leave-button"]);
    // The open actions lie inside the screen.
    const box = await mod.page.locator("#room-actions").boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
