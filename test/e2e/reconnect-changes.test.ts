// Edits and deletes made while a page's connection was down reach it when it comes back (the rejoin's
// `changed`), without a reload: the deleted message shows as deleted, the edited one with its new text and mark,
// and a reply on screen quotes the new text.
import { describe, expect, it, onTestFinished } from "vitest";
import type { WireMessage } from "../../src/protocol.js";
import { join, messageTexts, sentMessage } from "./helpers/browser.js";
import type { NodeClient } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();
const ROOM = "away-changes";

async function say(ben: NodeClient, content: string, replyTo?: number): Promise<WireMessage> {
  const res = await ben.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "Ben", content, ...(replyTo !== undefined ? { replyTo } : {}) });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

/**
 * Holds every WebSocket handshake while on, so a dropped page cannot come back until `release`: the changes are
 * made while it is away, however fast it reconnects.
 */
function holdHandshakes(): { release: () => void } {
  const held: (() => void)[] = [];
  let isHolding = true;
  const release = (): void => {
    isHolding = false;
    for (const next of held.splice(0)) next();
  };
  onTestFinished(release);
  const engine = suite.server.app.io.engine as unknown as { use(fn: (req: { headers: Record<string, string | undefined> }, res: unknown, next: () => void) => void): void };
  engine.use((req, _res, next) => {
    if (isHolding && req.headers.upgrade?.toLowerCase() === "websocket") held.push(next);
    else next();
  });
  return { release };
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

    const { release } = holdHandshakes();
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
});
