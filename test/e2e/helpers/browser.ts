// Debian's Chromium driven by playwright-core, with every page watched for console errors, uncaught
// exceptions and Content-Security-Policy violations.
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium binary.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What went wrong in the pages of a test; each test ends by expecting it empty. */
export class Problems {
  readonly list: string[] = [];
  /** While the server is down on purpose, failed connection attempts are expected console output. */
  allowNetworkErrors = false;

  watch(page: Page, label: string): void {
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const text = msg.text();
      if (this.allowNetworkErrors && isNetworkError(text)) return;
      this.list.push(`[${label}] console: ${text} (${msg.location().url})`);
    });
    page.on("pageerror", (err) => this.list.push(`[${label}] uncaught: ${err.message}`));
  }
}

/**
 * The problems left once Chromium's report of a page's own error status is set aside: it logs
 * "Failed to load resource: ... status of 404" for the document itself, which is what a 404 page is.
 */
export function besidesDocumentStatus(problems: Problems, url: string, status: number): string[] {
  return problems.list.filter((p) => !(p.includes(`the server responded with a status of ${status}`) && p.endsWith(`(${url})`)));
}

function isNetworkError(text: string): boolean {
  return /net::ERR_|WebSocket connection to .* failed|Failed to load resource/.test(text);
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Another tab of the same browser (same cookies and localStorage). */
  newTab(label?: string): Promise<Page>;
}

/** A browser profile (its own cookies and storage), with one tab open. */
export async function newPerson(browser: Browser, problems: Problems, label: string, options: BrowserContextOptions = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: "en-GB", ...options });
  // Reported as a console error, so the watcher catches it together with the browser's own message.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  let tabs = 0;
  const newTab = async (tabLabel?: string): Promise<Page> => {
    const page = await context.newPage();
    tabs++;
    problems.watch(page, tabLabel ?? (tabs === 1 ? label : `${label}#${tabs}`));
    return page;
  };
  const page = await newTab();
  return { context, page, newTab };
}

/** Opens the home page, fills the join form and waits for the room. */
export async function join(page: Page, baseUrl: string, username: string, room: string): Promise<void> {
  // Background tabs get no animation frames, and Playwright's actionability checks wait for them.
  await page.bringToFront();
  await page.goto(`${baseUrl}/`);
  await page.fill("#username", username);
  await page.fill("#room-name", room);
  await page.click("#join-button");
  await waitInRoom(page, room);
}

/**
 * One of the room's own actions (#presence-toggle, #notify-level, #invite-button, #privacy-button, #leave-button):
 * on a phone they sit behind "Room actions" (public/js/room-actions.js), which this opens first when it is shut.
 */
export async function roomAction(page: Page, selector: string): Promise<Locator> {
  const toggle = page.locator("#room-actions-toggle");
  if ((await toggle.isVisible()) && (await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  return page.locator(selector);
}

export async function waitInRoom(page: Page, room: string): Promise<void> {
  await page.locator("#chat-view").waitFor({ state: "visible" });
  await page.waitForFunction((r) => document.getElementById("room-title-name")?.textContent === r, room);
}

/** One more public room, from the sidebar's "+ Join" and the join form (the sidebar is a drawer on a narrow screen). */
export async function joinAnotherRoom(page: Page, room: string): Promise<void> {
  await page.bringToFront();
  if (await page.locator("#rooms-toggle").isVisible()) await page.click("#rooms-toggle");
  await page.click("#sidebar-join");
  await page.locator("#home-view").waitFor({ state: "visible" });
  await page.uncheck("#private-room");
  await page.fill("#room-name", room);
  await page.press("#room-name", "Enter");
  await waitInRoom(page, room);
}

/** Puts a joined room on screen by its sidebar entry. */
export async function openFromSidebar(page: Page, room: string): Promise<void> {
  await page.locator("#sidebar-list a.sidebar__room", { has: page.locator(".sidebar__name", { hasText: room }) }).click();
  await waitInRoom(page, room);
}

/** Types a message, sends it with Enter, and waits until the server has it (no longer pending). */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill("#message-content", text);
  await page.press("#message-content", "Enter");
  await sentMessage(page, text).waitFor();
}

/** A stored message with exactly this text (pending and failed ones excluded). */
export function sentMessage(page: Page, text: string): Locator {
  return page.locator("#messages li.msg:not(.msg--local)").filter({ has: page.locator(".msg__text", { hasText: exactly(text) }) });
}

/** Any message (stored, pending or failed) with exactly this text. */
export function anyMessage(page: Page, text: string): Locator {
  return page.locator("#messages li.msg").filter({ has: page.locator(".msg__text", { hasText: exactly(text) }) });
}

export function notice(page: Page, text: string): Locator {
  return page.locator("#messages li.notice", { hasText: exactly(text) });
}

export function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

/** Texts of the stored messages on screen, in order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.locator("#messages li.msg:not(.msg--local) .msg__text").allTextContents();
}

/** The names in the presence list (without the "(you)" marker). */
export function presenceNames(page: Page): Promise<string[]> {
  return page.locator("#presence-list li > span:first-child").allTextContents();
}

export async function waitForPresence(page: Page, names: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const got = [...document.querySelectorAll("#presence-list li > span:first-child")].map((e) => e.textContent);
      return JSON.stringify(got) === JSON.stringify(expected);
    },
    names,
    { timeout: 10_000 },
  );
}

/**
 * Closes the open dialog `dialogId` and clicks `opener` in one task, so that it is shown again before its "close"
 * event fires (Escape, then Enter at once, on a busy machine); resolves once that late event has run.
 */
export async function closeAndReopenAtOnce(page: Page, dialogId: string, opener: Locator): Promise<void> {
  const button = await opener.elementHandle();
  await page.evaluate(
    async ([id, el]) => {
      const dialog = document.getElementById(id) as HTMLDialogElement;
      if (!dialog.open) throw new Error(`#${id} is not open`);
      // Added after the page's own listener, so it runs after it.
      const late = new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
      dialog.close();
      (el as HTMLElement).click();
      if (!dialog.open) throw new Error(`the click did not open #${id} again`);
      await late;
    },
    [dialogId, button] as const,
  );
}
