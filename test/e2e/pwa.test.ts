// Issue 23 §1 in Chromium: the manifest and its icons, the service worker controlling the page, the shell served
// offline with the remembered rooms and the last messages of a public room, a message written offline kept
// across a reload and sent once when back, and a new build announced and taken by Reload.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { chromium } from "playwright-core";
import { anyMessage, CHROMIUM_ARGS, CHROMIUM_PATH, join, launchChromium, newPerson, Problems, sentMessage } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { cachedTexts, controlled } from "./helpers/pwa.js";
import { saveScreenshot } from "./helpers/screenshots.js";
import { startServer } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";
import { FLASK_INSERT, withFlaskConnection } from "../helpers/flask-db.js";

const suite = browserSuite();

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("installable app", () => {
  it("links the manifest from every page; its fields and icons are what browsers ask for", async () => {
    const base = suite.server.url;
    for (const path of ["/", "/r/general", "/moderate", "/no-such-page", "/invite/not-a-token"]) {
      const html = await (await fetch(base + path, { headers: { accept: "text/html" } })).text();
      expect(html, path).toContain('<link rel="manifest" href="/manifest.webmanifest">');
      expect(html, path).toContain('<meta name="theme-color" content="#0f1419" media="(prefers-color-scheme: dark)">');
    }
    const res = await fetch(`${base}/manifest.webmanifest`);
    expect(res.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as Record<string, unknown> & { icons: { src: string; sizes: string; type: string; purpose: string }[] };
    expect(manifest).toMatchObject({ id: "/", name: "Messenger Room", short_name: expect.any(String), display: "standalone", start_url: "/", scope: "/", theme_color: expect.any(String), background_color: expect.any(String) });
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(["192x192 any", "512x512 any", "512x512 maskable"]);
    for (const icon of [...manifest.icons, { src: "/icons/apple-touch-icon.png", sizes: "180x180", type: "image/png" }]) {
      const got = await fetch(base + icon.src);
      expect(got.headers.get("content-type")).toBe(icon.type);
      const size = pngSize(Buffer.from(await got.arrayBuffer()));
      expect(size && `${size.width}x${size.height}`, icon.src).toBe(icon.sizes);
    }
    // The page preloads only the deepest import (all 57 delayed the first paint, performance.md); the worker's shell has the whole graph.
    const home = await (await fetch(`${base}/`)).text();
    const preloaded = [...home.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    expect(preloaded).toEqual(["/socket.io/socket.io.esm.min.js"]);
  });

  it("Chromium finds it installable: no installability error, the manifest parsed without errors (what Lighthouse's PWA checks asked, before Lighthouse 12 dropped them)", async () => {
    // A profile on disk, as a person's browser has: Chromium never offers to install from an incognito-like context.
    const profile = mkdtempSync(joinPath(tmpdir(), "pwa-profile-"));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
    onTestFinished(async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await controlled(page, `${suite.server.url}/`);
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send("Page.getAppManifest")) as { url: string; errors: { message: string }[] };
    expect(manifest.url).toBe(`${suite.server.url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
  });

  it("serves /sw.js with the build's version and shell, and never lists the API, files or private rooms", async () => {
    const res = await fetch(`${suite.server.url}/sw.js`);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    const version = res.headers.get("x-app-version");
    const source = await res.text();
    const shell = JSON.parse(/^const SHELL = (.*);$/m.exec(source)?.[1] ?? "null") as { version: string; files: string[] };
    expect(shell.version).toBe(version);
    expect(shell.files).toEqual(expect.arrayContaining(["/", "/chat.js", "/js/app.js", "/js/outbox.js", "/js/push-switch.js", "/socket.io/socket.io.esm.min.js", "/js/deep-link-hold.js", "/chat.css", "/manifest.webmanifest", "/icons/icon-192.png"]));
    expect(shell.files.filter((f) => /^\/(api|files|socket\.io\/\?|invite|metrics|healthz)|~/.test(f))).toEqual([]);
  });

  it("offline, the cached page shows the remembered rooms and a public room's last messages; a message written offline waits, survives a reload and is sent once when back", async () => {
    const server = suite.server;
    const room = "pwa-offline";
    const { problems, person } = world(suite);
    const ana = await person("ana", { bypassCSP: true }); // bypassCSP: axe is injected as a script
    const page = ana.page;
    await controlled(page, `${server.url}/`);
    await join(page, server.url, "Ana", room);
    const ben = await server.joined(room, "Ben");
    for (const content of ["Morning all", "Stand-up at ten"]) {
      const res = await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content });
      if (!res.ok) throw new Error(res.error.message);
      await sentMessage(page, content).waitFor();
    }
    await expect.poll(() => cachedTexts(page, room)).toEqual(["Morning all", "Stand-up at ten"]);

    problems.allowNetworkErrors = true; // Socket.IO's attempts fail while offline, as they should
    await ana.context.setOffline(true);
    await page.reload();
    await page.locator("#offline-banner").waitFor({ state: "visible" });
    expect(await page.locator("#offline-banner").getAttribute("role")).toBe("status");
    await page.locator("#sidebar-list a", { hasText: room }).waitFor();
    await page.locator("#offline-messages li").nth(1).waitFor();
    expect(await page.locator("#offline-messages .offline-copy__text").allTextContents()).toEqual(["Morning all", "Stand-up at ten"]);
    expect(await page.locator("#load-older").isVisible()).toBe(false); // nothing older can be fetched offline
    expect(await blockingFindings(page, "offline view")).toEqual([]);
    await saveScreenshot(page, "screenshot-offline.png");

    await page.fill("#message-content", "Written on the train");
    await page.press("#message-content", "Enter");
    const waiting = anyMessage(page, "Written on the train");
    await waiting.waitFor();
    await expect.poll(() => waiting.locator(".msg__status").textContent()).toMatch(/Waiting/i);
    await page.reload();
    await page.locator("#offline-banner").waitFor({ state: "visible" });
    await anyMessage(page, "Written on the train").waitFor();
    expect(await anyMessage(page, "Written on the train").count()).toBe(1);
    expect(await anyMessage(page, "Written on the train").getAttribute("class")).toContain("msg--local");

    const arrived: string[] = [];
    ben.on("message", (m) => {
      if ("id" in m && m.content === "Written on the train") arrived.push(m.clientId ?? "");
    });
    await ana.context.setOffline(false);
    await sentMessage(page, "Written on the train").waitFor({ timeout: 20_000 });
    await page.locator("#offline-banner").waitFor({ state: "hidden" });
    expect(await page.locator("#offline-messages").count()).toBe(0);
    // Something sent after it arrives after it: had it been sent twice, the second copy would be here by now.
    await page.fill("#message-content", "Back online");
    await page.press("#message-content", "Enter");
    await sentMessage(page, "Back online").waitFor();
    const stored = (await server.repo.page(room, { limit: 50 })).messages.filter((m) => m.content === "Written on the train");
    expect(stored).toHaveLength(1);
    expect(arrived).toEqual([stored[0]?.clientId]);
    expect(await anyMessage(page, "Written on the train").count()).toBe(1);
    expect(problems.list).toEqual([]);
  });

  it("offline, a kept Flask row whose timestamp is a date alone shows no made-up time", async () => {
    const server = suite.server;
    const room = "pwa-flask-times";
    const { problems, person } = world(suite);
    // The Flask app wrote a date without a time: read as midnight UTC it would show as 19:00 or 20:00 here.
    withFlaskConnection(server.databasePath, (db) => db.prepare(FLASK_INSERT).run(room, "flask", "a date alone", "2024-05-06"));
    await server.seed(room, [{ sender: "Ben", content: "sent today", sentAt: new Date() }]);
    const ana = await person("ana", { timezoneId: "America/New_York", locale: "en-GB" });
    const page = ana.page;
    await controlled(page, `${server.url}/`);
    await join(page, server.url, "Ana", room);
    await sentMessage(page, "sent today").waitFor();
    await expect.poll(() => cachedTexts(page, room)).toEqual(["a date alone", "sent today"]);

    problems.allowNetworkErrors = true; // Socket.IO's attempts fail while offline, as they should
    await ana.context.setOffline(true);
    await page.reload();
    await page.locator("#offline-messages li").nth(1).waitFor();
    const times = await page.locator("#offline-messages .offline-copy__time").allTextContents();
    expect(times[0]).toBe("");
    expect(times[1]).toMatch(/^\d{1,2}:\d{2}/);
    await ana.context.setOffline(false);
    expect(problems.list).toEqual([]);
  });

  it("two tabs of one room show and send a message kept offline once", async () => {
    const { server, room, ana, second, problems } = await keptInFirstOfTwoTabs("pwa-two-tabs", "kept once");
    await ana.context.setOffline(false);
    await sentMessage(ana.page, "kept once").waitFor({ timeout: 20_000 });
    await sentMessage(second, "kept once").waitFor({ timeout: 20_000 });
    expect(await anyMessage(second, "kept once").count()).toBe(1);
    expect((await server.repo.page(room, { limit: 50 })).messages.filter((m) => m.content === "kept once")).toHaveLength(1);
    expect(problems.list).toEqual([]);
  });

  it("when the tab that kept a message closes, another open tab of the room takes it over and sends it once", async () => {
    const { server, room, ana, second, problems } = await keptInFirstOfTwoTabs("pwa-hand-over", "handed over");
    // The first tab goes: the second was waiting on its lock, and now owns the message.
    await ana.page.close();
    await anyMessage(second, "handed over").waitFor();
    expect(await anyMessage(second, "handed over").count()).toBe(1);
    await ana.context.setOffline(false);
    await sentMessage(second, "handed over").waitFor({ timeout: 20_000 });
    expect(await anyMessage(second, "handed over").count()).toBe(1);
    expect((await server.repo.page(room, { limit: 50 })).messages.filter((m) => m.content === "handed over")).toHaveLength(1);
    expect(problems.list).toEqual([]);
  });
});

/**
 * Ana writes `text` offline in `room`'s first tab, then opens the remembered room in a second tab, still offline:
 * the first tab owns the kept message, so the second does not show it (checked here).
 */
async function keptInFirstOfTwoTabs(room: string, text: string) {
  const server = suite.server;
  const { problems, person } = world(suite);
  const ana = await person("ana");
  await controlled(ana.page, `${server.url}/`);
  await join(ana.page, server.url, "Ana", room);
  problems.allowNetworkErrors = true;
  await ana.context.setOffline(true);
  await ana.page.fill("#message-content", text);
  await ana.page.press("#message-content", "Enter");
  await anyMessage(ana.page, text).waitFor();
  const second = await ana.newTab("ana#2");
  await second.goto(`${server.url}/`);
  await second.locator("#offline-banner").waitFor({ state: "visible" });
  await second.locator("#sidebar-list a", { hasText: room }).click();
  await second.locator(".offline-copy").waitFor();
  expect(await anyMessage(second, text).count()).toBe(0);
  return { server, room, ana, second, problems };
}

describe("a new build", () => {
  it("is announced on an open page, and Reload runs the new version's code", async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), "mr-e2e-public-"));
    const publicDir = joinPath(dir, "public");
    cpSync(fileURLToPath(new URL("../../public", import.meta.url)), publicDir, { recursive: true });
    const server = await startServer({ publicDir });
    onTestFinished(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const problems = new Problems();
    const ana = await newPerson(browser, problems, "ana", { bypassCSP: true });
    const page = ana.page;
    await controlled(page, `${server.url}/`);
    await join(page, server.url, "Ana", "pwa-build");
    const before = await page.evaluate(() => document.body.dataset.appVersion);

    problems.allowNetworkErrors = true; // the page reconnects while the server restarts
    await server.stop();
    const entry = joinPath(publicDir, "chat.js");
    writeFileSync(entry, `${readFileSync(entry, "utf8")}document.documentElement.dataset.build = "next";\n`);
    await server.start(); // the same port: a worker belongs to its origin
    const banner = page.locator("#update-banner");
    await banner.waitFor({ state: "visible", timeout: 20_000 });
    expect(await banner.textContent()).toMatch(/A new version is ready\s+—\s+Reload/);
    expect(await page.evaluate(() => document.documentElement.dataset.build)).toBeUndefined(); // nothing of the new code yet
    expect(await blockingFindings(page, "new version banner")).toEqual([]);
    await page.locator("#update-reload").focus();
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    await page.waitForFunction(() => document.documentElement.dataset.build === "next");
    expect(await page.evaluate(() => document.body.dataset.appVersion)).not.toBe(before);
    expect(await page.locator("#update-banner").isHidden()).toBe(true);
    expect(problems.list.filter((p) => !/net::ERR_|WebSocket/.test(p))).toEqual([]);
  });
});
