// A message on its way when a moderator moves its room (made private): refused at the old address with room_moved,
// or still queued behind that one, it is sent at the room's new address by itself, under its clientId and in order,
// and stored and shown there once. Someone taken out of the room instead has nothing sent anywhere: the page keeps
// the text to copy. The race is held open on the server: the store keeps the first send at its door (past every
// check) until the test lets it go, or the page's connection is cut and kept down until the room has moved.
import { describe, expect, it } from "vitest";
import type { Page, WebSocketRoute } from "playwright-core";
import type { MessageRepository } from "../../src/storage/repository.js";
import type { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { gatedRepo, type GatedRepo } from "../helpers/faulty-repo.js";
import { anyMessage, join, send, sentMessage, waitForPresence, waitInRoom } from "./helpers/browser.js";
import { privateAddress } from "./helpers/private-rooms.js";
import { browserSuite, world } from "./helpers/suite.js";
import { signInAsModerator } from "./helpers/moderator.js";

/** The running app's store, and the gate the current test holds sends at (none: every send goes straight on). */
let sqlite: SqliteMessageRepository | null = null;
let gate: GatedRepo | null = null;

const suite = browserSuite({
  // A page whose connection dropped keeps its name (and so its place in a room made private meanwhile) this long.
  // Each test signs a moderator in from 127.0.0.1: more of them than the default 5 a minute.
  env: { NAME_GRACE_MS: "60000", MODERATOR_LOGIN_PER_MINUTE: "30" },
  wrapRepo: (repo): MessageRepository => {
    sqlite = repo;
    return {
      append: (m) => (gate ?? { repo }).repo.append(m),
      page: (room, query) => repo.page(room, query),
      search: (room, query, opts) => repo.search(room, query, opts),
      isHealthy: () => repo.isHealthy(),
      close: () => repo.close(),
    };
  },
});

/** From now on the store holds the sends with this text until `release()`. */
function holdSends(text: string): GatedRepo {
  if (sqlite === null) throw new Error("no app");
  gate = gatedRepo(sqlite, (m) => m.content === text);
  return gate;
}

const contents = async (room: string): Promise<string[]> => (await suite.server.repo.page(room, { limit: 50 })).messages.map((m) => m.content);

/** Types and sends without waiting for the server (the send may be held). */
async function sendNow(page: Page, text: string): Promise<void> {
  await page.fill("#message-content", text);
  await page.press("#message-content", "Enter");
  await anyMessage(page, text).waitFor();
}

/** The messages this browser keeps on the device until the server has them (outbox-store.js), oldest first. */
function keptOnDevice(page: Page): Promise<{ room: string; content: string; held?: true }[]> {
  return page.evaluate(
    () =>
      new Promise<{ room: string; content: string; held?: true }[]>((resolve, reject) => {
        const open = indexedDB.open("messenger-room");
        open.onerror = () => reject(new Error("no database"));
        open.onsuccess = () => {
          const all = open.result.transaction("outbox", "readonly").objectStore("outbox").getAll();
          all.onsuccess = () => {
            const rows = all.result as { room: string; content: string; seq: number; heldByMove?: true }[];
            resolve(rows.sort((a, b) => a.seq - b.seq).map((r) => ({ room: r.room, content: r.content, ...(r.heldByMove ? { held: true as const } : {}) })));
            open.result.close();
          };
        };
      }),
  );
}

/**
 * Routes a page's Socket.IO connection so it loses the `room_moved` event and, once the answer refusing a send
 * `room_moved` has reached the page, runs `afterRefusal` on that connection (`refused` resolves then). Every frame
 * after that, and every later connection, goes through untouched.
 */
function loseRoomMoved(afterRefusal: (ws: WebSocketRoute, server: WebSocketRoute) => void = () => undefined, opts: { withoutRejoinToken?: boolean } = {}) {
  let isLosing = true;
  let onRefused = (): void => undefined;
  const refused = new Promise<void>((resolve) => (onRefused = resolve));
  // withoutRejoinToken: the page's joins reach the server without their rejoinToken, as an older page's do (or
  // one the server no longer accepts, signed under an earlier SECRET_KEY).
  const toServer = (m: string | Buffer): string | Buffer => (opts.withoutRejoinToken === true && typeof m === "string" ? m.replace(/,"rejoinToken":"[^"]*"/g, "") : m);
  const route = (page: Page) =>
    page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(toServer(m)));
      server.onMessage((m) => {
        const text = typeof m === "string" ? m : m.toString();
        if (isLosing && text.startsWith('42["room_moved"')) return;
        ws.send(m);
        if (isLosing && text.startsWith("43") && text.includes('"code":"room_moved"')) {
          isLosing = false;
          afterRefusal(ws, server);
          onRefused();
        }
      });
    });
  return { route, refused };
}

/**
 * Ben sends `first`, which the store holds past every check at the old address (not yet stored), then `second`,
 * queued behind it (one send at a time). The hold is released by the test.
 */
async function sendOneHeldOneBehind(page: Page, first: string, second: string): Promise<GatedRepo> {
  const held = holdSends(first);
  await sendNow(page, first);
  await held.holding(1);
  await sendNow(page, second);
  return held;
}

/** The moderator makes the room on screen private (confirmed). */
async function makePrivate(page: Page): Promise<void> {
  await page.click("#privacy-button");
  await page.click("#confirm-ok");
}

/** The moderator makes the room on screen private; resolves with its private address once the page is there. */
async function madePrivate(page: Page): Promise<string> {
  await makePrivate(page);
  await page.waitForFunction(() => /^\/r\/~[A-Za-z0-9_-]{22}$/.test(location.pathname));
  return privateAddress(page);
}

/** A moderator and Ben in `room`, each seeing both in the people list; `prepareBen` runs before Ben's page opens. */
async function moderatorAndBenIn(room: string, prepareBen: (page: Page) => Promise<void> = async () => undefined) {
  const { problems, person } = world(suite);
  const [mod, ben] = await Promise.all([person("mod"), person("ben")]);
  await signInAsModerator(mod.page, suite.server.url);
  await prepareBen(ben.page);
  await join(ben.page, suite.server.url, "Ben", room);
  await join(mod.page, suite.server.url, "Mod", room);
  await Promise.all([waitForPresence(ben.page, ["Ben", "Mod"]), waitForPresence(mod.page, ["Ben", "Mod"])]);
  return { problems, mod, ben, room };
}

/**
 * Ben's connection drops (and cannot come back until this says so), he writes `text` while away, the moderator
 * makes the room private, and Ben is let back online once the moderator's page is at the private address: its
 * address is returned.
 */
async function awayWhileMadePrivate(people: Awaited<ReturnType<typeof moderatorAndBenIn>>, text: string): Promise<string> {
  const { problems, mod, ben, room } = people;
  problems.allowNetworkErrors = true;
  await ben.context.setOffline(true);
  for (const socket of suite.server.app.io.of("/").sockets.values()) if (socket.data.rooms.get(room) === "Ben") socket.conn.close();
  // The page knows its connection is gone: it sets "Reconnecting…", which the offline banner hides from view (one
  // notice for one state), so the wait is on the page's own state rather than on what shows.
  await ben.page.waitForFunction(() => {
    const banner = document.getElementById("connection-banner");
    return banner !== null && !banner.hidden && banner.textContent === "Reconnecting…";
  });
  await ben.page.locator("#offline-banner").waitFor();
  await sendNow(ben.page, text);

  const moved = await madePrivate(mod.page);
  await ben.context.setOffline(false);
  return moved;
}

describe("messages on their way when the room moves", () => {
  it("a send refused room_moved and one queued behind it are sent at the new address by themselves, in order, stored and shown once", async () => {
    const { problems, mod, ben, room } = await moderatorAndBenIn("movers");

    const held = await sendOneHeldOneBehind(ben.page, "racing", "behind");

    await makePrivate(mod.page);
    await ben.page.waitForFunction(() => /^\/r\/~[A-Za-z0-9_-]{22}$/.test(location.pathname));
    await waitInRoom(ben.page, room);
    // The page sent "racing" again at the new address, by itself: the store holds that one too.
    await held.holding(2);
    held.release(); // the old address's copy is refused room_moved; the new one is stored, then "behind" goes

    await sentMessage(ben.page, "behind").waitFor();
    const moved = privateAddress(ben.page);
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["racing", "behind"] });
    for (const page of [ben.page, mod.page]) {
      await sentMessage(page, "behind").waitFor();
      expect(await page.locator("#messages li.msg .msg__text").allInnerTexts()).toEqual(["racing", "behind"]);
    }
    expect(await ben.page.locator("#messages li.msg--local").count()).toBe(0);
    expect(await ben.page.locator("#unsent").isHidden()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  it("the device keeps them for the new address: a reload before the server answered sends them there, each stored once", async () => {
    const { problems, mod, ben, room } = await moderatorAndBenIn("reloaders");

    const held = await sendOneHeldOneBehind(ben.page, "racing", "behind");
    await makePrivate(mod.page);
    await ben.page.waitForFunction(() => /^\/r\/~[A-Za-z0-9_-]{22}$/.test(location.pathname));
    await waitInRoom(ben.page, room);
    await held.holding(2);
    const moved = privateAddress(ben.page);
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([
      { room: moved, content: "racing" },
      { room: moved, content: "behind" },
    ]);

    // Closed before any answer came: the page back sends them again from the device, at the new address.
    await ben.page.reload();
    await waitInRoom(ben.page, room);
    await held.holding(3);
    held.release(); // the old address's copy is refused; of the two at the new address (one clientId) one is stored
    await sentMessage(ben.page, "behind").waitFor();
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["racing", "behind"] });
    expect(await ben.page.locator("#messages li.msg .msg__text").allInnerTexts()).toEqual(["racing", "behind"]);
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("written while the connection was down and the room was made private meanwhile, it is sent at the new address, not in the fresh public room", async () => {
    const people = await moderatorAndBenIn("while-away");
    const { problems, mod, ben, room } = people;
    await send(ben.page, "seen before");
    const moved = await awayWhileMadePrivate(people, "written while away");
    await ben.page.waitForFunction((to) => location.pathname === `/r/${to}`, moved, { timeout: 20_000 });
    await sentMessage(ben.page, "written while away").waitFor();
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["seen before", "written while away"] });
    await sentMessage(mod.page, "written while away").waitFor();
    expect(await ben.page.locator("#messages li.msg .msg__text").allInnerTexts()).toEqual(["seen before", "written while away"]);
    expect(problems.list).toEqual([]);
  });

  it("a page that had seen no message in the room follows it too: back after the move, it is in the private room and sends there what it wrote", async () => {
    const people = await moderatorAndBenIn("empty-away");
    const { problems, mod, ben, room } = people;
    const moved = await awayWhileMadePrivate(people, "written while away");
    await ben.page.waitForFunction((to) => location.pathname === `/r/${to}`, moved, { timeout: 20_000 });
    await waitInRoom(ben.page, room);
    await sentMessage(ben.page, "written while away").waitFor();
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["written while away"] });
    await sentMessage(mod.page, "written while away").waitFor();
    expect(problems.list).toEqual([]);
  });

  it("refused room_moved and then cut off before the move reached it, the page follows the room when back, though it had seen no message there, and sends them at the new address", async () => {
    const cutAfterRefusal = loseRoomMoved((ws, server) => {
      void ws.close();
      void server.close();
    });
    // A room with no message yet: the rejoin names none (since 0); its rejoinToken says the page was in the room.
    const { problems, mod, ben, room } = await moderatorAndBenIn("cut-off-follows", cutAfterRefusal.route);

    const held = await sendOneHeldOneBehind(ben.page, "racing", "behind");
    const moved = await madePrivate(mod.page);
    problems.allowNetworkErrors = true;
    held.release(); // refused room_moved at the old address; the connection goes right after that answer

    await ben.page.waitForFunction((to) => location.pathname === `/r/${to}`, moved, { timeout: 20_000 });
    await sentMessage(ben.page, "behind").waitFor();
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["racing", "behind"] });
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("refused room_moved and then cut off before the move reached it, a page whose rejoin carries no rejoinToken is back in the fresh room of the old name and sends none of them there: they are kept to copy", async () => {
    // Ben's connection loses the room_moved event and is cut right after the refusal's ack, as a network drop
    // between the two would.
    const cutAfterRefusal = loseRoomMoved(
      (ws, server) => {
        void ws.close();
        void server.close();
      },
      { withoutRejoinToken: true },
    );
    // A room with no message yet: the rejoin names none (since 0) and no token, so it joins the fresh public room of the name.
    const { problems, mod, ben, room } = await moderatorAndBenIn("cut-off", cutAfterRefusal.route);

    const held = await sendOneHeldOneBehind(ben.page, "racing", "<b>behind</b>");
    const moved = await madePrivate(mod.page);
    problems.allowNetworkErrors = true;
    held.release(); // refused room_moved at the old address; the connection goes right after that answer

    await ben.page.locator("#messages li.notice", { hasText: "2 messages written before this room moved away from this address were not sent here" }).waitFor();
    expect(new URL(ben.page.url()).pathname).toBe(`/r/${room}`);
    expect(await ben.page.locator("#messages li.msg--local").count()).toBe(0);
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([]);
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: [] });

    // This room is the fresh public one now: what is written from here on goes to it, as usual.
    await send(ben.page, "written after");
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: ["written after"], moved: [] });

    await ben.page.click("#sidebar-join");
    await ben.page.locator("#unsent").waitFor();
    const kept = await ben.page.locator("#unsent-list li").evaluateAll((items) =>
      items.map((li) => [li.querySelector(".unsent__room")?.textContent, li.querySelector(".unsent__text")?.textContent]),
    );
    const label = `Not sent in ${room} (the room moved to another address, and this page could not follow it):`;
    expect(kept).toEqual([
      [label, "racing"],
      [label, "<b>behind</b>"],
    ]);
    expect(await ben.page.locator("#unsent-list b").count()).toBe(0); // text, never HTML
    expect(problems.list).toEqual([]);
  });

  it("refused room_moved and reloaded before the move reached it, the page follows the room, though it had seen no message there (the device kept its rejoinToken), and sends them at the new address", async () => {
    const losing = loseRoomMoved();
    const { problems, mod, ben, room } = await moderatorAndBenIn("reloaded-follows", losing.route);

    const held = await sendOneHeldOneBehind(ben.page, "racing", "behind");
    const moved = await madePrivate(mod.page);
    held.release();
    await losing.refused;

    await ben.page.reload();
    await ben.page.waitForFunction((to) => location.pathname === `/r/${to}`, moved, { timeout: 20_000 });
    await waitInRoom(ben.page, room);
    await sentMessage(ben.page, "behind").waitFor();
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: [], moved: ["racing", "behind"] });
    expect(await ben.page.locator("#messages li.msg .msg__text").allInnerTexts()).toEqual(["racing", "behind"]);
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([]);
    expect(problems.list).toEqual([]);
  });

  it("refused room_moved and reloaded before the move reached it, a page whose rejoin carries no rejoinToken does not send them into the fresh room of the old name either: kept to copy", async () => {
    const losing = loseRoomMoved(() => undefined, { withoutRejoinToken: true });
    const { problems, mod, ben, room } = await moderatorAndBenIn("reloaded-held", losing.route);

    const held = await sendOneHeldOneBehind(ben.page, "racing", "behind");
    const moved = await madePrivate(mod.page);
    held.release();
    await losing.refused;
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([
      { room, content: "racing", held: true },
      { room, content: "behind", held: true },
    ]);

    // The page that held them is gone; the next one rejoins the old address (no message named: the fresh room).
    await ben.page.reload();
    await waitInRoom(ben.page, room);
    await ben.page.locator("#messages li.notice", { hasText: "2 messages written before this room moved away from this address were not sent here" }).waitFor();
    expect(await ben.page.locator("#messages li.msg--local").count()).toBe(0);
    await expect.poll(() => keptOnDevice(ben.page)).toEqual([]);
    await send(ben.page, "written after");
    expect({ old: await contents(room), moved: await contents(moved) }).toEqual({ old: ["written after"], moved: [] });
    expect(await ben.page.locator("#unsent-list .unsent__text").allTextContents()).toEqual(["racing", "behind"]);
    expect(problems.list).toEqual([]);
  });

  it("someone kicked while their messages wait has none of them sent anywhere: the page keeps them to copy", async () => {
    const { problems, mod, ben, room } = await moderatorAndBenIn("kicked-out");

    const held = await sendOneHeldOneBehind(ben.page, "on its way", "<b>never sent</b>");

    await mod.page.click("#presence-list button[aria-label='Kick Ben']");
    await mod.page.click("#confirm-ok");
    await ben.page.locator("#removed-note", { hasText: "A moderator removed you from this room." }).waitFor();
    await ben.page.locator("#unsent").waitFor();
    const kept = await ben.page.locator("#unsent-list li").evaluateAll((items) =>
      items.map((li) => [li.querySelector(".unsent__room")?.textContent, li.querySelector(".unsent__text")?.textContent]),
    );
    expect(kept).toEqual([
      [`Perhaps not sent in ${room} (it was on its way):`, "on its way"],
      [`Not sent in ${room}:`, "<b>never sent</b>"],
    ]);
    expect(await ben.page.locator("#unsent-list b").count()).toBe(0); // text, never HTML

    held.release(); // the server had taken that one before the kick: it is stored, and nothing else is
    await sentMessage(mod.page, "on its way").waitFor();
    expect(await contents(room)).toEqual(["on its way"]);
    await ben.page.locator("#unsent-list li").last().getByRole("button", { name: "Dismiss" }).click();
    expect(await ben.page.locator("#unsent-list li").count()).toBe(1);
    expect(problems.list).toEqual([]);
  });
});
