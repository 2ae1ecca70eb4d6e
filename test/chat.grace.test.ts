// Name grace: a name whose last connection dropped stays its owner's for NAME_GRACE_MS; the owner coming back
// within it is silent, and "has left" is announced only when it ends without a return.
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { NameGrace } from "../src/chat/name-grace.js";
import { createMemoryPresence } from "../src/chat/presence.js";
import { startTestApp } from "./helpers/app.js";
import { isChatWith, isNoticeWith } from "./helpers/messages.js";
import { collect, collectUntil, waitFor } from "./helpers/wait.js";

const LONG_GRACE = { NAME_GRACE_MS: "600000" };
const ANA_LEFT = "ana has left the chat.";

describe("name grace", () => {
  it("holds a dropped name for its browser session: another session gets name_taken, and the room hears nothing", async () => {
    const app = await startTestApp({ env: LONG_GRACE });
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { session, heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const bobPresence = collect(bob, "presence");

    await app.disconnect(ana);
    const thief = await app.connect({ session: app.newSession() });
    expect(await thief.timeout(3000).emitWithAck("join_chat", { username: "Ana", room: "general" })).toMatchObject({ ok: false, error: { code: "name_taken" } });
    const cookieless = await app.connect();
    expect(await cookieless.timeout(3000).emitWithAck("join_chat", { username: "ana", room: "general" })).toMatchObject({ ok: false, error: { code: "name_taken" } });
    expect((await app.joined("general", "carl")).joinResult.users).toEqual(["ana", "bob", "carl"]); // still listed

    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["carl has joined the chat.", "marker"]);
    expect(bobPresence).toEqual([{ room: "general", joined: ["carl"] }]);
  });

  it("lets the same session take its name back silently: no notice or delta to the room, the list in its ack", async () => {
    const app = await startTestApp({ env: LONG_GRACE });
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { session, heardBy: [bob] });
    await app.disconnect(ana);
    const bobSees = collectUntil(bob, "message", isChatWith("marker"));
    const bobPresence = collect(bob, "presence");

    const back = await app.joined("general", "ana", { session }); // resolves on its own "has joined" notice
    expect(back.joinResult.users).toEqual(["ana", "bob"]);
    await back.timeout(3000).emitWithAck("send_message", { username: "ana", room: "general", content: "marker" });
    expect((await bobSees).map((m) => m.content)).toEqual(["marker"]);
    expect(bobPresence).toEqual([]);
  });

  it("announces has left and a left delta when the grace ends without a return, then frees the name", async () => {
    const app = await startTestApp({ env: { NAME_GRACE_MS: "50" } });
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { session, heardBy: [bob] });
    const bobSees = collectUntil(bob, "message", isNoticeWith(ANA_LEFT));
    const bobDelta = waitFor(bob, "presence", (p) => p.left !== undefined);

    await app.disconnect(ana);
    expect(await bobDelta).toEqual({ room: "general", left: ["ana"] });
    expect((await bobSees).map((m) => m.content)).toEqual([ANA_LEFT]);
    const other = await app.joined("general", "ana", { session: app.newSession(), heardBy: [bob] });
    expect(other.joinResult.users).toEqual(["ana", "bob"]);
  });

  it("releases the name at once on leave_chat", async () => {
    const app = await startTestApp({ env: LONG_GRACE });
    onTestFinished(app.close);
    const session = app.newSession();
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { session, heardBy: [bob] });
    const bobHears = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    const bobDelta = waitFor(bob, "presence");
    await ana.timeout(3000).emitWithAck("leave_chat", { room: "general" });
    expect(await bobDelta).toEqual({ room: "general", left: ["ana"] });
    await bobHears;
    expect((await app.joined("general", "ana", { session: app.newSession() })).joinResult.ok).toBe(true);
  });

  it("does not hold the names of a client without a session: it could never come back as their owner", async () => {
    const app = await startTestApp({ env: LONG_GRACE });
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { heardBy: [bob] });
    const bobHears = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    await app.disconnect(ana);
    await bobHears;
    expect((await app.joined("general", "ana")).joinResult.ok).toBe(true);
  });

  it("NAME_GRACE_MS=0 announces a dropped browser session at once", async () => {
    const app = await startTestApp({ env: { NAME_GRACE_MS: "0" } });
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana", { session: app.newSession(), heardBy: [bob] });
    const bobHears = waitFor(bob, "message", isNoticeWith(ANA_LEFT));
    await app.disconnect(ana);
    await bobHears;
    expect((await app.joined("general", "ana", { session: app.newSession() })).joinResult.ok).toBe(true);
  });

  it("closes the app promptly while a name is held", async () => {
    const app = await startTestApp({ env: LONG_GRACE });
    const ana = await app.joined("general", "ana", { session: app.newSession() });
    await app.disconnect(ana);
    expect(await app.app.presence.users("general")).toEqual(["ana"]); // held for ten minutes
    await app.close(); // within the test's timeout: nothing waits for the grace
  });
});

describe("NameGrace timers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("ends a hold after the grace, and stop() clears every pending timer", () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    const grace = new NameGrace(1000, expired);
    grace.start("general", "ana", 1);
    grace.start("general", "bob", 2);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    grace.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
    grace.start("general", "carl", 3); // after stop: nothing starts
    expect(vi.getTimerCount()).toBe(0);
  });

  it("calls back with the hold it was started for", () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    new NameGrace(1000, expired).start("general", "ana", 7);
    vi.advanceTimersByTime(1000);
    expect(expired).toHaveBeenCalledWith("general", "ana", 7);
  });

  it("holds only browser sessions, only while on and not stopped", () => {
    const grace = new NameGrace(1000, () => undefined);
    expect(grace.shouldHold("s:abc")).toBe(true);
    expect(grace.shouldHold("c:socket-id")).toBe(false);
    expect(new NameGrace(0, () => undefined).shouldHold("s:abc")).toBe(false);
    grace.stop();
    expect(grace.shouldHold("s:abc")).toBe(false);
  });
});

describe("held names in the presence store", () => {
  it("does not let an old hold end a later hold of the same name", async () => {
    const presence = createMemoryPresence();
    await presence.join("general", "ana", "s:1", "tab1");
    const first = await presence.leave("general", "ana", "tab1", true);
    expect(first).toEqual({ state: "held", hold: expect.any(Number) });
    expect(await presence.join("general", "ANA", "s:1", "tab2")).toEqual({ ok: true, isNew: false }); // back in time
    const second = await presence.leave("general", "ana", "tab2", true);
    if (first.state !== "held" || second.state !== "held") throw new Error("expected holds");
    expect(await presence.release("general", "ana", first.hold)).toBeNull();
    expect(await presence.users("general")).toEqual(["ana"]);
    expect(await presence.release("general", "ana", second.hold)).toBe("ana");
    expect(await presence.users("general")).toEqual([]);
    expect(presence.rooms()).toEqual([]);
  });

  it("refuses a held name to another session and gives it back to its own", async () => {
    const presence = createMemoryPresence();
    await presence.join("general", "Ana", "s:1", "tab1");
    await presence.leave("general", "Ana", "tab1", true);
    expect(await presence.join("general", "\u0410na", "s:2", "x")).toEqual({ ok: false, reason: "name_taken" });
    expect(await presence.join("general", "ana", "s:1", "tab2")).toEqual({ ok: true, isNew: false });
  });

  it("keeps the list sorted ignoring case as names come and go", async () => {
    const presence = createMemoryPresence();
    for (const [i, name] of ["carl", "Bob", "ana", "Dan", "bea"].entries()) await presence.join("r", name, `s:${i}`, `t${i}`);
    expect(await presence.users("r")).toEqual(["ana", "bea", "Bob", "carl", "Dan"]);
    await presence.leave("r", "Bob", "t1", false);
    await presence.leave("r", "ana", "t2", false);
    expect(await presence.users("r")).toEqual(["bea", "carl", "Dan"]);
    expect(await presence.leave("r", "carl", "t0", false)).toEqual({ state: "left", name: "carl" });
  });
});
