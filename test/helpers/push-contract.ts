// The PushStore contract (issue 23), one suite run over every store: test/storage.push.test.ts (SQLite, in
// `npm test`) and test/cluster/postgres.push.test.ts (PostgreSQL, in `npm run test:cluster`). A factory may hand
// out stores on a shared database: every test uses session keys, endpoints and rooms of its own.
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { newPrivateAddress } from "../../src/access/policy.js";
import type { NewRoom } from "../../src/access/store.js";
import type { PushSubscriptionRecord } from "../../src/storage/push-store.js";
import type { ChatStore } from "../../src/storage/repository.js";

export type PushStoreFactory = () => Promise<ChatStore>;

const T0 = new Date("2026-04-01T10:00:00.000Z");
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const privateRoom = (title: string, at = T0): NewRoom => ({ room: newPrivateAddress(), title, kind: "private", creatorKey: null, membersCanInvite: false, originRoom: null, pairKey: null, createdAt: at });
/** A target as the tests compare it: session, name, level. */
const brief = (targets: readonly { sessionKey: string; name: string | null; level: string | null }[]) => targets.map((t) => [t.sessionKey, t.name, t.level]);

export function describePushContract(name: string, makeStore: PushStoreFactory): void {
  async function setup() {
    const store = await makeStore();
    onTestFinished(() => store.close());
    const tag = randomUUID().slice(0, 8);
    const key = (who: string): string => `${who}-${tag}`;
    const sub = (who: string, n = 1, at = T0): PushSubscriptionRecord => ({ endpoint: `https://push.example/${tag}/${who}/${n}`, sessionKey: key(who), p256dh: `p-${who}-${n}`, auth: `a-${who}-${n}`, expiresAt: null, createdAt: at });
    return { push: store.push, access: store.access, key, sub, room: (r = "general") => `${r}-${tag}` };
  }

  describe(`${name}: PushStore contract`, () => {
    it("stores a subscription and gives it back as stored; an endpoint stored again moves to the new session", async () => {
      const { push, key, sub } = await setup();
      const ana = { ...sub("ana"), expiresAt: later(5000) };
      await push.saveSubscription(ana, 10);
      expect(await push.subscriptionsOf(key("ana"))).toEqual([ana]);
      expect(await push.hasSubscription(key("ana"))).toBe(true);
      await push.saveSubscription({ ...ana, sessionKey: key("bob"), createdAt: later(1) }, 10);
      expect(await push.subscriptionsOf(key("ana"))).toEqual([]);
      expect(await push.subscriptionsOf(key("bob"))).toEqual([{ ...ana, sessionKey: key("bob"), createdAt: later(1) }]);
      expect(await push.hasSubscription(key("ana"))).toBe(false);
    });

    it("keeps the newest maxPerSession subscriptions of a session", async () => {
      const { push, key, sub } = await setup();
      for (let n = 1; n <= 4; n++) await push.saveSubscription(sub("ana", n, later(n)), 2);
      expect((await push.subscriptionsOf(key("ana"))).map((s) => s.endpoint)).toEqual([sub("ana", 3).endpoint, sub("ana", 4).endpoint]);
    });

    it("deletes only the owner's subscription (any owner's when asked without one), and a session left with none forgets its rooms", async () => {
      const { push, key, sub, room } = await setup();
      await push.saveSubscription(sub("ana"), 10);
      await push.noteName(key("ana"), room(), "ana", T0, 500);
      expect(await push.deleteSubscription(sub("ana").endpoint, key("bob"))).toBe(false);
      expect(await push.targets(room())).toHaveLength(1);
      expect(await push.deleteSubscription(sub("ana").endpoint, key("ana"))).toBe(true);
      expect(await push.targets(room())).toEqual([]);
      await push.saveSubscription(sub("ana"), 10);
      expect(await push.targets(room())).toEqual([]); // the room was forgotten with the last subscription
      expect(await push.deleteSubscription(sub("ana").endpoint, null)).toBe(true);
      expect(await push.deleteSubscription(sub("ana").endpoint, null)).toBe(false);
    });

    it("keeps names and levels only for sessions with a subscription, and lists a room's targets without level none", async () => {
      const { push, key, sub, room } = await setup();
      await push.noteName(key("eve"), room(), "eve", T0, 500); // no subscription: nothing kept
      await push.setLevel(key("eve"), room(), "all", T0, 500);
      for (const who of ["ana", "bob", "cy"]) await push.saveSubscription(sub(who), 10);
      await push.saveSubscription(sub("ana", 2, later(1)), 10);
      await push.noteName(key("ana"), room(), "Ana", T0, 500);
      await push.setLevel(key("ana"), room(), "all", T0, 500);
      await push.noteName(key("ana"), room(), "Ana Lopez", later(2), 500); // a later join renames, the level stays
      await push.setLevel(key("bob"), room(), "none", T0, 500);
      await push.setLevel(key("cy"), room(), "mentions", T0, 500);
      await push.noteName(key("cy"), room("other"), "cy", T0, 500);
      const targets = await push.targets(room());
      expect(targets.map((t) => [t.sessionKey, t.name, t.level, t.subscriptions.map((s) => s.endpoint)])).toEqual(
        [
          [key("ana"), "Ana Lopez", "all", [sub("ana").endpoint, sub("ana", 2).endpoint]],
          [key("cy"), null, "mentions", [sub("cy").endpoint]],
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      );
      await push.forgetRoom(key("ana"), room());
      expect((await push.targets(room())).map((t) => t.sessionKey)).toEqual([key("cy")]);
    });

    it("keeps a session's maxRooms most recently changed rooms: the least recently changed go", async () => {
      const { push, key, sub, room } = await setup();
      await push.saveSubscription(sub("ana"), 10);
      for (let n = 1; n <= 5; n++) await push.setLevel(key("ana"), room(`r${n}`), "all", later(n), 3);
      await push.noteName(key("ana"), room("r2"), "Ana", later(10), 3); // r2 changed again: kept
      const kept = [];
      for (let n = 1; n <= 5; n++) if ((await push.targets(room(`r${n}`))).length > 0) kept.push(n);
      expect(kept).toEqual([2, 4, 5]);
    });

    it("a room made private: in the move itself, the rows of the sessions let in follow it with their name and level, the others' go (none left at the old name)", async () => {
      const { push, access, key, sub, room } = await setup();
      for (const who of ["ana", "bob", "cy"]) await push.saveSubscription(sub(who), 10);
      await push.noteName(key("ana"), room(), "Ana", T0, 500);
      await push.setLevel(key("ana"), room(), "all", T0, 500);
      await push.noteName(key("bob"), room(), "bob", T0, 500); // not let in (their page was closed)
      await push.noteName(key("cy"), room("other"), "cy", T0, 500);
      const to = privateRoom(room());
      // No step after the move's transaction: a node that dies right after it leaves no row for the fresh public room.
      const rows = await access.makePrivate(room(), to, [{ sessionKey: key("ana"), name: "Ana" }, { sessionKey: key("cy"), name: "cy" }]);
      expect(rows).toEqual({ followed: [key("ana")], dropped: [key("bob")] });
      expect(await push.targets(room())).toEqual([]);
      expect(brief(await push.targets(to.room))).toEqual([[key("ana"), "Ana", "all"]]);
      expect(brief(await push.targets(room("other")))).toEqual([[key("cy"), "cy", null]]);
      await push.noteName(key("bob"), room(), "bob", later(1), 500); // a join of the fresh public room is a row of its own
      expect(brief(await push.targets(room()))).toEqual([[key("bob"), "bob", null]]);
    });

    it("a room made public: its members' rows follow it to the name in the move itself (replacing one of theirs there), the others' go", async () => {
      const { push, access, key, sub, room } = await setup();
      for (const who of ["ana", "dan", "eve"]) await push.saveSubscription(sub(who), 10);
      const name = room("made-public");
      const record = privateRoom(name);
      await access.createRoom(record, [{ sessionKey: key("ana"), name: "Ana" }]);
      await push.noteName(key("ana"), record.room, "Ana", T0, 500);
      await push.setLevel(key("ana"), record.room, "all", T0, 500);
      await push.setLevel(key("ana"), name, "none", T0, 500); // ana once joined an empty public room of that name
      await push.noteName(key("dan"), record.room, "dan", T0, 500); // no longer a member (kicked)
      await push.noteName(key("eve"), name, "eve", T0, 500); // in the empty public room of that name
      expect(await access.makePublic(record.room, name, later(1))).toBe("moved");
      expect(await push.targets(record.room)).toEqual([]);
      expect(brief(await push.targets(name))).toEqual([[key("ana"), "Ana", "all"], [key("eve"), "eve", null]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    });

    it("notes failures without losing the subscription", async () => {
      const { push, key, sub } = await setup();
      await push.saveSubscription(sub("ana"), 10);
      await push.noteFailure(sub("ana").endpoint, T0);
      await push.noteFailure(sub("ana").endpoint, null);
      expect(await push.subscriptionsOf(key("ana"))).toHaveLength(1);
    });

    it("stores the first VAPID key pair offered and gives every later caller that one", async () => {
      const { push } = await setup();
      const first = await push.vapidKeys({ publicKey: `pub-${randomUUID()}`, privateKey: "priv-1" }, T0);
      const second = await push.vapidKeys({ publicKey: "another", privateKey: "priv-2" }, later(1));
      expect(second).toEqual(first);
      const [a, b] = await Promise.all([push.vapidKeys({ publicKey: "x", privateKey: "y" }, T0), push.vapidKeys({ publicKey: "z", privateKey: "w" }, T0)]);
      expect([a, b]).toEqual([first, first]);
    });
  });
}
