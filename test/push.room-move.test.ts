// Who gets a room's pushes after it moves (a room made private or public): the push rows of those let in follow
// it to its new address, under the same name and level; nobody keeps getting pushes from what now has the old name
// (a fresh public room of strangers). The real app pushes to the local push service.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { startPushService, type PushServiceDouble, type TestSubscription } from "./helpers/push-service.js";
import { keyOfSession, subscribe, until } from "./helpers/push.js";
import { createPrivateRoom, makeRoomPrivate, moderatorSession, MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { waitFor } from "./helpers/wait.js";

let service: PushServiceDouble;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(() => service?.close());

async function app(): Promise<TestApp> {
  // Grace 0: a closed page's name is released at once, as it is after NAME_GRACE_MS in production.
  const a = await startTestApp({ env: { ...service.env, VAPID_SUBJECT: "mailto:ops@chat.example", NOTIFY_INTERVAL_MS: "0", NAME_GRACE_MS: "0", MODERATOR_TOKEN } });
  onTestFinished(a.close);
  return a;
}

/** A browser session with its tab in each room (under `name`) and a subscription (default level: mentions). */
async function subscribedIn(a: TestApp, rooms: readonly string[], name: string): Promise<{ session: string; sub: TestSubscription; tabs: ClientSocket[] }> {
  const session = a.newSession();
  const sub = service.subscription();
  const tabs = [];
  for (const room of rooms) tabs.push(await a.joined(room, name, { session }));
  await subscribe(a, session, sub).expect(201);
  return { session, sub, tabs };
}

async function send(socket: ClientSocket, room: string, content: string, username: string) {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message;
}

const nthPayload = async (sub: TestSubscription, n: number) => service.decrypt(await service.nth(sub, n), sub);

describe("push subscriptions follow a room that moves", () => {
  it("after make private, pushes the private room to a let-in reader whose page is closed, and the fresh public room of the old name to neither the let-in nor the left-out reader", async () => {
    const a = await app();
    const dan = await subscribedIn(a, ["general"], "dan"); // present when the room moves: let in
    const bob = await subscribedIn(a, ["general", "lobby"], "bob");
    for (const tab of bob.tabs) await a.disconnect(tab); // page closed, name released: not let in
    const ana = await a.joined("general", "ana", { session: a.newSession() });
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });

    const told = waitFor(ana, "room_moved");
    const to = await makeRoomPrivate(mod, "general");
    await told;
    await until(() => a.logs.some((l) => l.event === "push_records_moved" && l.room === "general")); // the move's push work is done
    for (const tab of dan.tabs) await a.disconnect(tab); // Dan closes his page

    expect(await ana.timeout(5000).emitWithAck("join_chat", { room: to, username: "ana" })).toMatchObject({ ok: true });
    const secret = await send(ana, to, "@dan the plan", "ana");
    expect(await nthPayload(dan.sub, 1)).toMatchObject({ id: secret.id, room: to, title: "#general" });

    // A stranger in the fresh public room of the old name mentions both: neither is pushed. Each one's next push is
    // a later message elsewhere.
    const eve = await a.joined("general", "eve", { session: a.newSession() });
    await send(eve, "general", "@dan @bob hello strangers", "eve");
    const again = await send(ana, to, "@dan again", "ana");
    expect(await nthPayload(dan.sub, 2)).toMatchObject({ id: again.id, room: to });
    const lobby = await a.joined("lobby", "cy");
    const marker = await send(lobby, "lobby", "@bob marker", "cy");
    expect(await nthPayload(bob.sub, 1)).toMatchObject({ id: marker.id, room: "lobby" });
    expect(service.pushesFor(dan.sub)).toHaveLength(2);
    expect(service.pushesFor(bob.sub)).toHaveLength(1);
  });

  it("with push off, a room made private still takes its rows along: none wait at the old name for push to come back", async () => {
    const a = await startTestApp({ env: { PUSH_ENABLED: "false", MODERATOR_TOKEN } });
    onTestFinished(a.close);
    const [dan, bob] = [a.newSession(), a.newSession()];
    for (const session of [dan, bob]) {
      const key = keyOfSession(a, session);
      await a.sqlite.push.saveSubscription({ endpoint: `https://push.example/${key}`, sessionKey: key, p256dh: "p", auth: "a", expiresAt: null, createdAt: new Date() }, 10);
      await a.sqlite.push.noteName(key, "general", session === dan ? "dan" : "bob", new Date(), 500); // subscribed while push was on
    }
    await a.joined("general", "dan", { session: dan }); // present: let in; Bob's page is closed
    const mod = await a.joined("general", "mod", { session: await moderatorSession(a) });
    const to = await makeRoomPrivate(mod, "general");
    expect(await a.sqlite.push.targets("general")).toEqual([]);
    expect((await a.sqlite.push.targets(to)).map((t) => [t.sessionKey, t.name])).toEqual([[keyOfSession(a, dan), "dan"]]);
  });

  it("after make public, pushes the public room to a member whose page is closed, under the name and level they had", async () => {
    const a = await app();
    const modSession = await moderatorSession(a);
    const room = await createPrivateRoom(await a.connect({ session: modSession }), "plans");
    const mod = await a.joined(room.room, "mod", { session: modSession });
    const dan = a.newSession();
    await a.sqlite.access.admit(room.room, { sessionKey: keyOfSession(a, dan), name: "dan" }, new Date());
    const danSub = service.subscription();
    const danTab = await a.joined(room.room, "dan", { session: dan });
    await subscribe(a, dan, danSub).expect(201);
    await a.disconnect(danTab);

    expect(await mod.timeout(5000).emitWithAck("update_room", { room: room.room, isPrivate: false })).toMatchObject({ ok: true, room: { room: "plans", kind: "public" } });
    const ana = await a.joined("plans", "ana");
    const hello = await send(ana, "plans", "@dan welcome to the open", "ana");
    expect(await nthPayload(danSub, 1)).toMatchObject({ id: hello.id, room: "plans", title: "#plans" });
  });
});
