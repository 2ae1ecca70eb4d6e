// A page whose connection was down while more than a page (HISTORY_LIMIT) of messages came hears, when it comes
// back, the delete, the edit and the reactions of the older messages it shows (the rejoin's `shown`), without a
// reload: a message its author deleted meanwhile does not stay on screen.
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import { join, messageTexts, sentMessage } from "./helpers/browser.js";
import { holdHandshakes, type NodeClient } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";

// A page of 5: Ben's 8 messages while Ana is away put her more than a page behind.
const suite = browserSuite({ env: { HISTORY_LIMIT: "5", RATE_SEND_BURST: "50" } });
const ROOM = "far-behind";

async function say(ben: NodeClient, content: string): Promise<WireMessage> {
  const res = await ben.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "Ben", content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function react(ben: NodeClient, id: number, emoji: string, on: boolean): Promise<void> {
  expect(await ben.timeout(5000).emitWithAck("react", { room: ROOM, id, emoji, on })).toMatchObject({ ok: true });
}

const reactions = (msg: Locator) => msg.locator("button.reaction").evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")));

describe("reconnecting more than a page behind", () => {
  it("takes away a message deleted while away and shows the edit and reactions of old messages, without a reload", async () => {
    const { problems, person } = world(suite);
    const server = suite.server;
    const ben = await server.joined(ROOM, "Ben", { session: server.newSession() });
    const secret = await say(ben, "my home address is 12 Elm St");
    const typo = await say(ben, "helo wrold");
    const lunch = await say(ben, "lunch?");
    await react(ben, typo.id, "👍", true);
    const ana = await person("ana");
    await join(ana.page, server.url, "Ana", ROOM);
    await sentMessage(ana.page, "lunch?").waitFor();
    await sentMessage(ana.page, "helo wrold").locator("button.reaction").waitFor();
    await ana.page.evaluate(() => Object.assign(window, { loadedOnce: true }));

    const { release } = holdHandshakes(server);
    for (const s of server.app.io.sockets.sockets.values()) if (s.data.rooms.get(ROOM) === "Ana") s.conn.close(); // a network drop
    await ana.page.locator("#connection-banner", { hasText: "Reconnecting…" }).waitFor();
    expect(await ben.timeout(5000).emitWithAck("delete_message", { room: ROOM, id: secret.id })).toMatchObject({ ok: true });
    expect(await ben.timeout(5000).emitWithAck("edit_message", { room: ROOM, id: typo.id, content: "hello world" })).toMatchObject({ ok: true });
    await react(ben, typo.id, "👍", false);
    await react(ben, lunch.id, "🍕", true);
    const later = Array.from({ length: 8 }, (_, i) => `later ${i + 1}`);
    for (const text of later) await say(ben, text);
    release();
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 20_000 });
    // A fence: once this live message is shown, the rejoin and its catch-up have been handled.
    await say(ben, "fence");
    await sentMessage(ana.page, "fence").waitFor();

    expect(await messageTexts(ana.page)).toEqual(["message deleted", "hello world", "lunch?", ...later, "fence"]);
    expect(await ana.page.locator("#messages").textContent()).not.toContain("12 Elm St");
    expect(await sentMessage(ana.page, "hello world").locator(".msg__edited").textContent()).toBe(" (edited)");
    expect(await reactions(sentMessage(ana.page, "hello world"))).toEqual([]);
    expect(await reactions(sentMessage(ana.page, "lunch?"))).toEqual(["🍕 1 reaction"]);
    expect(await ana.page.evaluate(() => "loadedOnce" in window)).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
