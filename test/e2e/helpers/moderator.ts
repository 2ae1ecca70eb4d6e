// Signing a browser in as a moderator at /moderate (docs/moderation.md), as every e2e test of moderation starts.
import type { Page } from "playwright-core";
import { E2E_MODERATOR_TOKEN } from "./server.js";

/** Signs `page`'s browser in at `${url}/moderate` with the e2e server's token, and waits for the page to say so. */
export async function signInAsModerator(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/moderate`);
  await page.fill("#moderator-token", E2E_MODERATOR_TOKEN);
  await page.click("#moderate-submit");
  await page.locator("#moderate-status", { hasText: "You are a moderator" }).waitFor();
}
