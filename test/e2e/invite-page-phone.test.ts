// The invite page for a member who opens the link again says "You're already in <room>". Its heading laid the
// words and the room's name out as two flex columns, so on a 375 px phone "You're already in" broke over two
// lines beside a name broken over two more. The words now stay on their line, and the name follows them on it
// or on the next.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createInvite, createPrivateRoom, joinByInvite } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/**
 * How many lines the heading's own words take, and where the room's name is: on the words' line, or starting a
 * line of its own at the heading's left edge.
 */
function headingLayout(page: Page): Promise<{ wordLines: number; nameLines: number; nameFollows: boolean }> {
  return page.locator("#invite-card-title").evaluate((h) => {
    const words = [...h.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "");
    const range = document.createRange();
    if (words) range.selectNodeContents(words);
    const name = h.querySelector(".room-ref");
    const lines = (rects: DOMRectList) => new Set([...rects].map((r) => Math.round(r.top))).size;
    return {
      wordLines: words ? lines(range.getClientRects()) : 0,
      nameLines: name ? lines(name.getClientRects()) : 0,
      nameFollows:
        name !== null &&
        (Math.abs(name.getBoundingClientRect().left - h.getBoundingClientRect().left) < 2 || Math.abs(name.getBoundingClientRect().bottom - range.getBoundingClientRect().bottom) < 2),
    };
  });
}

describe("the invite page on a phone", () => {
  it("keeps \"You're already in\" on one line, the room's name after it or on the next line", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob", PHONE)]);
    const title = "Neighbourhood book club";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const link = await createInvite(ana.page);
    await joinByInvite(bob.page, link, "Bob", title);

    await bob.page.goto(link);
    await bob.page.locator("#invite-card-title", { hasText: "You're already in" }).waitFor();
    expect(await headingLayout(bob.page)).toEqual({ wordLines: 1, nameLines: 1, nameFollows: true });
    expect(await bob.page.locator("#invite-submit").innerText()).toBe("Open");
    expect(problems.list).toEqual([]);
  });
});
