// The service worker in browser tests (issue 23): waiting for it to control a page, and reading what the page
// keeps in IndexedDB.
import type { Page } from "playwright-core";

/** Opens `url` and waits until the service worker controls the page (a first install claims it). */
export async function controlled(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
}

/** The texts the device cache holds for `room` (message-cache.js). */
export function cachedTexts(page: Page, room: string): Promise<string[]> {
  return page.evaluate(async (room) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open("messenger-room");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      if (!db.objectStoreNames.contains("messages")) return [];
      const row = await new Promise<{ messages: { text: string }[] } | undefined>((resolve) => {
        const req = db.transaction("messages").objectStore("messages").get(room);
        req.onsuccess = () => resolve(req.result as { messages: { text: string }[] } | undefined);
        req.onerror = () => resolve(undefined);
      });
      return row?.messages.map((m) => m.text) ?? [];
    } finally {
      db.close();
    }
  }, room);
}
