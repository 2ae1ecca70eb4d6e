// What stays in the browser after its reader lost a room (the browser review of 2026-12-07): a private room's
// files must not be served from the HTTP cache once the member is out, nor a public room's once its message is
// deleted, and a left room's messages must not stay in the IndexedDB message cache (the offline view's) once the
// room is gone from the page.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { join, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { pasteFiles, pngOf } from "./helpers/files.js";
import { createInvite, createPrivateRoom, joinByInvite } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

/** The status `fetch` gives the page for `url`, the HTTP cache's answer included (the default cache mode). */
const statusOf = (page: Page, url: string): Promise<number> => page.evaluate(async (u) => (await fetch(u)).status, url);

/** The rooms the message cache holds in IndexedDB (public/js/device-store.js: database "messenger-room", store "messages"). */
function cachedRooms(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open("messenger-room");
        req.onerror = () => reject(new Error("IndexedDB did not open"));
        req.onsuccess = () => {
          const db = req.result;
          const keys = db.transaction("messages", "readonly").objectStore("messages").getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => reject(new Error("no keys"));
        };
      }),
  );
}

/** Whether the message cache holds `room` (run in the page). @param room */
async function hasCached(room: string): Promise<boolean> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open("messenger-room");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error("IndexedDB did not open"));
  });
  const key = await new Promise<IDBValidKey | undefined>((resolve) => {
    const r = db.transaction("messages", "readonly").objectStore("messages").getKey(room);
    r.onsuccess = () => resolve(r.result);
  });
  db.close();
  return key !== undefined;
}

describe("what the browser keeps after losing a room", () => {
  it("a private room's image is asked of the server again after the member left: the HTTP cache does not hand it out", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    const title = "Cached plans";
    await createPrivateRoom(ana.page, suite.server.url, "Ana", title);
    const link = await createInvite(ana.page);
    await ana.page.click("#invite-close");
    await joinByInvite(bob.page, link, "Bob", title);
    await waitForPresence(ana.page, ["Ana", "Bob"]);

    await pasteFiles(ana.page, [{ name: "plan.png", type: "image/png", bytes: await pngOf(320, 200, "#c0392b") }]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).waitFor();
    await ana.page.fill("#message-content", "the plan");
    await ana.page.press("#message-content", "Enter");
    await sentMessage(ana.page, "the plan").waitFor();

    // Bob's page shows the thumbnail and fetches the original: the browser has both.
    const thumb = bob.page.locator("img.file-thumb__img");
    await thumb.waitFor();
    await bob.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));
    const thumbUrl = await thumb.evaluate((img: HTMLImageElement) => img.src);
    const urls = [thumbUrl, thumbUrl.replace(/\/-\/thumb$/, "/plan.png")];
    for (const url of urls) expect(await statusOf(bob.page, url)).toBe(200);

    await bob.page.click("#leave-button");
    await bob.page.click("#confirm-ok");
    await bob.page.locator("#home-view").waitFor({ state: "visible" });
    await waitForPresence(ana.page, ["Ana"]);

    // Out of the room, the server refuses the files; the browser must ask it rather than answer from its cache.
    for (const url of urls) expect(await statusOf(bob.page, url)).toBe(404);
    // Chromium reports each refused fetch on the console: those two 404s are the point, nothing else may show.
    expect(problems.list.filter((p) => !urls.some((url) => p.includes("status of 404") && p.endsWith(`(${url})`)))).toEqual([]);
  });

  it("a public room's image whose message was deleted does not show again from the HTTP cache when its address is opened", async () => {
    const { problems, person } = world(suite);
    const [ana, bob] = await Promise.all([person("ana"), person("bob")]);
    await join(ana.page, suite.server.url, "Ana", "cache-deleted");
    await join(bob.page, suite.server.url, "Bob", "cache-deleted");
    await waitForPresence(ana.page, ["Ana", "Bob"]);
    await pasteFiles(ana.page, [{ name: "oops.png", type: "image/png", bytes: await pngOf(320, 200, "#8e44ad") }]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).waitFor();
    await ana.page.fill("#message-content", "posted by mistake");
    await ana.page.press("#message-content", "Enter");

    // Bob's page shows the thumbnail, and he opens the picture itself in another tab: the browser has both.
    await sentMessage(bob.page, "posted by mistake").locator("img.file-thumb__img").waitFor();
    await bob.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));
    const thumbUrl = await bob.page.locator("img.file-thumb__img").evaluate((img: HTMLImageElement) => img.src);
    const urls = [thumbUrl, thumbUrl.replace(/\/-\/thumb$/, "/oops.png")];
    // Not watched for problems: Chromium's own image viewer breaks the file's sandbox CSP (inline style and script)
    // on the console, for any file opened as a page; the app's pages are watched as always.
    const tab = await bob.context.newPage();
    expect((await tab.goto(urls[1] as string))?.status()).toBe(200);

    const mistake = sentMessage(ana.page, "posted by mistake");
    await mistake.hover(); // the actions show on hover (or focus)
    await mistake.locator(".msg__action[data-action=delete]").click();
    await ana.page.click("#confirm-ok");
    await bob.page.locator("#messages li.msg--deleted").waitFor();

    // Opened again (from the history, on a shared computer): the server is asked, and says there is no such file.
    for (const url of urls) {
      expect((await tab.goto(url))?.status()).toBe(404);
      expect(await tab.locator("img").count()).toBe(0);
      expect(await tab.locator("body").textContent()).toContain("No such file.");
    }
    expect(problems.list).toEqual([]);
  });

  it("leaving a room takes its messages out of the device's message cache", async () => {
    const { problems, person } = world(suite);
    const bob = await person("bob");
    await suite.server.seed("cache-left", [{ sender: "Ana", content: "before the leave" }]);
    await join(bob.page, suite.server.url, "Bob", "cache-left");
    await bob.page.locator("#messages li", { hasText: "before the leave" }).waitFor();
    // The cache writes a moment after showing (message-cache.js WRITE_DELAY_MS): wait until the room is in it.
    await expect.poll(() => bob.page.evaluate(hasCached, "cache-left")).toBe(true);

    await bob.page.click("#leave-button");
    await bob.page.locator("#home-view").waitFor({ state: "visible" });
    // A later room's write comes after whatever the leave wrote (one store: its transactions run in order).
    // From the home view the page is on (no reload: the leave's writes belong to this page).
    await bob.page.fill("#room-name", "cache-after");
    await bob.page.click("#join-button");
    await waitInRoom(bob.page, "cache-after");
    await bob.page.fill("#message-content", "after the leave");
    await bob.page.press("#message-content", "Enter");
    await sentMessage(bob.page, "after the leave").waitFor();
    await expect.poll(() => bob.page.evaluate(hasCached, "cache-after")).toBe(true);

    expect(await cachedRooms(bob.page)).toEqual(["cache-after"]);
    expect(problems.list).toEqual([]);
  });
});

describe("the message cache on its own (public/js/message-cache.js, in the page)", () => {
  it("a room forgotten while its first read from IndexedDB is on its way is not written back afterwards", async () => {
    const { problems, person } = world(suite);
    const bob = await person("bob");
    await bob.page.goto(`${suite.server.url}/`);
    // A string, so the test runner does not rewrite the page's dynamic import as its own.
    const cached = await bob.page.evaluate(`(async () => {
      const { createMessageCache } = await import("/js/message-cache.js");
      const cache = createMessageCache();
      const msg = (id) => ({ id, room: "race-gone", sender: "Ana", content: "secret " + id, sentAt: new Date(0).toISOString() });
      cache.note("race-gone", msg(1)); // starts reading the room's list from IndexedDB
      cache.forget("race-gone"); // the room is left before that read answers
      cache.note("race-kept", { ...msg(2), room: "race-kept" });
      const keys = () => new Promise((resolve) => {
        const req = indexedDB.open("messenger-room");
        req.onsuccess = () => {
          const all = req.result.transaction("messages", "readonly").objectStore("messages").getAllKeys();
          all.onsuccess = () => { req.result.close(); resolve(all.result); };
        };
      });
      // Both rooms' writes go in one flush: once the kept room is stored, whatever was to be written is.
      for (;;) {
        const now = await keys();
        if (now.includes("race-kept")) return { stored: now, shown: (await cache.read("race-gone")).length };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })()`);
    expect(cached).toEqual({ stored: ["race-kept"], shown: 0 });
    expect(problems.list).toEqual([]);
  });
});
