// Web Push into a browser's service worker for the tests (issue 23). Headless Chromium reaches no push service, so
// a push is delivered with the DevTools protocol (ServiceWorker.deliverPushMessage), which runs the worker's `push`
// handler with the payload as a real push would after decryption; what the worker shows is read back with
// getNotifications() from a page of the origin.
import { expect } from "vitest";
import type { BrowserContext, Page } from "playwright-core";

export interface Shown {
  title: string;
  body: string;
  tag: string;
  /** quoted: the message whose text the notification shows (a take-back names it). */
  data: { url: string; room: string; id: number; quoted: number };
}

type Registration = { registrationId: string; scopeURL: string; isDeleted: boolean };

/** How many times one push is delivered before the test gives up on it being shown. */
const MAX_DELIVERIES = 3;
/** How long a delivery gets to show its notification before the push goes again. */
const SHOWN_WITHIN_MS = 3_000;

/**
 * A CDP session on `page` (a page of `origin`) that pushes to the origin's service worker, and what it shows.
 *
 * Chromium's DevTools handler hands the push over and throws its delivery status away (its callback is a no-op),
 * and some deliveries never reach the worker (7 of 90 in 30 runs of push-worker.test.ts here; push-switch.test.ts
 * failed in CI the same way): nothing is shown, while the same push sent again is shown at once. So `push` delivers
 * again while nothing with the payload's tag is shown after 3 s, at most three times in all. A worker that does not
 * show pushes still fails every attempt, and the tag makes a repeat replace the notification rather than add one.
 * A take-back pushed again finds nothing left to take back, so its repeat changes nothing.
 */
export async function pushPort(context: BrowserContext, page: Page, origin: string) {
  const cdp = await context.newCDPSession(page);
  const registrations: Registration[] = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (ev: { registrations: Registration[] }) => registrations.push(...ev.registrations));
  await cdp.send("ServiceWorker.enable");
  await expect.poll(() => registrations.some((r) => r.scopeURL === `${origin}/` && !r.isDeleted)).toBe(true);
  const registrationId = registrations.find((r) => r.scopeURL === `${origin}/`)?.registrationId ?? "";
  const shown = (): Promise<Shown[]> =>
    page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as Shown["data"] }));
    });
  /** `done` says when the push had its effect: by default, a notification with the payload's tag is shown. */
  const push = async (payload: { tag: string } & Record<string, unknown>, done = (now: Shown[]) => now.some((n) => n.tag === payload.tag)): Promise<void> => {
    for (let delivery = 1; ; delivery++) {
      await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(payload) });
      try {
        await expect.poll(async () => done(await shown()), { timeout: SHOWN_WITHIN_MS }).toBe(true);
        return;
      } catch (err) {
        if (delivery === MAX_DELIVERIES) throw err;
      }
    }
  };
  return { push, shown };
}
