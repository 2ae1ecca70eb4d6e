// The chat as people use it: two browsers, tabs, typing, hostile input, links to rooms, leaving and switching.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { RoomsResponse } from "../../src/http-api.js";
import { StorageUnavailableError } from "../../src/storage/repository.js";
import { anyMessage, besidesDocumentStatus, join, messageTexts, notice, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { browserSuite, world } from "./helpers/suite.js";
import type { NodeClient } from "./helpers/server.js";

/** Fault injection: refuse writes (as a full disk would), or hold them until released (a stalled disk). */
const faults = { failAppends: false, hold: null as Promise<void> | null };

const suite = browserSuite({
  wrapRepo: (repo) => ({
    append: async (m) => {
      if (faults.failAppends) throw new StorageUnavailableError("e2e: writes refused");
      if (faults.hold) await faults.hold;
      return repo.append(m);
    },
    page: (room, query) => repo.page(room, query),
    search: (room, query, opts) => repo.search(room, query, opts),
    isHealthy: () => repo.isHealthy(),
    close: () => repo.close(),
  }),
});

const typingText = (page: Page): Promise<string> => page.locator("#typing-indicator").innerText();

function typingEvents(client: NodeClient): string[] {
  const seen: string[] = [];
  client.on("typing", (ev) => seen.push(`${ev.username}:${String(ev.isTyping)}`));
  return seen;
}

describe("chatting in the browser", () => {
  it("two people in two browsers chat both ways, each message once, own ones set apart", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "general");
    await join(ben.page, suite.server.url, "Ben", "general");
    await waitForPresence(ana.page, ["Ana", "Ben"]);
    await notice(ana.page, "Ben has joined the chat.").waitFor();

    await send(ana.page, "Hi Ben, how are you?");
    await sentMessage(ben.page, "Hi Ben, how are you?").waitFor();
    // Sending with the button works too, and the message box keeps the focus either way.
    await ben.page.fill("#message-content", "Great, thanks Ana!");
    await ben.page.click("#send-button");
    await sentMessage(ana.page, "Great, thanks Ana!").waitFor();
    await sentMessage(ben.page, "Great, thanks Ana!").waitFor();

    for (const page of [ana.page, ben.page]) {
      expect(await messageTexts(page)).toEqual(["Hi Ben, how are you?", "Great, thanks Ana!"]);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");
      expect(await page.inputValue("#message-content")).toBe("");
    }
    expect(await sentMessage(ana.page, "Hi Ben, how are you?").getAttribute("class")).toContain("msg--own");
    expect(await sentMessage(ben.page, "Hi Ben, how are you?").getAttribute("class")).not.toContain("msg--own");
    expect(await sentMessage(ben.page, "Hi Ben, how are you?").locator(".msg__sender").textContent()).toBe("Ana");
    expect(await ben.page.locator("#presence-list li.presence__item--me").textContent()).toBe("Ben (you)");
    // Screen readers hear other people's new messages through the live region.
    expect(await ben.page.locator("#live-region").getAttribute("aria-live")).toBe("polite");
    expect(await ben.page.locator("#live-region p").allTextContents()).toContain("Ana: Hi Ben, how are you?");
    expect(problems.list).toEqual([]);
  });

  it("three tabs of one person are one presence; another browser cannot take the name", async () => {
    const { problems, person } = world(suite);
    const ben = await person("ben");
    await join(ben.page, suite.server.url, "Ben", "tabs");
    const ana = await person("ana");
    const tabs = [ana.page, await ana.newTab(), await ana.newTab()];
    for (const tab of tabs) await join(tab, suite.server.url, "Ana", "tabs");

    await send(tabs[2] as Page, "one of my three tabs");
    await sentMessage(ben.page, "one of my three tabs").waitFor();
    expect(await notice(ben.page, "Ana has joined the chat.").count()).toBe(1);
    expect(await ben.page.locator("#presence-list li").allTextContents()).toEqual(["Ana", "Ben (you)"]);
    for (const tab of tabs) {
      await waitForPresence(tab, ["Ana", "Ben"]);
      // The same person's message counts as their own in every tab.
      expect(await sentMessage(tab, "one of my three tabs").getAttribute("class")).toContain("msg--own");
    }

    const mallory = await person("mallory");
    await mallory.page.goto(`${suite.server.url}/`);
    await mallory.page.fill("#username", "ana");
    await mallory.page.fill("#room-name", "tabs");
    await mallory.page.press("#room-name", "Enter");
    await mallory.page.locator("#username-error", { hasText: "already in this room" }).waitFor();
    expect(await mallory.page.locator("#chat-view").isHidden()).toBe(true);
    expect(await mallory.page.getAttribute("#username", "aria-invalid")).toBe("true");

    await (tabs[0] as Page).close();
    await (tabs[1] as Page).close();
    await send(ben.page, "still here, Ana?");
    await sentMessage(tabs[2] as Page, "still here, Ana?").waitFor();
    expect(await notice(ben.page, "Ana has left the chat.").count()).toBe(0);
    await (tabs[2] as Page).close();
    await notice(ben.page, "Ana has left the chat.").waitFor();
    await waitForPresence(ben.page, ["Ben"]);
    expect(problems.list).toEqual([]);
  });

  it("shows who is typing, at most one signal per 2 s, gone when the message arrives or after 3 s", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "typing");
    await join(ben.page, suite.server.url, "Ben", "typing");
    const observer = await suite.server.joined("typing", "Observer");
    const fromAna = typingEvents(observer);

    const started = Date.now();
    await ana.page.locator("#message-content").pressSequentially("hello there", { delay: 60 }); // ~0.7 s of typing
    await ben.page.locator("#typing-indicator", { hasText: "Ana is typing…" }).waitFor();
    expect(await typingText(ana.page)).toBe(""); // nobody sees their own typing
    const observed = new Promise<void>((resolve) => observer.on("message", (m) => "id" in m && m.content === "hello there" && resolve()));
    await ana.page.press("#message-content", "Enter");
    await sentMessage(ben.page, "hello there").waitFor();
    expect(await typingText(ben.page)).toBe("");
    expect(Date.now() - started).toBeLessThan(2900); // cleared by the message, not by the 3 s timeout
    await observed; // typing signals travel before the message, so all of them have arrived by now
    expect(fromAna).toEqual(["Ana:true"]); // one signal for a burst of keystrokes

    // Other people typing, from plain Socket.IO clients: one, two, then several.
    const [cleo, dan, eve] = await Promise.all([suite.server.joined("typing", "Cleo"), suite.server.joined("typing", "Dan"), suite.server.joined("typing", "Eve")]);
    cleo.emit("typing", { room: "typing", isTyping: true }, () => {});
    await ben.page.locator("#typing-indicator", { hasText: "Cleo is typing…" }).waitFor();
    dan.emit("typing", { room: "typing", isTyping: true }, () => {});
    await ben.page.locator("#typing-indicator", { hasText: "Cleo and Dan are typing…" }).waitFor();
    eve.emit("typing", { room: "typing", isTyping: true }, () => {});
    await ben.page.locator("#typing-indicator", { hasText: "Several people are typing…" }).waitFor();
    eve.emit("typing", { room: "typing", isTyping: false }, () => {});
    await ben.page.locator("#typing-indicator", { hasText: "Cleo and Dan are typing…" }).waitFor();

    // Nobody renews: the line clears about 3 s after the last signal.
    const lastSignal = Date.now();
    await ben.page.waitForFunction(() => document.getElementById("typing-indicator")?.textContent === "", undefined, { timeout: 8000 });
    expect(Date.now() - lastSignal).toBeGreaterThanOrEqual(2000);
    expect(problems.list).toEqual([]);
  });

  it("renders hostile names, rooms and messages as plain text and runs none of them", async () => {
    const { problems, person } = world(suite);
    const evilName = "<img src=x onerror=window.__pwned=1>";
    const evilRoom = "<b>room</b><script>window.__pwned=2</script>";
    const payloads = [
      "<b>hi</b>",
      "<script>window.__pwned=3</script>",
      '<img src=x onerror="window.__pwned=4">',
      "javascript:window.__pwned=5",
      '<a href="javascript:window.__pwned=6">click</a>',
      'https://example.com/?q="><img src=x onerror=window.__pwned=7>',
    ];
    const [mallory, ben] = await Promise.all([person("mallory"), person("ben")]);
    await join(mallory.page, suite.server.url, evilName, evilRoom);
    await join(ben.page, suite.server.url, "Ben", evilRoom);
    for (const p of payloads) await send(mallory.page, p);
    for (const p of payloads) await sentMessage(ben.page, p).waitFor();

    const visitor = await person("visitor");
    await visitor.page.goto(`${suite.server.url}/`);
    await visitor.page.locator(".room-link__name", { hasText: evilRoom }).waitFor();

    for (const page of [mallory.page, ben.page]) {
      expect(await messageTexts(page)).toEqual(payloads);
      expect(await page.locator("#room-title-name").textContent()).toBe(evilRoom);
      expect(await page.locator("#presence-list").innerText()).toContain(evilName);
      // No element came out of the text: only the one real link, to an http(s) address.
      expect(await page.locator("#messages img, #messages b, #messages script, #presence img, #room-title img").count()).toBe(0);
      const links = await page.locator("#messages a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.getAttribute("rel"), a.getAttribute("target")]));
      expect(links).toEqual([["https://example.com/?q=", "noopener noreferrer nofollow", "_blank"]]);
    }
    expect(await sentMessage(ben.page, "<b>hi</b>").locator(".msg__sender").textContent()).toBe(evilName);
    for (const page of [mallory.page, ben.page, visitor.page]) {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    }
    expect(problems.list).toEqual([]);
  });

  it("opens a room from its link, with URL-encoded names; with a remembered name it asks first: Join as", async () => {
    const { problems, person } = world(suite);
    const room = "Café & Bar/ü 1?#";
    const link = `${suite.server.url}/r/${encodeURIComponent(room)}`;
    const zoe = await person("zoe");
    const res = await zoe.page.goto(link);
    expect(res?.status()).toBe(200);
    expect(await zoe.page.locator("#join-title").innerText()).toBe(`Join ${room}`);
    expect(await zoe.page.inputValue("#room-name")).toBe(room);
    expect(await zoe.page.evaluate(() => document.activeElement?.id)).toBe("username");
    await zoe.page.keyboard.type("Zoë");
    await zoe.page.keyboard.press("Enter");
    await waitInRoom(zoe.page, room);
    expect(new URL(zoe.page.url()).pathname).toBe(`/r/${encodeURIComponent(room)}`);
    await send(zoe.page, "found it by link");

    // Same browser, later: the name is remembered, and the link offers it on one button.
    const tab = await zoe.newTab();
    await tab.goto(link);
    await tab.getByRole("button", { name: "Join as Zoë" }).click();
    await waitInRoom(tab, room);
    await sentMessage(tab, "found it by link").waitFor();
    expect(await tab.inputValue("#username")).toBe("Zoë");

    const bad = await zoe.newTab();
    const badUrl = `${suite.server.url}/r/${"x".repeat(51)}`;
    const badRes = await bad.goto(badUrl);
    expect(badRes?.status()).toBe(400);
    await bad.locator("#room-error", { hasText: "That room name is not valid" }).waitFor();
    expect(await bad.locator("#join-form").isVisible()).toBe(true);
    expect(await bad.locator("#chat-view").isHidden()).toBe(true);
    expect(besidesDocumentStatus(problems, badUrl, 400)).toEqual([]);
  });

  it("leaves with the Leave button and joins another room without reloading; Back and Forward follow", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ben.page, suite.server.url, "Ben", "alpha");
    await join(ana.page, suite.server.url, "Ana", "alpha");
    await send(ana.page, "message in alpha");
    await ana.page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));

    await ana.page.click("#leave-button");
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(new URL(ana.page.url()).pathname).toBe("/");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("room-name");
    await notice(ben.page, "Ana has left the chat.").waitFor();
    await waitForPresence(ben.page, ["Ben"]);

    await ana.page.fill("#room-name", "beta");
    await ana.page.press("#room-name", "Enter");
    await waitInRoom(ana.page, "beta");
    expect(new URL(ana.page.url()).pathname).toBe("/r/beta");
    await send(ana.page, "message in beta");
    expect(await messageTexts(ana.page)).toEqual(["message in beta"]);
    await waitForPresence(ana.page, ["Ana"]);

    await ana.page.goBack();
    await ana.page.locator("#home-view").waitFor({ state: "visible" });
    expect(new URL(ana.page.url()).pathname).toBe("/");
    await ana.page.goForward();
    await waitInRoom(ana.page, "beta");
    await sentMessage(ana.page, "message in beta").waitFor();
    expect(await ana.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await sentMessage(ben.page, "message in beta").count()).toBe(0);
    expect(problems.list).toEqual([]);
  });

  it("marks a message the server could not store as failed, with its error and a Retry that sends it once", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "retry");
    await join(ben.page, suite.server.url, "Ben", "retry");
    faults.failAppends = true;
    try {
      await ana.page.fill("#message-content", "try me again");
      await ana.page.press("#message-content", "Enter");
      const failed = ana.page.locator("#messages li.msg--failed", { hasText: "try me again" });
      await failed.waitFor();
      expect(await failed.locator(".msg__status").innerText()).toContain("Not sent: Messages cannot be saved right now; try again shortly.");
      expect(await ana.page.locator("#live-region").innerText()).toContain("Message not sent");
    } finally {
      faults.failAppends = false;
    }
    await ana.page.locator("#messages li.msg--failed").getByRole("button", { name: "Retry" }).click();
    await sentMessage(ana.page, "try me again").waitFor();
    await sentMessage(ben.page, "try me again").waitFor();
    await send(ben.page, "got it");
    await sentMessage(ana.page, "got it").waitFor();
    expect(await anyMessage(ana.page, "try me again").count()).toBe(1);
    expect(await anyMessage(ben.page, "try me again").count()).toBe(1);
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    const stored = await suite.server.repo.page("retry", { limit: 10 });
    expect(stored.messages.map((m) => m.content)).toEqual(["try me again", "got it"]);
    expect(problems.list).toEqual([]);
  });

  it("fails a send that gets no answer in 10 s; stored later after all, it turns sent, once, retry or not", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await ana.page.clock.install(); // the page's timers run normally until fast-forwarded
    await join(ana.page, suite.server.url, "Ana", "stall");
    await join(ben.page, suite.server.url, "Ben", "stall");
    let release = (): void => {};
    faults.hold = new Promise<void>((resolve) => (release = resolve));
    try {
      await ana.page.fill("#message-content", "a slow one");
      await ana.page.press("#message-content", "Enter");
      await ana.page.locator("#messages li.msg--pending", { hasText: "a slow one" }).waitFor();
      await ana.page.clock.fastForward(10_500);
      const failed = ana.page.locator("#messages li.msg--failed", { hasText: "a slow one" });
      await failed.waitFor();
      expect(await failed.locator(".msg__status").innerText()).toContain("Not sent: No answer from the server.");
      await failed.getByRole("button", { name: "Retry" }).click(); // the same clientId goes again
      await ana.page.locator("#messages li.msg--pending", { hasText: "a slow one" }).waitFor();
    } finally {
      faults.hold = null;
      release();
    }
    await sentMessage(ana.page, "a slow one").waitFor();
    await sentMessage(ben.page, "a slow one").waitFor();
    await send(ana.page, "and a quick one");
    await sentMessage(ben.page, "and a quick one").waitFor();
    expect(await messageTexts(ana.page)).toEqual(["a slow one", "and a quick one"]);
    expect(await messageTexts(ben.page)).toEqual(["a slow one", "and a quick one"]);
    const stored = await suite.server.repo.page("stall", { limit: 10 });
    expect(stored.messages.map((m) => m.content)).toEqual(["a slow one", "and a quick one"]);
    expect(problems.list).toEqual([]);
  });

  it("makes its own version 4 UUID for clientId where crypto.randomUUID is missing (plain-HTTP LAN)", async () => {
    const { problems, person } = world(suite);
    const ana = await person("ana");
    // Outside secure contexts browsers leave randomUUID out; getRandomValues stays.
    await ana.context.addInitScript(() => Object.defineProperty(Crypto.prototype, "randomUUID", { value: undefined }));
    await join(ana.page, suite.server.url, "Ana", "lan");
    expect(await ana.page.evaluate(() => typeof crypto.randomUUID)).toBe("undefined");
    await send(ana.page, "from the LAN");
    await send(ana.page, "and again");
    const stored = await suite.server.repo.page("lan", { limit: 10 });
    const ids = stored.messages.map((m) => m.clientId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(2);
    expect(problems.list).toEqual([]);
  });

  it("sends with Enter, adds lines with Shift+Enter, and counts characters near the 500 limit", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana");
    await join(page, suite.server.url, "Ana", "composer");
    const box = page.locator("#message-content");
    await box.pressSequentially("first line");
    await box.press("Shift+Enter");
    await box.pressSequentially("second line");
    await box.press("Enter");
    await sentMessage(page, "first line\nsecond line").waitFor();
    expect(await sentMessage(page, "first line\nsecond line").locator(".msg__text").evaluate((el) => el.getClientRects()[0]?.height ?? 0)).toBeGreaterThan(30);

    expect(await page.locator("#char-counter").isHidden()).toBe(true);
    await box.fill("é".repeat(449));
    expect(await page.locator("#char-counter").isHidden()).toBe(true);
    await box.fill("😀".repeat(460)); // 460 characters (code points), 920 UTF-16 units
    expect(await page.locator("#char-counter").innerText()).toBe("40 characters left");
    await box.fill("a".repeat(505));
    expect(await page.locator("#char-counter").innerText()).toBe("5 too many");
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    await box.press("Enter");
    expect(await page.locator("#messages li.msg--local").count()).toBe(0); // refused, nothing sent
    await box.fill("😀".repeat(500));
    await box.press("Enter");
    await sentMessage(page, "😀".repeat(500)).waitFor();
    expect(await page.locator("#char-counter").isHidden()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("works with the keyboard alone, with a visible focus ring", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("kim");
    await page.goto(`${suite.server.url}/`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("username");
    await page.keyboard.type("Kim");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("room-name");
    await page.keyboard.type("keys");
    await page.keyboard.press("Enter");
    await waitInRoom(page, "keys");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    await page.keyboard.type("typed, never clicked");
    await page.keyboard.press("Enter");
    await sentMessage(page, "typed, never clicked").waitFor();

    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("send-button");
    await page.keyboard.press("Shift+Tab");
    // Issue 18: the paperclip sits before the message box.
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("attach-button");
    // Issue 12: between the composer and the list, the actions of one's own message (shown while focused); issue 22
    // put Reply and Add reaction first.
    const actions: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Shift+Tab");
      actions.push(await page.evaluate(() => document.activeElement?.textContent ?? ""));
    }
    expect(actions).toEqual(["Delete", "Edit", "Copy link", "Add reaction", "Reply"]);
    expect(await sentMessage(page, "typed, never clicked").locator(".msg__actions").evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("message-list");
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("leave-button");
    const ring = await page.locator("#leave-button").evaluate((el) => {
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(ring.style).not.toBe("none");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Enter");
    await page.locator("#home-view").waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("room-name");
    expect(problems.list).toEqual([]);
  });

  it("counts unread messages in the tab title while the tab is hidden", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", "unread");
    await join(ben.page, suite.server.url, "Ben", "unread");
    expect(await ana.page.title()).toBe("\u2068unread\u2069 · Messenger Room");
    // Headless tabs are always visible; tell the page it went to the background as a browser would.
    const setHidden = (page: Page, hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await setHidden(ana.page, true);
    for (const text of ["one", "two", "three"]) await send(ben.page, text);
    await ana.page.waitForFunction(() => document.title === "(3) \u2068unread\u2069 · Messenger Room");
    await setHidden(ana.page, false);
    await ana.page.waitForFunction(() => document.title === "\u2068unread\u2069 · Messenger Room");
    expect(problems.list).toEqual([]);
  });

  it("lists active rooms on the home page, refreshes the list, and joins one from it", async () => {
    const { problems, person } = world(suite);
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await ben.page.clock.install();
    await ben.page.goto(`${suite.server.url}/`);
    const lobby = ben.page.locator(".room-link", { hasText: "lobby" });
    expect(await lobby.count()).toBe(0);

    await join(ana.page, suite.server.url, "Ana", "lobby");
    // The server recomputes its list at most once a second (room-directory.ts): wait until it has the room, so the
    // page's next 10 s refresh is the one that shows it (else that refresh can get the list from before the join,
    // and the test waits out another 10 s in real time).
    const listed = async (): Promise<string[]> => ((await (await fetch(`${suite.server.url}/api/rooms`)).json()) as RoomsResponse).rooms.map((r) => r.room);
    await expect.poll(listed).toContain("lobby");
    await ben.page.clock.fastForward(10_500);
    await lobby.waitFor();
    expect(await lobby.innerText()).toMatch(/lobby\s+1 person/);
    await lobby.click();
    await ben.page.locator("#username-error", { hasText: "Enter your name to join lobby." }).waitFor();
    expect(await ben.page.inputValue("#room-name")).toBe("lobby");
    await ben.page.fill("#username", "Ben");
    await ben.page.press("#username", "Enter");
    await waitInRoom(ben.page, "lobby");
    await waitForPresence(ana.page, ["Ana", "Ben"]);
    expect(problems.list).toEqual([]);
  });

  it("answers unknown addresses with a 404 page that leads back", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("lost");
    const url = `${suite.server.url}/no/such/page`;
    const res = await page.goto(url);
    expect(res?.status()).toBe(404);
    expect(await page.locator("h2").innerText()).toBe("Page not found");
    expect(await page.locator(".not-found__path").innerText()).toBe("/no/such/page");
    await page.getByRole("link", { name: "Back to the rooms" }).click();
    await page.locator("#join-form").waitFor();
    expect(besidesDocumentStatus(problems, url, 404)).toEqual([]);
  });
});
