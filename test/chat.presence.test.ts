// Presence: the tabs of one browser session under one name are one person in the room.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";

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
    const tab2Presence = collect(tab2, "presence");
    expect(await tab2.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({ ok: true, users: ["ana", "bob"] });
    expect(await tab2Hears).toEqual({ content: ANA_JOINED, kind: "joined", username: "ana", room: "general" });

    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect((await tab1Sees).map((m) => m.content)).toEqual(["marker"]);
    await waitFor(tab2, "message", isChatWith("marker"));
    expect(tab2Presence).toEqual([]); // a further tab changes nothing: no delta, its ack carried the list
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
    const app = await startTestApp({ env: { NAME_GRACE_MS: "0" } });
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
    const bobPresence = waitFor(bob, "presence", (p) => p.left !== undefined);
    tab3.disconnect();
    expect(await bobHearsLeft).toEqual({ content: ANA_LEFT, kind: "left", username: "ana", room: "general" });
    expect(await bobPresence).toEqual({ room: "general", left: ["ana"] });
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
    const app = await startTestApp({ env: { NAME_GRACE_MS: "0" } });
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
  it("answers a join with every present name, the joiner included, one per presence, sorted ignoring case", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    expect(bob.joinResult.users).toEqual(["bob"]);
    await app.joined("general", "Carl");
    await app.joined("general", "Ana", { session });
    const anaTab2 = await app.joined("general", "Ana", { session });
    expect(anaTab2.joinResult.users).toEqual(["Ana", "bob", "Carl"]);
    await app.joined("other", "zed");
    const dan = await app.joined("general", "dan");
    expect(dan.joinResult.users).toEqual(["Ana", "bob", "Carl", "dan"]);
  });

  it("sends the room one joined or left delta per presence, on join, leave_chat and disconnect", async () => {
    const app = await startTestApp({ env: { NAME_GRACE_MS: "0" } });
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const seen = collect(bob, "presence");

    const carl = await app.joined("general", "Carl");
    const anaTab1 = await app.joined("general", "Ana", { session });
    const anaTab2 = await app.joined("general", "Ana", { session }); // a further tab: no delta
    await carl.timeout(3000).emitWithAck("leave_chat", { room: "general" });
    await app.disconnect(anaTab1); // another tab stays: no delta
    await app.disconnect(anaTab2);
    await waitFor(bob, "message", isNoticeWith("Ana has left the chat."));

    expect(seen).toEqual([
      { room: "general", joined: ["Carl"] },
      { room: "general", joined: ["Ana"] },
      { room: "general", left: ["Carl"] },
      { room: "general", left: ["Ana"] },
    ]);
  });

  it("sends no delta to the joiner itself: its ack carries the list", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "bob");
    const ana = await app.connect();
    const seen = collect(ana, "presence");
    const ownNotice = waitFor(ana, "message", isNoticeWith(ANA_JOINED));
    const res = await ana.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" });
    expect(res).toMatchObject({ ok: true, users: ["ana", "bob"] });
    await ownNotice; // follows the delta the others get, so a delta sent to ana would be here by now
    expect(seen).toEqual([]);
  });

  it("gives a joiner without an ack the room's list as one joined event", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "bob");
    await app.joined("general", "Carl");
    const legacy = await app.connect();
    const presence = waitFor(legacy, "presence");
    legacyEmit(legacy, "join_chat", { username: "ana", room: "general" });
    expect(await presence).toEqual({ room: "general", joined: ["ana", "bob", "Carl"] });
  });

  it("sends the same few bytes to a member whether the room holds 2 or 200 people", async () => {
    // 200 connections from one address: the per-address caps are not what this measures.
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "0", HANDSHAKES_PER_MINUTE_PER_IP: "0", RATE_JOIN_PER_SEC: "0" } });
    onTestFinished(app.close);
    const watcher = await app.joined("big", "watcher");
    const deltaFor = async (name: string): Promise<number> => {
      const next = waitFor(watcher, "presence");
      await app.joined("big", name);
      return JSON.stringify(await next).length;
    };
    const second = await deltaFor("member002");
    for (let i = 3; i < 200; i++) await app.joined("big", `member${String(i).padStart(3, "0")}`);
    const twoHundredth = await deltaFor("member200");
    expect(twoHundredth).toBe(second);
    expect(second).toBeLessThan(60);
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
