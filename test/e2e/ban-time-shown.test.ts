// A banned name joining again is told until when in the reader's own words: the server's refusal names the end in
// ISO 8601 UTC ("until 2026-12-07T13:53:45.290Z"), which the join form showed as it was (found by the third
// walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { browserSuite, world } from "./helpers/suite.js";
import { moderatorAndMember } from "./helpers/moderator.js";

const suite = browserSuite();

describe("a ban's end on the join form", () => {
  it("shows the local date and time the ban ends, the same as the removal note, never the ISO text", async () => {
    const w = world(suite);
    const { problems } = w;
    const room = "ban-time";
    const { mod, other: cleo } = await moderatorAndMember(w, suite.server.url, room, "Cleo");

    await mod.page.click("#presence-list button[aria-label='Ban Cleo']");
    await mod.page.click("#confirm-ok");
    const note = cleo.page.locator("#removed-note", { hasText: /^A moderator banned you from this room until .+\.$/ });
    await note.waitFor();
    const until = /until (.+)\.$/.exec((await note.textContent()) ?? "")?.[1];

    await cleo.page.fill("#username", "Cleo");
    await cleo.page.fill("#room-name", room);
    await cleo.page.click("#join-button");
    const error = cleo.page.locator("#join-error");
    await error.waitFor({ state: "visible" });
    expect(await error.textContent()).toBe(`You are banned from this room until ${until}.`);
    expect(await error.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(problems.list).toEqual([]);
  });
});
