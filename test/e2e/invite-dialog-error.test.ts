// The invite dialog's refusals on a page that was opened from an invite link: the invite card and the dialog both had
// an element with the id "invite-error", and the dialog wrote into the first one, the card's, hidden once the room
// was joined: a refused "Create link" said nothing at all (found by the user walk-through, 2026-12-07).
import { describe, expect, it } from "vitest";
import { browserSuite, world } from "./helpers/suite.js";
import { roomAction } from "./helpers/browser.js";
import { signInAsModerator } from "./helpers/moderator.js";
import { createInvite, createPrivateRoom, inviteDialog, joinByInvite } from "./helpers/private-rooms.js";

// One usable link per room, so the second "Create link" is refused.
const suite = browserSuite({ env: { MAX_INVITES_PER_ROOM: "1" } });

describe("the invite dialog on a page opened from an invite link", () => {
  it("shows the server's refusal in the dialog, and the page has each id once", async () => {
    const { problems, person } = world(suite);
    const url = suite.server.url;
    const [ana, mod] = await Promise.all([person("ana"), person("mod")]);
    await createPrivateRoom(ana.page, url, "Ana", "Book club");
    const link = await createInvite(ana.page);
    await signInAsModerator(mod.page, url);
    await mod.page.goto(link);
    const duplicates = await mod.page.evaluate(() => {
      const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
      return ids.filter((id, i) => ids.indexOf(id) !== i);
    });
    expect(duplicates).toEqual([]);
    await joinByInvite(mod.page, link, "Mod", "Book club");

    await (await roomAction(mod.page, "#invite-button")).click();
    await inviteDialog(mod.page).waitFor({ state: "visible" });
    await mod.page.click("#invite-create");
    const error = inviteDialog(mod.page).locator("[role='alert']");
    await error.waitFor({ state: "visible" });
    expect(await error.textContent()).toBe("This room has 1 usable invite links, the most it may; revoke one first.");
    expect(problems.list).toEqual([]);
  });
});
