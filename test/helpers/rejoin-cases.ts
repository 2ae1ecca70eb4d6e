// What a rejoin (join_chat {since}) tells of the messages the client already has, besides their edits and
// deletes: their reactions now (`reactions`), and the edits and deletes of older messages their replies quote (in
// `changed`). Run over each store: SQLite in test/chat.rejoin-changes.test.ts, PostgreSQL in test/cluster/.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { JoinResult, ReactResult, WireMessage } from "../../src/protocol.js";
import type { ChatStore } from "../../src/storage/repository.js";
import { joinRoom, type ClientSocket, type TestApp } from "./app.js";
import { call } from "./emit.js";
import { waitFor } from "./wait.js";

/** Starts the app on the store under test with these settings; the cases close it. */
export type StartApp = (env: Record<string, string>) => Promise<TestApp>;

const ROOM = "general";
const BASE_ENV = { RATE_SEND_BURST: "1000", RATE_HISTORY_PER_SEC: "0" };

async function say(socket: ClientSocket, username: string, content: string, replyTo?: number): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room: ROOM, username, content, ...(replyTo !== undefined ? { replyTo } : {}) });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function react(socket: ClientSocket, id: number, emoji: string, on = true): Promise<void> {
  const res = await call<ReactResult>(socket, "react", { room: ROOM, id, emoji, on });
  if (!res.ok) throw new Error(`react failed: ${res.error.code}`);
}

async function change(socket: ClientSocket, event: "edit_message" | "delete_message", id: number, content = ""): Promise<void> {
  const res = await call(socket, event, { room: ROOM, id, ...(event === "edit_message" ? { content } : {}) });
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code}`);
}

async function rejoin(app: TestApp, session: string | null, username: string, since?: number): Promise<{ ok: true } & JoinResult> {
  const socket = await app.connect(session !== null ? { session } : {});
  const res = await joinRoom(socket, ROOM, username, since !== undefined ? { since } : {});
  if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
  return res;
}

/** Ana and Bob, each a browser session, in the room; Bob leaves (his connection drops) after `before` ran. */
async function withBobAway<T>(app: TestApp, before: (ana: ClientSocket, bob: ClientSocket) => Promise<T>) {
  const bobSession = app.newSession();
  const ana = await app.joined(ROOM, "ana", { session: app.newSession() });
  const bob = await app.joined(ROOM, "bob", { session: bobSession, heardBy: [ana] });
  const made = await before(ana, bob);
  await app.disconnect(bob);
  return { ana, bobSession, made };
}

export function describeRejoinCases(store: string, startApp: StartApp): void {
  const start = async (env: Record<string, string> = {}): Promise<TestApp> => {
    const app = await startApp({ ...BASE_ENV, ...env });
    onTestFinished(app.close);
    return app;
  };

  describe(`${store}: join_chat {since}: reactions`, () => {
    it("carries the reactions now of the page's messages the client has: those with some, each as the reader sees it; the others have none", async () => {
      const app = await start();
      const { ana, bobSession, made } = await withBobAway(app, async (ana, bob) => {
        const [m1, m2, m3, m4] = [await say(ana, "ana", "one"), await say(ana, "ana", "two"), await say(ana, "ana", "three"), await say(bob, "bob", "four")];
        if (m1 === undefined || m2 === undefined || m3 === undefined || m4 === undefined) throw new Error("no messages");
        const heard = waitFor(bob, "reactions_updated", (ev) => ev.id === m2.id);
        await react(bob, m1.id, "👍");
        await react(ana, m2.id, "🎉");
        await heard;
        return { m1, m2, m3, m4 };
      });
      const { m1, m2, m3, m4 } = made;
      // While Bob is away: Ana takes her 🎉 back and reacts to m3; Bob's other tab takes his 👍 back and reacts to m4.
      const otherTab = await app.joined(ROOM, "bob", { session: bobSession });
      await react(ana, m2.id, "🎉", false);
      await react(ana, m3.id, "❤️");
      await react(otherTab, m1.id, "👍", false);
      await react(otherTab, m4.id, "😀");
      await react(ana, m4.id, "😀");

      const res = await rejoin(app, bobSession, "bob", m4.id);
      expect(res.reactions).toEqual({
        from: m1.id,
        to: m4.id,
        messages: [
          { id: m3.id, reactions: [{ emoji: "❤️", count: 1, names: ["ana"], isMine: false }] },
          { id: m4.id, reactions: [{ emoji: "😀", count: 2, names: ["bob", "ana"], isMine: true }] },
        ],
      });
    });

    it("reaches the page's messages up to since only: newer ones come in history with theirs, older ones than the page not at all", async () => {
      const app = await start({ HISTORY_LIMIT: "3" });
      const { ana, bobSession, made } = await withBobAway(app, async (ana) => ({ old: await say(ana, "ana", "old"), a: await say(ana, "ana", "a"), b: await say(ana, "ana", "b") }));
      const fresh = await say(ana, "ana", "while away");
      await react(ana, made.old.id, "👍");
      await react(ana, made.b.id, "👍");
      await react(ana, fresh.id, "🎉");
      const res = await rejoin(app, bobSession, "bob", made.b.id);
      expect(res.history.map((m) => [m.id, m.reactions?.map((r) => r.emoji)])).toEqual([[fresh.id, ["🎉"]]]);
      expect(res.reactions).toEqual({ from: made.a.id, to: made.b.id, messages: [{ id: made.b.id, reactions: [{ emoji: "👍", count: 1, names: ["ana"], isMine: false }] }] });
    });

    it("is absent from a plain join, for a client more than a page behind, and for a client without the session cookie", async () => {
      const app = await start({ HISTORY_LIMIT: "2" });
      const ana = await app.joined(ROOM, "ana", { session: app.newSession() });
      const first = await say(ana, "ana", "first");
      for (const content of ["b", "c", "d"]) await react(ana, (await say(ana, "ana", content)).id, "👍");
      expect(await rejoin(app, app.newSession(), "carol")).not.toHaveProperty("reactions");
      expect(await rejoin(app, app.newSession(), "dave", first.id)).not.toHaveProperty("reactions");
      const legacy = await rejoin(app, null, "erin", first.id + 3);
      expect(legacy.changed ?? []).toEqual([]);
      expect(legacy).not.toHaveProperty("reactions");
    });
  });

  describe(`${store}: join_chat {since}: quotes of older originals`, () => {
    /** Three of Ana's messages, then Bob's replies to each: with HISTORY_LIMIT 4 the page is `kept` and the replies. */
    async function repliesToOlder() {
      const app = await start({ HISTORY_LIMIT: "4" });
      const { ana, bobSession, made } = await withBobAway(app, async (ana, bob) => {
        const typo = await say(ana, "ana", "helo wrold");
        const doomed = await say(ana, "ana", "something rude");
        const kept = await say(ana, "ana", "left as it was");
        const replies = [await say(bob, "bob", "you mean hello?", typo.id), await say(bob, "bob", "rude!", doomed.id), await say(bob, "bob", "fine", kept.id)];
        return { typo, doomed, kept, since: (replies.at(-1) as WireMessage).id };
      });
      return { app, ana, bobSession, ...made };
    }

    it("puts in changed, before the page's own changes, the older originals of the page's replies edited or deleted meanwhile", async () => {
      const { app, ana, bobSession, typo, doomed, kept, since } = await repliesToOlder();
      await change(ana, "edit_message", typo.id, "hello world");
      await change(ana, "delete_message", doomed.id);
      await change(ana, "edit_message", kept.id, "changed after all");
      const res = await rejoin(app, bobSession, "bob", since);
      expect(res.changed?.map((m) => [m.id, m.content, m.deletedAt !== undefined])).toEqual([
        [typo.id, "hello world", false],
        [doomed.id, "", true],
        [kept.id, "changed after all", false],
      ]);
      expect(JSON.stringify(res)).not.toContain("something rude");
    });

    it("leaves out older originals left as they were, and the ones only replies newer than since answer (those come quoted as they are)", async () => {
      const app = await start({ HISTORY_LIMIT: "3" });
      const { ana, bobSession, made } = await withBobAway(app, async (ana, bob) => {
        const lone = await say(ana, "ana", "lone");
        const unchanged = await say(ana, "ana", "unchanged");
        await say(bob, "bob", "re: unchanged", unchanged.id);
        return { lone, since: (await say(ana, "ana", "c")).id };
      });
      await change(ana, "edit_message", made.lone.id, "lone, edited");
      const fresh = await say(ana, "ana", "re: lone", made.lone.id); // the page: re: unchanged, c, re: lone
      const res = await rejoin(app, bobSession, "bob", made.since);
      expect(res.history.map((m) => [m.id, m.replyTo?.excerpt])).toEqual([[fresh.id, "lone, edited"]]);
      expect(res).not.toHaveProperty("changed");
    });

    it("reads the originals the page's replies answer only when they are older than the page: in one read, and none for a plain join or a page that answers itself", async () => {
      const { app, ana, bobSession, typo, doomed, since } = await repliesToOlder();
      const reads = vi.spyOn(app.repo as ChatStore, "messagesById");
      await rejoin(app, bobSession, "bob", since); // the page: kept, and replies to typo, doomed (older) and kept
      expect(reads.mock.calls.map(([, ids]) => [...ids].sort((a, b) => a - b))).toEqual([[typo.id, doomed.id]]);
      const x = await say(ana, "ana", "x");
      await say(ana, "ana", "re: x", x.id);
      const z = await say(ana, "ana", "z");
      const last = await say(ana, "ana", "re: z", z.id);
      reads.mockClear();
      const plain = await rejoin(app, app.newSession(), "carol");
      expect(plain.history.map((m) => m.replyTo?.excerpt ?? null)).toEqual([null, "x", null, "z"]);
      await rejoin(app, app.newSession(), "dave", last.id);
      expect(reads).not.toHaveBeenCalled();
    });
  });
}
