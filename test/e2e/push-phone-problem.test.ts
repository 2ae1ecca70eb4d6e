// On a phone the push switch sits in a panel folded behind "More notification settings" (push-disclosure.js). Its
// failure message (why it could not turn on) landed in that panel even when the user had folded it meanwhile, so
// it was never seen, nor heard (a live region out of the page's rendering is read by no screen reader). Now a
// failure opens the panel and the message lands once the status is on screen, said by that status alone.
//
// The server's answer is held (page.route) until the panel has been folded by a tap elsewhere, as a slow network
// would; it is then passed on unchanged. The rest is the real chain, with push-switch.test.ts's stand-in for the
// browser's push service (headless Chromium has none).
import { afterAll, describe, expect, it } from "vitest";
import { startPushService } from "../helpers/push-service.js";
import { join } from "./helpers/browser.js";
import { standInPushManager } from "./helpers/push-stand-in.js";
import { browserSuite, world } from "./helpers/suite.js";

const service = await startPushService();
afterAll(() => service.close());
const suite = browserSuite({ env: service.env });

interface StatusChange {
  text: string;
  /** Whether the status was rendered (so in the accessibility tree) when its text changed. */
  wasRendered: boolean;
}

declare global {
  interface Window {
    __statusChanges: StatusChange[];
  }
}

describe("the push switch's failure on a phone", () => {
  it("opens the folded panel so the reason is seen, and says it once, in the switch's status", async () => {
    const { problems, person } = world(suite);
    const url = suite.server.url;
    const ana = await person("ana", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    // An endpoint the server refuses (not a known push service): the switch fails with the server's reason.
    await standInPushManager(ana.context, { endpoint: "https://push.attacker.example/subscription/1", keys: service.subscription().keys });
    await ana.context.grantPermissions(["notifications"], { origin: url });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const requested = new Promise<void>((resolve) => (reached = resolve));
    await ana.page.route(`${url}/api/push/subscription`, async (route) => {
      reached();
      await held;
      await route.continue();
    });
    await join(ana.page, url, "Ana", "push-phone-problem");
    await ana.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await ana.page.evaluate(() => {
      window.__statusChanges = [];
      const status = document.getElementById("push-status");
      if (!status) return;
      new MutationObserver(() => window.__statusChanges.push({ text: status.textContent ?? "", wasRendered: status.checkVisibility() })).observe(status, { childList: true, characterData: true, subtree: true });
    });

    const more = ana.page.getByRole("button", { name: "More notification settings" });
    const toggle = ana.page.getByRole("switch", { name: "Also when the page is closed" });
    await more.click();
    await toggle.click();
    await requested;
    // Folded while the server has not answered yet.
    await ana.page.locator("#message-list").click({ position: { x: 10, y: 10 } });
    expect(await more.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.isVisible()).toBe(false);
    release();

    const status = ana.page.locator("#push-status");
    await status.filter({ hasText: /^This push service is not allowed: .+/ }).waitFor({ state: "visible" });
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    expect(await toggle.isVisible()).toBe(true);
    expect(await toggle.isChecked()).toBe(false);
    const box = await ana.page.locator("#push-field").evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(375);
    // Heard once: the status (role=status) was on screen when the reason reached it, and the page's own live
    // region does not repeat it.
    expect(await status.getAttribute("role")).toBe("status");
    const changes = await ana.page.evaluate(() => window.__statusChanges);
    expect(changes.filter((c) => c.text.startsWith("This push service is not allowed")).map((c) => c.wasRendered)).toEqual([true]);
    expect(await ana.page.locator("#live-region").textContent()).not.toContain("push service");

    // Folding it again works as before.
    await more.click();
    expect(await toggle.isVisible()).toBe(false);
    // The browser's console reports the refused request; that is the answer the test asked for.
    expect(problems.list.filter((p) => !p.includes("status of 400"))).toEqual([]);
  });
});
