// How the page looks and reads: a phone-sized screen, an axe-core scan in light and dark, and the
// screenshots in docs/ taken from a real conversation.
import { createRequire } from "node:module";
import { join as joinPath } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { StorageUnavailableError } from "../../src/storage/repository.js";
import { besidesDocumentStatus, join, roomAction, send, sentMessage, waitForPresence } from "./helpers/browser.js";
import { screenshotDir } from "./helpers/screenshots.js";
import { browserSuite, world } from "./helpers/suite.js";

const faults = { failAppends: false };
const suite = browserSuite({
  wrapRepo: (repo) => ({
    append: (m) => (faults.failAppends ? Promise.reject(new StorageUnavailableError("e2e: writes refused")) : repo.append(m)),
    page: (room, query) => repo.page(room, query),
    search: (room, query, opts) => repo.search(room, query, opts),
    isHealthy: () => repo.isHealthy(),
    close: () => repo.close(),
  }),
});

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
// docs/ only with UPDATE_SCREENSHOTS=1; otherwise a temporary folder (named in the test's output).
const SHOTS_DIR = screenshotDir();
const SHOT = (name: string) => joinPath(SHOTS_DIR, name);

interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axeScan(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const res = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

async function noHorizontalScroll(page: Page): Promise<{ doc: number; body: number; list: number; listClient: number; width: number }> {
  return page.evaluate(() => {
    const list = document.getElementById("message-list") as HTMLElement;
    return { doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, list: list.scrollWidth, listClient: list.clientWidth, width: window.innerWidth };
  });
}

describe("looks and accessibility", () => {
  it("fits a 360 px wide phone without horizontal scrolling, home and room", async () => {
    const { problems, person } = world(suite);
    const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const [ana, ben] = await Promise.all([person("ana", phone), person("ben")]);
    const longRoom = "a-room-with-a-rather-long-name-for-a-small-phone-x"; // 50 characters
    await join(ben.page, suite.server.url, "Ben", longRoom);

    await ana.page.goto(`${suite.server.url}/`);
    await ana.page.locator(".room-link", { hasText: longRoom }).waitFor();
    const home = await ana.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, width: window.innerWidth }));
    expect(home.doc).toBeLessThanOrEqual(home.width);

    await ana.page.fill("#username", "Ana Maria de los Santos Iglesias Fernández");
    await ana.page.fill("#room-name", longRoom);
    await ana.page.click("#join-button");
    await waitForPresence(ana.page, ["Ana Maria de los Santos Iglesias Fernández", "Ben"]);
    await send(ben.page, `Averyveryverylongwordwithoutanyspaces${"x".repeat(120)} and https://example.com/${"path/".repeat(30)}`);
    await send(ben.page, "Ben's multi\nline\nmessage");
    await send(ana.page, "Short reply from the phone");
    await sentMessage(ana.page, "Ben's multi\nline\nmessage").waitFor();

    const sizes = await noHorizontalScroll(ana.page);
    expect(sizes.doc).toBeLessThanOrEqual(sizes.width);
    expect(sizes.body).toBeLessThanOrEqual(sizes.width);
    expect(sizes.list).toBeLessThanOrEqual(sizes.listClient);

    // On a phone the people list is behind a button (in the room actions), and opens over the messages.
    expect(await ana.page.locator("#presence").isVisible()).toBe(false);
    await (await roomAction(ana.page, "#presence-toggle")).click();
    await ana.page.locator("#presence").waitFor({ state: "visible" });
    expect(await ana.page.getAttribute("#presence-toggle", "aria-expanded")).toBe("true");
    expect((await noHorizontalScroll(ana.page)).doc).toBeLessThanOrEqual(360);
    await ana.page.keyboard.press("Escape");
    await ana.page.locator("#presence").waitFor({ state: "hidden" });

    const buttons = await ana.page.locator("#send-button, #room-actions-toggle").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    for (const right of buttons) expect(right).toBeLessThanOrEqual(360);
    expect(problems.list).toEqual([]);
  });

  it("has no serious or critical axe-core violations on the home and chat pages, light and dark", async () => {
    const { problems, person } = world(suite);
    // axe is injected as a script tag, which the page's strict CSP rightly refuses: these two profiles bypass it.
    const [ana, ben] = await Promise.all([person("ana", { bypassCSP: true }), person("ben", { bypassCSP: true })]);
    await join(ben.page, suite.server.url, "Ben", "axe");
    await ana.page.goto(`${suite.server.url}/`);
    await ana.page.locator(".room-link", { hasText: "axe" }).waitFor();

    const report: Record<string, Record<string, string[]>> = {};
    const record = (name: string, violations: AxeViolation[]) => {
      report[name] = {};
      for (const v of violations) (report[name][v.impact ?? "unknown"] ??= []).push(`${v.id} (${v.nodes.length}): ${v.help}`);
    };
    const scanBoth = async (page: Page, name: string) => {
      await page.emulateMedia({ colorScheme: "light" });
      record(`${name} light`, await axeScan(page));
      await page.emulateMedia({ colorScheme: "dark" });
      record(`${name} dark`, await axeScan(page));
      await page.emulateMedia({ colorScheme: "light" });
    };

    await scanBoth(ana.page, "home");

    await ana.page.fill("#username", "Ana");
    await ana.page.fill("#room-name", "axe");
    await ana.page.press("#room-name", "Enter");
    await waitForPresence(ana.page, ["Ana", "Ben"]);
    await send(ben.page, "Hello Ana, here is the link: https://example.com/docs");
    await send(ana.page, "Thanks Ben!");
    await send(ana.page, "Reading it now.");
    faults.failAppends = true;
    try {
      await ana.page.fill("#message-content", "this one fails");
      await ana.page.press("#message-content", "Enter");
      await ana.page.locator("#messages li.msg--failed").waitFor();
    } finally {
      faults.failAppends = false;
    }
    await sentMessage(ana.page, "Hello Ana, here is the link: https://example.com/docs").waitFor();
    await ana.page.fill("#message-content", "x".repeat(480)); // the character counter shows
    await scanBoth(ana.page, "chat");

    // A link to a room from elsewhere, with Ana's name remembered: the "Join as" view.
    const linked = await ana.newTab();
    await linked.goto(`${suite.server.url}/r/axe`);
    await linked.locator("#join-as-button").waitFor();
    await scanBoth(linked, "join as");

    const notFound = await ana.newTab();
    const missing = `${suite.server.url}/missing`;
    await notFound.goto(missing);
    await scanBoth(notFound, "404");

    console.log(`axe-core results by page and impact:\n${JSON.stringify(report, null, 2)}`);
    const blocking = Object.entries(report).flatMap(([page, byImpact]) => [...(byImpact.serious ?? []), ...(byImpact.critical ?? [])].map((v) => `${page}: ${v}`));
    expect(blocking).toEqual([]);
    expect(besidesDocumentStatus(problems, missing, 404)).toEqual([]);
  });

  it("takes the README screenshots from a real conversation (light, dark, 360 px)", async () => {
    const { problems, person } = world(suite);
    const room = "weekend-hike";
    const now = Date.now();
    const yesterday = (h: number, m: number) => {
      const d = new Date(now - 86_400_000);
      d.setHours(h, m, 0, 0);
      return d;
    };
    await suite.server.seed(room, [
      { sender: "Ben", content: "Anyone up for a hike on Saturday?", sentAt: yesterday(18, 2) },
      { sender: "Ben", content: "The weather looks great.", sentAt: yesterday(18, 3) },
      { sender: "Cleo", content: "Yes! The ridge trail or the lake loop?", sentAt: yesterday(18, 5) },
      { sender: "Ana", content: "Ridge trail, count me in!", sentAt: yesterday(18, 20) },
    ]);
    const [ana, ben] = await Promise.all([
      person("ana", { viewport: { width: 1000, height: 1040 }, deviceScaleFactor: 1 }),
      person("ben", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
    ]);
    const cleo = await suite.server.joined(room, "Cleo");
    await join(ana.page, suite.server.url, "Ana", room);
    await join(ben.page, suite.server.url, "Ben", room);
    await waitForPresence(ana.page, ["Ana", "Ben", "Cleo"]);

    await cleo.timeout(5000).emitWithAck("send_message", { room, username: "Cleo", content: "Trail map: https://example.org/trails/ridge" });
    await send(ben.page, "Meet at the north parking lot at 8:00?");
    await send(ana.page, "Works for me. I'll bring coffee ☕");
    await send(ana.page, "Two thermoses, actually:\none with tea for Cleo");
    await sentMessage(ben.page, "Two thermoses, actually:\none with tea for Cleo").waitFor();

    const cleoTypes = async (page: Page) => {
      cleo.emit("typing", { room, isTyping: true }, () => {});
      await page.locator("#typing-indicator", { hasText: "Cleo is typing…" }).waitFor();
    };
    await ana.page.locator("#message-content").blur();
    await ana.page.mouse.move(0, 0); // no hover: a message's Copy link button shows only when pointed at
    await cleoTypes(ana.page);
    await ana.page.screenshot({ path: SHOT("screenshot-light.png") });
    await ana.page.emulateMedia({ colorScheme: "dark" });
    await cleoTypes(ana.page);
    await ana.page.screenshot({ path: SHOT("screenshot-dark.png") });
    await ben.page.locator("#message-content").blur();
    await cleoTypes(ben.page);
    await ben.page.screenshot({ path: SHOT("screenshot-mobile.png") });
    console.log(`screenshots written to ${SHOTS_DIR}${process.env.UPDATE_SCREENSHOTS === "1" ? "" : " (UPDATE_SCREENSHOTS=1 writes docs/)"}`);
    expect(problems.list).toEqual([]);
  });
});
