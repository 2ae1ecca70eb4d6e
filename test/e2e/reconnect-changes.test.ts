// Edits, deletes and reactions made while a page's connection was down reach it when it comes back (the rejoin's
// `changed` and `reactions`), without a reload: the deleted message shows as deleted, the edited one with its new
// text and mark, a reply on screen quotes the new text (its original on screen or older than the page), and each
// message shows the reactions it has now.
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import { join, messageTexts, sentMessage } from "./helpers/browser.js";
import { holdHandshakes, type NodeClient } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";

// Ben does a dozen things in a row while Ana is away (sends, reactions, an edit, a delete): more than the send
// bucket's default burst of 10, which a fast machine refills too slowly between them (rate_limited).
const suite = browserSuite({ env: { RATE_SEND_BURST: "50" } });
const ROOM = "away-changes";

async function say(ben: NodeClient, content: string, replyTo?: number, room = ROOM): Promise<WireMessage> {
  const res = await ben.timeout(5000).emitWithAck("send_message", { room, username: "Ben", content, ...(replyTo !== undefined ? { replyTo } : {}) });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function react(client: NodeClient, room: string, id: number, emoji: string, on = true): Promise<void> {
  const res = await client.timeout(5000).emitWithAck("react", { room, id, emoji, on });
  if (!res.ok) throw new Error(`react failed: ${res.error.code}`);
}

const reaction = (msg: Locator, emoji: string) => msg.locator(`button.reaction[data-emoji="${emoji}"]`);

/** Closes the page's connections to `room` (a network drop), not the Node clients given. */
function dropPage(room: string, name: string, keep: NodeClient[] = []): void {
  const kept = new Set(keep.map((c) => c.id));
  for (const s of suite.server.app.io.sockets.sockets.values()) if (s.data.rooms.get(room) === name && !kept.has(s.id)) s.conn.close();
}


describe("reconnecting after edits and deletes", () => {
  it("shows a message deleted and another edited while the connection was down, without a reload", async () => {
    const { problems, person } = world(suite);
    const server = suite.server;
    const ana = await person("ana");
    const ben = await server.joined(ROOM, "Ben", { session: server.newSession() });
    await join(ana.page, server.url, "Ana", ROOM);
    const typo = await say(ben, "helo wrold");
    const abusive = await say(ben, "something abusive");
    await say(ben, "did you mean hello?", typo.id);
    await sentMessage(ana.page, "did you mean hello?").waitFor();
    await ana.page.evaluate(() => Object.assign(window, { loadedOnce: true }));

    const { release } = holdHandshakes(suite.server);
    const anaSockets = () => [...server.app.io.sockets.sockets.values()].filter((s) => s.data.rooms.get(ROOM) === "Ana");
    for (const s of anaSockets()) s.conn.close(); // a network drop
    await ana.page.locator("#connection-banner", { hasText: "Reconnecting…" }).waitFor();
    expect(await ben.timeout(5000).emitWithAck("edit_message", { room: ROOM, id: typo.id, content: "hello world" })).toMatchObject({ ok: true });
    expect(await ben.timeout(5000).emitWithAck("delete_message", { room: ROOM, id: abusive.id })).toMatchObject({ ok: true });
    release();
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    // A fence: once this live message is shown, the rejoin's answer has been handled.
    await say(ben, "fence");
    await sentMessage(ana.page, "fence").waitFor();

    expect(await messageTexts(ana.page)).toEqual(["hello world", "message deleted", "did you mean hello?", "fence"]);
    expect(await sentMessage(ana.page, "hello world").locator(".msg__edited").textContent()).toBe(" (edited)");
    expect(await ana.page.locator("#messages li.msg--deleted").count()).toBe(1);
    expect(await sentMessage(ana.page, "did you mean hello?").locator(".msg__quote-text").textContent()).toBe("hello world");
    expect(await ana.page.locator("#messages").textContent()).not.toContain("something abusive");
    expect(await ana.page.evaluate(() => "loadedOnce" in window)).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("shows the reactions a message has now, and quotes follow an original older than the page, after changes made while away", async () => {
    const { problems, person } = world(suite);
    const server = suite.server;
    const room = "away-reactions";
    const ben = await server.joined(room, "Ben", { session: server.newSession() });
    const question = await say(ben, "the old question", undefined, room);
    const rude = await say(ben, "an old rude remark", undefined, room);
    // More than a page (HISTORY_LIMIT, 100) between the originals and their replies: the page never shows them.
    for (let i = 0; i < 110; i++) await server.repo.append({ room, sender: "Cy", content: `filler ${i}`, sentAt: new Date() });
    await say(ben, "answering the question", question.id, room);
    await say(ben, "answering the remark", rude.id, room);
    const lunch = await say(ben, "lunch?", undefined, room);
    const release = await say(ben, "release is out", undefined, room);
    await react(ben, room, lunch.id, "👍");
    const ana = await person("ana");
    await join(ana.page, server.url, "Ana", room);
    const cookie = (await ana.page.context().cookies(server.url)).find((c) => c.name === "mr_session");
    if (!cookie) throw new Error("the page set no session cookie");
    const anaTab = await server.joined(room, "Ana", { session: `mr_session=${cookie.value}` }); // her other tab
    await react(anaTab, room, release.id, "🎉");
    const onLunch = sentMessage(ana.page, "lunch?");
    const onRelease = sentMessage(ana.page, "release is out");
    await reaction(onLunch, "👍").waitFor();
    await ana.page.waitForFunction(() => document.querySelector('button.reaction[data-emoji="🎉"]')?.getAttribute("aria-pressed") === "true");
    const quoteOf = (text: string) => sentMessage(ana.page, text).locator(".msg__quote-text");
    expect(await quoteOf("answering the question").textContent()).toBe("the old question");

    const { release: letBack } = holdHandshakes(suite.server);
    dropPage(room, "Ana", [anaTab]);
    await ana.page.locator("#connection-banner", { hasText: "Reconnecting…" }).waitFor();
    await react(ben, room, lunch.id, "👍", false);
    await react(anaTab, room, release.id, "🎉", false); // her own, taken back in the other tab...
    await react(ben, room, release.id, "🎉"); // ...and Ben's: the count is the same, no longer hers
    await react(ben, room, release.id, "🚀");
    expect(await ben.timeout(5000).emitWithAck("edit_message", { room, id: question.id, content: "the old question, put better" })).toMatchObject({ ok: true });
    expect(await ben.timeout(5000).emitWithAck("delete_message", { room, id: rude.id })).toMatchObject({ ok: true });
    letBack();
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    await say(ben, "fence", undefined, room);
    await sentMessage(ana.page, "fence").waitFor();

    expect(await onLunch.locator(".msg__reactions").count()).toBe(0);
    expect(await onRelease.locator("button.reaction").evaluateAll((bs) => bs.map((b) => [b.getAttribute("data-emoji"), b.getAttribute("aria-label"), b.getAttribute("aria-pressed")]))).toEqual([
      ["🎉", "🎉 1 reaction", "false"],
      ["🚀", "🚀 1 reaction", "false"],
    ]);
    expect(await quoteOf("answering the question").textContent()).toBe("the old question, put better");
    expect(await quoteOf("answering the remark").textContent()).toBe("Deleted message");
    expect(await sentMessage(ana.page, "the old question, put better").count()).toBe(0); // the original is not on screen
    expect(await ana.page.locator("#messages").textContent()).not.toContain("an old rude remark");
    expect(problems.list).toEqual([]);
  });
});
