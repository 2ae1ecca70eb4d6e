// Signing a browser in as a moderator at /moderate (docs/moderation.md), as every e2e test of moderation starts.
import type { Page } from "playwright-core";
import { join, waitForPresence, type Person } from "./browser.js";
import { E2E_MODERATOR_TOKEN } from "./server.js";
import type { World } from "./suite.js";

/** Signs `page`'s browser in at `${url}/moderate` with the e2e server's token, and waits for the page to say so. */
export async function signInAsModerator(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/moderate`);
  await page.fill("#moderator-token", E2E_MODERATOR_TOKEN);
  await page.click("#moderate-submit");
  await page.locator("#moderate-status", { hasText: "You are a moderator" }).waitFor();
}

/**
 * A moderator "Mod" signed in, and `member` (a person of their own), both in `room`, each seeing the other listed:
 * where every test of banning starts.
 */
export async function moderatorAndMember(world: World, url: string, room: string, member: string): Promise<{ mod: Person; other: Person }> {
  const [mod, other] = await Promise.all([world.person("mod"), world.person(member.toLowerCase())]);
  await signInAsModerator(mod.page, url);
  await join(other.page, url, member, room);
  await join(mod.page, url, "Mod", room);
  await waitForPresence(mod.page, [member, "Mod"]);
  return { mod, other };
}
