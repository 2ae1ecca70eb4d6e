// Notifications observed in Chromium: an init script wraps window.Notification and records each one the page
// builds (and every permission request and window.focus()), and setHidden() makes a page hidden, as
// notifications.test.ts explains (headless Chromium reports every page as visible).
import type { BrowserContext, Page } from "playwright-core";

export interface Recorded {
  title: string;
  body: string | undefined;
  tag: string | undefined;
}

declare global {
  interface Window {
    __notes: (Recorded & { instance: Notification; isClosed: boolean })[];
    __permissionRequests: number;
    __focusCalls: number;
    __answerPermission: () => void;
  }
}

/** Records every notification the page builds, every permission request and every window.focus(). */
export async function observeNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Original = window.Notification;
    window.__notes = [];
    window.__permissionRequests = 0;
    window.__focusCalls = 0;
    window.__answerPermission = () => {};
    class Recording extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.__notes.push({ title, body: options?.body, tag: options?.tag, instance: this, isClosed: false });
      }
      override close(): void {
        const note = window.__notes.find((n) => n.instance === this);
        if (note) note.isClosed = true;
        super.close();
      }
      /** Held until the test answers, as a prompt waits for the person. */
      static override requestPermission(): Promise<NotificationPermission> {
        window.__permissionRequests++;
        return new Promise((resolve) => (window.__answerPermission = () => resolve(Original.requestPermission())));
      }
    }
    window.Notification = Recording;
    const focus = window.focus.bind(window);
    window.focus = () => {
      window.__focusCalls++;
      focus();
    };
  });
}

/** Whether the page closed each notification it built, in the order it built them. */
export const closedNotes = (page: Page): Promise<boolean[]> => page.evaluate(() => window.__notes.map((n) => n.isClosed));

export const notes = (page: Page): Promise<Recorded[]> => page.evaluate(() => window.__notes.map(({ title, body, tag }) => ({ title, body, tag })));

export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}
