// A banned name joining again is told until when in the reader's own words: the server's refusal names the end in
// ISO 8601 UTC ("until 2026-12-07T13:53:45.290Z"), which the join form showed as it was (found by the third
// walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { join, waitForPresence } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

const suite = browserSuite();

describe("a ban's end on the join form", () => {
  it("shows the local date and time the ban ends, the same as the removal note, never the ISO text", async () => {
    const { problems, person } = world(suite);
    const room = "ban-time";
    const [mod, cleo] = await Promise.all([person("mod"), person("cleo")]);
    await signInAsModerator(mod.page, suite.server.url);
    await join(cleo.page, suite.server.url, "Cleo", room);
    await join(mod.page, suite.server.url, "Mod", room);
    await waitForPresence(mod.page, ["Cleo", "Mod"]);

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
