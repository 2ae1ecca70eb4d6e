// A rejoin that lists the older messages the page shows (join_chat {since, shown}) hears their deletes, edits and
// reactions whatever their age; ids of other rooms tell it nothing; a bad list changes nothing. Run over each
// store: SQLite in test/chat.rejoin-shown.test.ts, PostgreSQL in test/cluster/postgres.rejoin-shown.test.ts.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { ChatErrorEvent, JoinResult, ReactResult, WireMessage } from "../../src/protocol.js";
import type { ChatStore } from "../../src/storage/repository.js";
import { joinRoom, type ClientSocket, type JoinOptions, type TestApp } from "./app.js";
import { call } from "./emit.js";
import { createPrivateRoom } from "./private-rooms.js";
import { waitFor } from "./wait.js";
import type { StartApp } from "./rejoin-cases.js";

const ROOM = "general";
/** The room's newest page is 3 messages: a page that missed 5 is more than a page behind. */
const ENV = { RATE_SEND_BURST: "1000", RATE_HISTORY_PER_SEC: "0", HISTORY_LIMIT: "3" };

async function say(socket: ClientSocket, username: string, content: string, room = ROOM): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

async function act(socket: ClientSocket, event: "react" | "edit_message" | "delete_message", payload: object): Promise<void> {
  const res = await call<ReactResult>(socket, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code}`);
}

async function rejoin(app: TestApp, session: string, username: string, opts: JoinOptions): Promise<{ ok: true } & JoinResult> {
  const res = await joinRoom(await app.connect({ session }), ROOM, username, opts);
  if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
  return res;
}

/** What a rejoin tells, without what differs between two joins of the same room (nothing else may). */
const told = (res: JoinResult) => ({ history: res.history, hasMore: res.hasMore, hasMoreAfter: res.hasMoreAfter, changed: res.changed, reactions: res.reactions });

/**
 * Ana and Bob in the room, four of Ana's messages (one with Bob's 👍), Bob away; then Ana deletes the first, edits
 * the second, reacts to the third, Bob's 👍 goes from the fourth (his other tab), and five more messages come.
 */
async function bobFarBehind(app: TestApp) {
  const bobSession = app.newSession();
  const ana = await app.joined(ROOM, "ana", { session: app.newSession() });
  const bob = await app.joined(ROOM, "bob", { session: bobSession, heardBy: [ana] });
  const [doomed, typo, liked, unliked] = [await say(ana, "ana", "something private"), await say(ana, "ana", "helo"), await say(ana, "ana", "liked"), await say(ana, "ana", "unliked")];
  if (doomed === undefined || typo === undefined || liked === undefined || unliked === undefined) throw new Error("no messages");
  await act(bob, "react", { room: ROOM, id: unliked.id, emoji: "👍", on: true });
  await app.disconnect(bob);
  await act(ana, "delete_message", { room: ROOM, id: doomed.id });
  await act(ana, "edit_message", { room: ROOM, id: typo.id, content: "hello" });
  await act(ana, "react", { room: ROOM, id: liked.id, emoji: "🎉", on: true });
  const otherTab = await app.joined(ROOM, "bob", { session: bobSession });
  await act(otherTab, "react", { room: ROOM, id: unliked.id, emoji: "👍", on: false });
  await app.disconnect(otherTab);
  for (let i = 1; i <= 5; i++) await say(ana, "ana", `later ${i}`);
  return { ana, bobSession, doomed, typo, liked, unliked, since: unliked.id, shown: [unliked.id, liked.id, typo.id, doomed.id] };
}

export function describeRejoinShownCases(store: string, startApp: StartApp): void {
  const start = async (): Promise<TestApp> => {
    const app = await startApp(ENV);
    onTestFinished(app.close);
    return app;
  };

  describe(`${store}: join_chat {since, shown}: the page's older messages`, () => {
    it("a page more than HISTORY_LIMIT behind gets the delete, the edit and the reactions now of the old messages it shows", async () => {
      const app = await start();
      const { bobSession, doomed, typo, liked, unliked, since, shown } = await bobFarBehind(app);
      const res = await rejoin(app, bobSession, "bob", { since, shown });
      expect(res.history.map((m) => m.content)).toEqual(["later 1", "later 2", "later 3"]);
      expect(res.changed?.map((m) => [m.id, m.content, m.deletedAt !== undefined])).toEqual([
        [doomed.id, "", true],
        [typo.id, "hello", false],
      ]);
      expect(JSON.stringify(res)).not.toContain("something private");
      // An empty range of the page (Bob has none of it); `ids` says which have none now: unliked lost Bob's 👍.
      expect(res.reactions).toEqual({
        from: since + 1,
        to: since,
        messages: [{ id: liked.id, reactions: [{ emoji: "🎉", count: 1, names: ["ana"], isMine: false }] }],
        ids: [typo.id, liked.id, unliked.id],
      });
    });

    it("without shown, answers exactly as before: nothing of messages older than the page", async () => {
      const app = await start();
      const { bobSession, since } = await bobFarBehind(app);
      const res = await rejoin(app, bobSession, "bob", { since });
      expect(res.history.map((m) => m.content)).toEqual(["later 1", "later 2", "later 3"]);
      expect(res).not.toHaveProperty("changed");
      expect(res).not.toHaveProperty("reactions");
    });

    it("ids of a private room the page is not in reveal nothing: the answer is the one for ids that do not exist", async () => {
      const app = await start();
      const { bobSession, shown } = await bobFarBehind(app);
      const owner = await app.connect({ session: app.newSession() });
      const { room } = await createPrivateRoom(owner, "Secrets");
      if (!(await joinRoom(owner, room, "eve")).ok) throw new Error("eve could not join her room");
      const [gone, edited, reacted] = [await say(owner, "eve", "private words", room), await say(owner, "eve", "private typo", room), await say(owner, "eve", "private joke", room)];
      if (gone === undefined || edited === undefined || reacted === undefined) throw new Error("no private messages");
      await act(owner, "delete_message", { room, id: gone.id });
      await act(owner, "edit_message", { room, id: edited.id, content: "private fix" });
      await act(owner, "react", { room, id: reacted.id, emoji: "😂", on: true });
      const privateIds = [gone.id, edited.id, reacted.id];
      const madeUp = privateIds.map((id) => id + 1_000_000);

      const withPrivate = await rejoin(app, bobSession, "bob", { since: reacted.id, shown: [...privateIds, ...shown] });
      const withMadeUp = await rejoin(app, bobSession, "bob", { since: reacted.id, shown: [...madeUp, ...shown] });
      expect(told(withPrivate)).toEqual(told(withMadeUp));
      expect(withPrivate.reactions?.ids).not.toContain(reacted.id);
      expect(withPrivate.changed?.map((m) => m.id)).toEqual(withMadeUp.changed?.map((m) => m.id)); // the page's own: the delete, the edit
      expect(withPrivate.changed).toHaveLength(2);
      expect(JSON.stringify(withPrivate)).not.toMatch(/private|😂/);
    });

    it("a malformed or too long shown: the join answers as without it, and chat_error names the list", async () => {
      const app = await start();
      const { bobSession, since } = await bobFarBehind(app);
      const plain = await rejoin(app, bobSession, "bob", { since });
      for (const shown of ["1,2", [0], [1.5], [since, "x"], { 0: since }, Array.from({ length: 501 }, (_, i) => i + 1)]) {
        const socket = await app.connect({ session: bobSession });
        const reported = waitFor(socket, "chat_error");
        const res = await call<JoinResult>(socket, "join_chat", { room: ROOM, username: "bob", since, shown });
        expect(res.ok && told(res)).toEqual(told(plain));
        expect(await reported).toEqual<ChatErrorEvent>({ code: "invalid_payload", message: "shown must be a list of at most 500 message ids (whole numbers >= 1)", event: "join_chat" });
      }
    });

    it("reads the edit states of the listed messages outside the page once, and in full only the changed ones", async () => {
      const app = await start();
      const { ana, bobSession, doomed, typo, since, shown } = await bobFarBehind(app);
      const repo = app.repo as ChatStore;
      const [states, full] = [vi.spyOn(repo, "editStatesById"), vi.spyOn(repo, "messagesById")];
      await rejoin(app, bobSession, "bob", { since, shown: [...shown, ...shown] });
      expect(states.mock.calls.map(([, ids]) => [...ids].sort((a, b) => a - b))).toEqual([[...shown].sort((a, b) => a - b)]);
      expect(full.mock.calls.map(([, ids]) => [...ids].sort((a, b) => a - b))).toEqual([[doomed.id, typo.id]]);
      states.mockClear();
      // Up to date: every listed message is in the page the join reads anyway, so no read of its own.
      const newest = await say(ana, "ana", "newest");
      await rejoin(app, bobSession, "bob", { since: newest.id, shown: [newest.id, newest.id - 1] });
      expect(states).not.toHaveBeenCalled();
    });
  });
}
