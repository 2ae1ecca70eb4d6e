// A take-back record that reaches its place late (push/late-record.ts): one following its room to a private address,
// or an older notification's record put back after a newer push was not sent. A delete or edit while it was on its
// way found nothing to claim; once it is in place its message is read again and the notification taken back. Each
// test holds the server between two steps (a spy on the store) and commits the change inside the window. The same
// windows on Redis, where a move is two steps on two slots: test/cluster/push.nodes.test.ts.
import { describe, expect, it, vi } from "vitest";
import { changeSince, EDIT_CLOCK_SLACK_MS } from "../src/push/late-record.js";
import type { ChatMessage } from "../src/storage/repository.js";
import type { SqliteMessageRepository } from "../src/storage/sqlite.js";
import type { TestApp } from "./helpers/app.js";
import { openWindow } from "./helpers/open-window.js";
import { makeRoomPrivate, moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { pushAppKit, remove, send } from "./helpers/push-take-back.js";
import { until } from "./helpers/push.js";
import { waitFor } from "./helpers/wait.js";

const kit = pushAppKit();
const { app, subscribed, nthPayload } = kit;

const logsOf = (a: TestApp, event: string, extra: (l: Record<string, unknown>) => boolean = () => true) => a.logs.filter((l) => l.event === event && extra(l));

describe("the quoted message read again once a late record is in place", () => {
  const windowMs = 60_000;
  const record = { id: 7, untilMs: 1_000_000 + windowMs, shownAs: "general" }; // remembered at 1,000,000
  const message = (change: Pick<ChatMessage, "editedAt" | "deletedAt"> = {}): ChatMessage => ({ id: 7, room: "general", sender: "ana", content: "hi", sentAt: new Date(900_000), clientId: null, ...change });

  it("takes back for a delete, for an edit after the record, and for a message gone from the room; not for one edited before its push", () => {
    expect(changeSince(message(), record, windowMs)).toBeNull();
    expect(changeSince(message({ deletedAt: new Date(999_000) }), record, windowMs)).toBe("deleted");
    expect(changeSince(message({ editedAt: new Date(1_000_001) }), record, windowMs)).toBe("edited");
    expect(changeSince(undefined, record, windowMs)).toBe("no_access");
    expect(changeSince(message({ editedAt: new Date(1_000_000 - EDIT_CLOCK_SLACK_MS - 1) }), record, windowMs)).toBeNull();
  });

  it("counts an edit that looks a little older than the record (another node's clock) as made after it", () => {
    expect(changeSince(message({ editedAt: new Date(1_000_000 - EDIT_CLOCK_SLACK_MS + 1) }), record, windowMs)).toBe("edited");
  });
});

describe("a change while a take-back record was on its way, on one node", () => {
  it("takes back a let-in reader's notification for a message deleted at the private address before the record moved there", async () => {
    const a = await app({ MODERATOR_TOKEN, NAME_GRACE_MS: "0" });
    const bob = await subscribed(a, "general", "bob"); // page closed, name released: not let in, so taken back first
    const dan = await subscribed(a, "general", "dan");
    const ana = await a.joined("general", "ana", { session: a.newSession() });
    const plan = await send(ana, "general", "@bob @dan the plan");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: plan.id });
    expect(await nthPayload(dan.sub, 1)).toMatchObject({ quoted: plan.id });
    await a.joined("general", "dan", { session: dan.session }); // present: let in
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });
    // The move's take-back from Bob comes before the let-in records move: held there, the room (and its rows) are
    // already at the private address, Dan's record not yet.
    const push = (a.repo as SqliteMessageRepository).push;
    const subscriptionsOf = push.subscriptionsOf.bind(push);
    const held = openWindow();
    vi.spyOn(push, "subscriptionsOf").mockImplementationOnce((key) => held.through(() => subscriptionsOf(key)));
    const told = waitFor(ana, "room_moved");
    const to = await makeRoomPrivate(mod, "general");
    await told;
    await held.reached;
    expect(await ana.timeout(5000).emitWithAck("join_chat", { room: to, username: "ana" })).toMatchObject({ ok: true });
    await remove(ana, to, plan.id);
    // Dan's record was not there yet (a private address is logged shortened: matched by the message id).
    await until(() => logsOf(a, "push_not_taken_back", (l) => l.id === plan.id).length === 1);
    held.release();

    await until(() => logsOf(a, "push_records_moved").length === 1);
    expect(logsOf(a, "push_taken_back", (l) => l.reason === "deleted")).toMatchObject([{ id: plan.id, sessions: 1 }]);
    expect(await nthPayload(dan.sub, 2)).toEqual({ type: "take_back", room: "general", id: plan.id, tag: "messenger-room:general", reason: "deleted" });
  });

  /**
   * Bob has the older notification; a newer push's record replaces its record, and the newer message is deleted
   * before the push decision reads it, so the push is not sent and the older record is put back. Returns with the
   * push held at its re-read of the newer message: the older record is out of place until `window.release()`.
   */
  async function olderRecordAway(a: TestApp, older: string) {
    const bob = await subscribed(a, "general", "bob");
    const ana = await a.joined("general", "ana");
    const first = await send(ana, "general", older);
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ quoted: first.id });
    const store = a.repo as SqliteMessageRepository;
    const targets = store.push.targets.bind(store.push);
    const decision = openWindow();
    vi.spyOn(store.push, "targets").mockImplementationOnce((room) => decision.through(() => targets(room)));
    const newer = await send(ana, "general", "@bob and the alarm code");
    await decision.reached;
    await remove(ana, "general", newer.id); // before the push's record: it will not be sent
    await until(() => logsOf(a, "push_not_taken_back").length === 1);
    const messagesById = store.messagesById.bind(store);
    const window = openWindow();
    // The push's re-read of what it quotes, after its record replaced the older one.
    vi.spyOn(store, "messagesById").mockImplementationOnce((room, ids) => window.through(() => messagesById(room, ids)));
    decision.release();
    await window.reached;
    return { bob, ana, first, window };
  }

  it("takes back the older notification when its message is deleted while a newer push's record stood in its place", async () => {
    const a = await app();
    const { bob, ana, first, window } = await olderRecordAway(a, "@bob the door code is 4711");
    await remove(ana, "general", first.id);
    await until(() => logsOf(a, "push_not_taken_back").length === 2); // the delete found the newer record only
    window.release();

    await until(() => logsOf(a, "push_not_needed", (l) => l.reason === "nothing_left").length === 1);
    expect(logsOf(a, "push_taken_back")).toMatchObject([{ id: first.id, reason: "deleted", sessions: 1 }]);
    expect(await nthPayload(bob.sub, 2)).toEqual({ type: "take_back", room: "general", id: first.id, tag: "messenger-room:general", reason: "deleted" });
  });

  it("takes back the older notification when its message is edited while a newer push's record stood in its place", async () => {
    const a = await app();
    const { bob, ana, first, window } = await olderRecordAway(a, "@bob my password is hunter2");
    a.clock.advance(60_000); // the edit is clearly later than the older notification
    expect(await ana.timeout(5000).emitWithAck("edit_message", { room: "general", id: first.id, content: "@bob never mind" })).toMatchObject({ ok: true });
    await until(() => logsOf(a, "push_not_taken_back").length === 2);
    window.release();

    await until(() => logsOf(a, "push_not_needed", (l) => l.reason === "nothing_left").length === 1);
    expect(logsOf(a, "push_taken_back")).toMatchObject([{ id: first.id, reason: "edited", sessions: 1 }]);
    expect(await nthPayload(bob.sub, 2)).toEqual({ type: "take_back", room: "general", id: first.id, tag: "messenger-room:general", reason: "edited" });
  });

  it("leaves the older notification alone when nothing changed while its record was away", async () => {
    const a = await app();
    const { bob, ana, first, window } = await olderRecordAway(a, "@bob the door code is 4711");
    window.release();
    await until(() => logsOf(a, "push_not_needed", (l) => l.reason === "nothing_left").length === 1);
    expect(logsOf(a, "push_taken_back")).toEqual([]);
    await remove(ana, "general", first.id); // the record is back: the next delete takes it back
    expect(await nthPayload(bob.sub, 2)).toMatchObject({ type: "take_back", id: first.id, reason: "deleted" });
  });
});
