// Presence: the tabs of one browser session under one name are one person in the room.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

const ANA_JOINED = "ana has joined the chat.";
const ANA_LEFT = "ana has left the chat.";

describe("presence-aware notices", () => {
  it("announces the first tab to the room; a further tab hears its own notice only", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");

    const bobHearsFirst = waitFor(bob, "message", isNoticeWith(ANA_JOINED));
    const tab1 = await app.joined("general", "ana", { session });
    await bobHearsFirst;

    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const tab1Sees = collectUntil(tab1, "message", isChatWith("marker"));
    const tab2 = await app.connect({ session });
    const tab2Hears = waitFor(tab2, "message", isNoticeWith(ANA_JOINED));
    const tab2Presence = waitFor(tab2, "presence");
    expect(await tab2.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({ ok: true });
    expect(await tab2Hears).toEqual({ content: ANA_JOINED, kind: "joined", username: "ana", room: "general" });
    expect(await tab2Presence).toEqual({ room: "general", users: ["ana", "bob"] });

    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect((await tab1Sees).map((m) => m.content)).toEqual(["marker"]);
  });

  it("gives a further tab without ack its own notice, so a legacy page waiting for it does not hang", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    await app.joined("general", "ana", { session });
    const legacyTab = await app.connect({ session });
    const hears = waitFor(legacyTab, "message", isNoticeWith(ANA_JOINED));
    legacyEmit(legacyTab, "join_chat", { username: "ana", room: "general" });
    await hears;
  });

  it("says nothing when a tab leaves or closes while another stays, and announces the last one", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const tabs = [await app.joined("general", "ana", { session, heardBy: [bob] })];
    for (let i = 1; i < 3; i++) tabs.push(await app.joined("general", "ana", { session }));
    const [tab1, tab2, tab3] = tabs as [(typeof tabs)[0], (typeof tabs)[0], (typeof tabs)[0]];

    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    expect(await tab1.timeout(3000).emitWithAck("leave_chat", { username: "ana", room: "general" })).toEqual({ ok: true });
    await app.disconnect(tab2);
    // The remaining tab sends after the others are gone: no notice came before it.
    await tab3.timeout(3000).emitWithAck("send_message", { username: "ana", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);

    const bobHearsLeft = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    const bobPresence = waitFor(bob, "presence", (p) => !p.users.includes("ana"));
    tab3.disconnect();
    expect(await bobHearsLeft).toEqual({ content: ANA_LEFT, kind: "left", username: "ana", room: "general" });
    expect(await bobPresence).toEqual({ room: "general", users: ["bob"] });
  });

  it("announces a closed tab (the original never did)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana");
    const bobHears = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    ana.disconnect();
    await bobHears;
  });

  it("announces the last leave_chat of a name to the room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const tab1 = await app.joined("general", "ana", { session });
    const tab2 = await app.joined("general", "ana", { session });
    await tab1.timeout(3000).emitWithAck("leave_chat", { username: "ana", room: "general" });
    const bobHears = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    await tab2.timeout(3000).emitWithAck("leave_chat", { username: "ana", room: "general" });
    await bobHears;
  });

  it("lets a new tab announce the name again once every earlier tab is gone", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const tab1 = await app.joined("general", "ana", { session });
    const bobHearsLeft = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    tab1.disconnect();
    await bobHearsLeft;
    const bobHearsJoined = waitFor(bob, "message", isNoticeWith(ANA_JOINED));
    await app.joined("general", "ana", { session });
    await bobHearsJoined;
  });
});

describe("presence events", () => {
  it("sends {room, users} to the room on every change, one name per presence, sorted ignoring case", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.connect();
    const bobPresence = waitFor(bob, "presence");
    await bob.timeout(3000).emitWithAck("join_chat", { username: "bob", room: "general" });
    expect(await bobPresence).toEqual({ room: "general", users: ["bob"] });

    let next = waitFor(bob, "presence");
    await app.joined("general", "Carl");
    expect(await next).toEqual({ room: "general", users: ["bob", "Carl"] });

    next = waitFor(bob, "presence");
    const anaTab1 = await app.joined("general", "Ana", { session });
    expect(await next).toEqual({ room: "general", users: ["Ana", "bob", "Carl"] });

    const anaTab2 = await app.joined("general", "Ana", { session });
    next = waitFor(bob, "presence");
    await app.disconnect(anaTab1);
    await app.disconnect(anaTab2);
    expect(await next).toEqual({ room: "general", users: ["bob", "Carl"] });
  });

  it("does not send a room's presence to another room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const carol = await app.joined("other", "carol");
    let presenceSeen = 0;
    carol.on("presence", () => presenceSeen++);
    const bob = await app.joined("general", "bob");
    await app.joined("general", "dan");
    await bob.timeout(3000).emitWithAck("leave_chat", { username: "bob", room: "general" });
    // carol's own event, after the others: an earlier presence for "general" would have arrived first.
    const own = waitFor(carol, "message", isChatWith("marker"));
    await carol.timeout(3000).emitWithAck("send_message", { username: "carol", room: "other", content: "marker" });
    await own;
    expect(presenceSeen).toBe(0);
  });
});
