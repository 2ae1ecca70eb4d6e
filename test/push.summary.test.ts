// The throttle's summary push (issue 23), end to end against the local push service: it is built when it leaves,
// from the held messages as they are then (an edit shows, a deleted message never does), and only when the
// session still wants the room's pushes (it did not leave the room for good or mute it meanwhile). The first
// summary test, the count and the mention count, is in test/push.delivery.test.ts; the pure part in push.held.test.ts.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { PushLevel } from "../src/http-api.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { startPushService, type PushServiceDouble, type TestSubscription } from "./helpers/push-service.js";
import { setLevel, subscribe, until } from "./helpers/push.js";

let service: PushServiceDouble;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(() => service?.close());

/** Long enough that a test's sends, edits and deletes after the first push surely fall into its interval. */
const INTERVAL_MS = 1000;

async function app(): Promise<TestApp> {
  const a = await startTestApp({ env: { ...service.env, VAPID_SUBJECT: "mailto:ops@chat.example", NOTIFY_INTERVAL_MS: String(INTERVAL_MS) } });
  onTestFinished(a.close);
  return a;
}

/**
 * Bob's browser, subscribed with `level` for general and no page open; Ana in general; her first message already
 * pushed, so the interval runs and whatever comes next is held for the summary.
 */
async function heldForBob(level: PushLevel = "all"): Promise<{ a: TestApp; session: string; sub: TestSubscription; ana: ClientSocket }> {
  const a = await app();
  const session = a.newSession();
  const sub = service.subscription();
  const tab = await a.joined("general", "bob", { session });
  await subscribe(a, session, sub, { general: level }).expect(201);
  await a.disconnect(tab);
  const ana = await a.joined("general", "ana", { session: a.newSession() });
  await send(ana, "@bob the first one");
  await service.nth(sub, 1);
  return { a, session, sub, ana };
}

async function send(socket: ClientSocket, content: string) {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room: "general", username: "ana", content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message;
}

async function remove(socket: ClientSocket, id: number): Promise<void> {
  expect(await socket.timeout(5000).emitWithAck("delete_message", { room: "general", id })).toMatchObject({ ok: true });
}

/** The summary was due and the server decided not to send it, for `reason`. */
const notSent = (a: TestApp, reason: string): Promise<void> => until(() => a.logs.some((l) => l.event === "push_not_needed" && l.room === "general" && l.reason === reason));

describe("a summary push", () => {
  it("shows a message edited while it was held with its new text, never the old one", async () => {
    const { sub, ana } = await heldForBob();
    const sent = await send(ana, "the door code is 4711");
    expect(await ana.timeout(5000).emitWithAck("edit_message", { room: "general", id: sent.id, content: "ask me for the code" })).toMatchObject({ ok: true });

    const summary = service.decrypt(await service.nth(sub, 2), sub);
    expect(summary).toMatchObject({ id: sent.id, count: 1, excerpt: "ask me for the code", body: "ana: ask me for the code" });
    expect(JSON.stringify(summary)).not.toContain("4711");
  });

  it("leaves out a message deleted while it was held, and counts only the rest", async () => {
    const { sub, ana } = await heldForBob();
    const kept = await send(ana, "still here");
    const oops = await send(ana, "oops my password is hunter2");
    await remove(ana, oops.id);

    const summary = service.decrypt(await service.nth(sub, 2), sub);
    expect(summary).toMatchObject({ id: kept.id, count: 1, sender: "ana", excerpt: "still here", body: "ana: still here" });
    expect(JSON.stringify(summary)).not.toContain("hunter2");
  });

  it("is not sent when every message it held was deleted", async () => {
    const { a, sub, ana } = await heldForBob();
    const oops = await send(ana, "oops my password is hunter2");
    await remove(ana, oops.id);

    await notSent(a, "nothing_left");
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("is not sent once the session set the room's level to none", async () => {
    const { a, session, sub, ana } = await heldForBob();
    await send(ana, "two");
    await setLevel(a, session, "general", "none").expect(200); // the page's switch, with no page left open afterwards

    await notSent(a, "not_wanted");
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("is not sent once the session left the room for good (leave_chat)", async () => {
    const { a, session, sub, ana } = await heldForBob();
    await send(ana, "two");
    const tab = await a.joined("general", "bob", { session });
    expect(await tab.timeout(5000).emitWithAck("leave_chat", { room: "general" })).toEqual({ ok: true });
    await a.disconnect(tab);

    await notSent(a, "not_wanted");
    expect(service.pushesFor(sub)).toHaveLength(1);
  });

  it("keeps to a level set to mentions while it was held: only the mentions are summed up", async () => {
    const { a, session, sub, ana } = await heldForBob("all");
    await send(ana, "two");
    const mention = await send(ana, "@bob three");
    await send(ana, "four");
    await setLevel(a, session, "general", "mentions").expect(200);

    const summary = service.decrypt(await service.nth(sub, 2), sub);
    expect(summary).toMatchObject({ id: mention.id, count: 1, mentions: 1, excerpt: "@bob three", body: "ana: @bob three" });
  });
});
