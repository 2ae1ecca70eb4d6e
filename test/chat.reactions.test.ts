// Issue 22, reactions: react { room, id, emoji, on }, one per browser session whatever its tabs, the emoji check,
// the cap, the send budget, deletes, reactions_updated with `mine` for the reacting session only, and a model.
import fc from "fast-check";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import type { ReactionsUpdatedEvent, ReactResult, WireMessage, WireReaction } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChat } from "./helpers/messages.js";
import { MODERATOR_TOKEN } from "./helpers/private-rooms.js";
import { collect, waitFor } from "./helpers/wait.js";
import { sessionCookieFrom } from "./helpers/session-cookie.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { RATE_SEND_BURST: "1000", RATE_HISTORY_PER_SEC: "0", ...env } });
  onTestFinished(app.close);
  return app;
}

async function send(socket: ClientSocket, username: string, content: string): Promise<WireMessage> {
  const res = await socket.timeout(3000).emitWithAck("send_message", { room: "general", username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

const react = (socket: ClientSocket, id: number, emoji: unknown, on = true) => call<ReactResult>(socket, "react", { room: "general", id, emoji, on });
const codeOf = (res: { ok: boolean; error?: { code: string } }): string => (res.ok ? "ok" : (res.error?.code ?? "?"));

async function historyOf(socket: ClientSocket): Promise<WireMessage[]> {
  const page = await call<{ messages: WireMessage[] }>(socket, "fetch_history", { room: "general", limit: 500 });
  if (!page.ok) throw new Error(page.error.code);
  return page.messages;
}

/** Ana (two tabs of one browser session) and Bob in "general"; Bob said "lunch?". */
async function room(env: Record<string, string> = {}) {
  const app = await appFor(env);
  const anaSession = app.newSession();
  const bob = await app.joined("general", "Bob", { session: app.newSession() });
  const ana = await app.joined("general", "Ana", { session: anaSession, heardBy: [bob] });
  const anaTab = await app.joined("general", "Ana", { session: anaSession });
  const message = await send(bob, "Bob", "lunch?");
  return { app, ana, anaTab, anaSession, bob, message };
}

describe("react", () => {
  it("adds the session's reaction: the ack has it as mine, the session's other tab hears mine, others hear no mine", async () => {
    const { ana, anaTab, bob, message } = await room();
    const bobHears = waitFor(bob, "reactions_updated");
    const tabHears = waitFor(anaTab, "reactions_updated");
    const res = await react(ana, message.id, "👍");
    expect(res).toEqual({ ok: true, id: message.id, reactions: [{ emoji: "👍", count: 1, names: ["Ana"], isMine: true }] });
    expect(await bobHears).toEqual({ room: "general", id: message.id, reactions: [{ emoji: "👍", count: 1, names: ["Ana"] }] });
    expect(await tabHears).toEqual({ room: "general", id: message.id, reactions: [{ emoji: "👍", count: 1, names: ["Ana"] }], mine: ["👍"] });
    expect((await historyOf(bob)).find((m) => m.id === message.id)?.reactions).toEqual([{ emoji: "👍", count: 1, names: ["Ana"], isMine: false }]);
    expect((await historyOf(anaTab)).find((m) => m.id === message.id)?.reactions).toEqual([{ emoji: "👍", count: 1, names: ["Ana"], isMine: true }]);
  });

  it("counts one browser session once from several tabs; on twice and off when absent change nothing", async () => {
    const { app, ana, anaTab, anaSession, bob, message } = await room();
    const third = await app.joined("general", "Ana", { session: anaSession });
    for (const tab of [ana, anaTab, third]) expect(codeOf(await react(tab, message.id, "🎉"))).toBe("ok");
    const again = await react(ana, message.id, "🎉");
    expect(again.ok && again.reactions).toEqual([{ emoji: "🎉", count: 1, names: ["Ana"], isMine: true }]);
    const offAbsent = await react(bob, message.id, "🎉", false);
    expect(offAbsent.ok && offAbsent.reactions).toEqual([{ emoji: "🎉", count: 1, names: ["Ana"], isMine: false }]);
    await react(bob, message.id, "🎉");
    const both = await react(third, message.id, "❤️");
    expect(both.ok && both.reactions).toEqual([
      { emoji: "🎉", count: 2, names: ["Ana", "Bob"], isMine: true },
      { emoji: "❤️", count: 1, names: ["Ana"], isMine: true },
    ]);
    const off = await react(anaTab, message.id, "🎉", false);
    expect(off.ok && off.reactions).toEqual([
      { emoji: "🎉", count: 1, names: ["Bob"], isMine: false },
      { emoji: "❤️", count: 1, names: ["Ana"], isMine: true },
    ]);
  });

  it("emits nothing for a change that changes nothing (the next event is the next real change)", async () => {
    const { ana, bob, message } = await room();
    await react(ana, message.id, "👍");
    const heard = collect(bob, "reactions_updated");
    await react(ana, message.id, "👍"); // on again
    await react(ana, message.id, "👀", false); // off, absent
    const realChange = waitFor(bob, "reactions_updated", (e) => e.reactions.length === 2);
    await react(ana, message.id, "👀");
    await realChange;
    expect(heard).toHaveLength(1);
  });

  it("takes exactly one emoji: refuses text, two emoji, lone joiners, skin tones and selectors; takes flags, keycaps and ZWJ sequences", async () => {
    const { ana, message } = await room();
    for (const bad of ["a", "ab", "👍👍", "\u200d", "🏽", "\ufe0f", "👍\u200d👍", "🇫", " 👍", "", "1", "👍a", 5, null, "x".repeat(1000)]) {
      expect(codeOf(await react(ana, message.id, bad)), JSON.stringify(bad)).toBe("invalid_emoji");
    }
    for (const good of ["🇫🇷", "👨‍👩‍👧‍👦", "1️⃣", "👍🏽", "🏳️‍🌈", "❤️", "🏴󠁧󠁢󠁥󠁮󠁧󠁿"]) {
      expect(codeOf(await react(ana, message.id, good)), good).toBe("ok");
    }
    const history = await historyOf(ana);
    expect(history.find((m) => m.id === message.id)?.reactions?.map((r) => r.emoji)).toEqual(["🇫🇷", "👨‍👩‍👧‍👦", "1️⃣", "👍🏽", "🏳️‍🌈", "❤️", "🏴󠁧󠁢󠁥󠁮󠁧󠁿"]);
  });

  it("refuses a new emoji past MAX_REACTION_EMOJI with too_many_reactions, and still toggles one the message has", async () => {
    const { ana, bob, message } = await room({ MAX_REACTION_EMOJI: "3" });
    for (const e of ["😀", "😁", "😂"]) expect(codeOf(await react(ana, message.id, e))).toBe("ok");
    expect(codeOf(await react(bob, message.id, "🤣"))).toBe("too_many_reactions");
    expect(codeOf(await react(bob, message.id, "😀"))).toBe("ok");
    expect(codeOf(await react(ana, message.id, "😀", false))).toBe("ok");
    const res = await react(ana, message.id, "😁", false);
    // 😀 is Bob's now, added after 😂: emoji go in the order of their oldest reaction still there.
    expect(res.ok && res.reactions.map((r) => [r.emoji, r.count])).toEqual([["😂", 1], ["😀", 1]]);
    expect(codeOf(await react(bob, message.id, "🤣"))).toBe("ok"); // room again
  });

  it("spends the send budget: sends and reactions share one bucket", async () => {
    const { ana, message } = await room({ RATE_SEND_BURST: "3", RATE_SEND_PER_SEC: "0.001" });
    // Bob's send in room() was his; Ana's budget is whole.
    expect(codeOf(await react(ana, message.id, "👍"))).toBe("ok");
    await send(ana, "Ana", "one");
    expect(codeOf(await react(ana, message.id, "👀"))).toBe("ok");
    expect(codeOf(await react(ana, message.id, "🎉"))).toBe("rate_limited");
    expect(codeOf(await call(ana, "send_message", { room: "general", username: "Ana", content: "two" }))).toBe("rate_limited");
  });

  it("answers not_found for a deleted or missing message or another room's, not_in_room outside the room", async () => {
    const { app, bob, ana, message } = await room();
    const other = await app.joined("elsewhere", "Ana", { session: app.newSession() });
    const there = await other.timeout(3000).emitWithAck("send_message", { room: "elsewhere", username: "Ana", content: "x" });
    await call(bob, "delete_message", { room: "general", id: message.id });
    expect(codeOf(await react(ana, message.id, "👍"))).toBe("not_found");
    expect(codeOf(await react(ana, message.id + 100, "👍"))).toBe("not_found");
    expect(codeOf(await react(ana, there.ok ? there.message.id : 0, "👍"))).toBe("not_found");
    expect(codeOf(await call(ana, "react", { room: "nowhere", id: 1, emoji: "👍", on: true }))).toBe("not_in_room");
  });

  it("a delete removes the reactions: message_updated says so, history has none, the moderator's audit counts them", async () => {
    const app = await appFor({ MODERATOR_TOKEN });
    const signedIn = await request(app.url).post("/moderate").set("Cookie", app.newSession()).set("Origin", app.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
    const modSession = sessionCookieFrom(signedIn.headers["set-cookie"]);
    const bob = await app.joined("general", "Bob", { session: app.newSession() });
    const mod = await app.joined("general", "Mod", { session: modSession, heardBy: [bob] });
    const message = await send(bob, "Bob", "spam");
    await react(bob, message.id, "👍");
    await react(mod, message.id, "👍");
    await react(mod, message.id, "👎");
    const bobHears = waitFor(bob, "message_updated");
    expect(codeOf(await call(mod, "delete_message", { room: "general", id: message.id }))).toBe("ok");
    expect(await bobHears).toMatchObject({ id: message.id, content: "", reactions: [] });
    expect((await historyOf(bob)).find((m) => m.id === message.id)).not.toHaveProperty("reactions");
    const [entry] = await app.sqlite.auditLog(1);
    expect(entry).toMatchObject({ action: "delete", messageId: message.id, detail: JSON.stringify({ reactions: 3 }) });
    expect(await app.sqlite.reactionsOf([message.id], null)).toEqual(new Map());
  });

  it("keeps the reactions through an edit", async () => {
    const { ana, bob, message } = await room();
    await react(ana, message.id, "👍");
    await call(bob, "edit_message", { room: "general", id: message.id, content: "lunch at noon?" });
    expect((await historyOf(ana)).find((m) => m.id === message.id)).toMatchObject({ content: "lunch at noon?", reactions: [{ emoji: "👍", count: 1 }] });
  });

  it("lists the first 20 names in reaction order, with the whole count", async () => {
    const { app, bob, message } = await room();
    for (let i = 0; i < 25; i++) {
      const outcome = await app.sqlite.react({ room: "general", id: message.id, emoji: "👍", sessionKey: `k${i}`, name: `P${i}`, at: new Date(), on: true, maxEmoji: 20 });
      expect(outcome.state).toBe("changed");
    }
    const [group] = (await historyOf(bob)).find((m) => m.id === message.id)?.reactions ?? [];
    expect(group).toEqual({ emoji: "👍", count: 25, names: Array.from({ length: 20 }, (_, i) => `P${i}`), isMine: false });
  });
});

describe("reading reactions for several messages at once", () => {
  it("answers every count of ids alike (1 to 9: the statement is shared by a size class, padded with NULLs)", async () => {
    const { app, bob } = await room();
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) {
      const m = await send(bob, "Bob", `m${i}`);
      ids.push(m.id);
      // Every other message has reactions; the others must come back without any.
      if (i % 2 === 0) expect((await react(bob, m.id, i % 4 === 0 ? "👍" : "🎉")).ok).toBe(true);
    }
    const one = new Map<number, unknown>();
    for (const id of ids) for (const [k, v] of await app.sqlite.reactionsOf([id], null)) one.set(k, v);
    expect(one.size).toBe(5);
    for (let k = 1; k <= ids.length; k++) {
      const some = ids.slice(ids.length - k);
      const read = await app.sqlite.reactionsOf(some, null);
      expect(read).toEqual(new Map([...one].filter(([id]) => some.includes(id))));
    }
  });
});

describe("clients without the session cookie", () => {
  it("cannot react (session_required), never hear reactions_updated, and never get reactions in messages", async () => {
    const { app, ana, bob, message } = await room();
    const script = await app.joined("general", "Script"); // an ack-giving client without the cookie
    expect(codeOf(await react(script, message.id, "👍"))).toBe("session_required");
    const legacy = await app.connect();
    legacyEmit(legacy, "join_chat", { room: "general", username: "Old" });
    await waitFor(legacy, "message", (m) => !isChat(m) && m.content === "Old has joined the chat.");
    const heardByLegacy = collect(legacy, "reactions_updated");
    const heardByScript = collect(script, "reactions_updated");
    const bobHears = waitFor(bob, "reactions_updated");
    await react(ana, message.id, "👍");
    await bobHears;
    // A message sent after the reaction arrives after any event the reaction could have caused.
    const marker = waitFor(legacy, "message", (m) => isChat(m) && m.content === "after");
    const scriptMarker = waitFor(script, "message", (m) => isChat(m) && m.content === "after");
    await send(bob, "Bob", "after");
    await Promise.all([marker, scriptMarker]);
    expect(heardByLegacy).toEqual([]);
    expect(heardByScript).toEqual([]);
    const page = await call<{ messages: WireMessage[] }>(script, "fetch_history", { room: "general" });
    expect(page.ok && page.messages.find((m) => m.id === message.id)).not.toHaveProperty("reactions");
  });
});

describe("reaction payload size", () => {
  it("sends one message's reactions only: a few hundred bytes for a popular message in a room of 1,000", async () => {
    const { app, ana, bob, message } = await room();
    // A popular message in a busy room: 👍 from 250 people, ❤️ from 40, 😂 from 12 (names of 8 characters).
    const groups: [string, number][] = [["👍", 250], ["❤️", 40], ["😂", 12]];
    for (const [emoji, n] of groups) {
      for (let i = 0; i < n; i++) await app.sqlite.react({ room: "general", id: message.id, emoji, sessionKey: `${emoji}${i}`, name: `Person${String(i).padStart(2, "0")}`, at: new Date(), on: true, maxEmoji: 20 });
    }
    const frames: string[] = [];
    bob.io.engine.on("packet", (p: { type: string; data?: unknown }) => {
      if (p.type === "message" && typeof p.data === "string" && p.data.includes("reactions_updated")) frames.push(p.data);
    });
    const heard = waitFor(bob, "reactions_updated");
    await react(ana, message.id, "👍");
    const event: ReactionsUpdatedEvent = await heard;
    expect(event.reactions.map((r) => r.count)).toEqual([251, 40, 12]);
    const bytes = Buffer.byteLength(frames[0] ?? "");
    console.log(`reactions_updated frame for a message with 3 emoji (303 reactions): ${bytes} bytes`);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(1500); // 60 names at most, whatever the room's size
  });
});

describe("property: the reactions read back equal a model of the stored rows", () => {
  it("after random toggles from several sessions and tabs", async () => {
    const app = await appFor();
    const sessions = [app.newSession(), app.newSession(), app.newSession()];
    const names = ["Ana", "Bob", "Cy"];
    const tabs: { socket: ClientSocket; who: number }[] = [];
    for (let who = 0; who < 3; who++) {
      for (let t = 0; t < 2; t++) tabs.push({ socket: await app.joined("general", names[who] as string, { session: sessions[who] as string }), who });
    }
    const emoji = ["👍", "❤️", "🇫🇷", "1️⃣"];
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ tab: fc.nat(tabs.length - 1), emoji: fc.constantFrom(...emoji), on: fc.boolean() }), { minLength: 1, maxLength: 25 }), async (steps) => {
        const message = await send(tabs[0]?.socket as ClientSocket, "Ana", `round ${round++}`);
        // The model: rows (emoji, who) in the order they were added.
        let rows: { emoji: string; who: number }[] = [];
        for (const step of steps) {
          const tab = tabs[step.tab] as { socket: ClientSocket; who: number };
          const res = await react(tab.socket, message.id, step.emoji, step.on);
          expect(res.ok).toBe(true);
          const has = rows.some((r) => r.emoji === step.emoji && r.who === tab.who);
          if (step.on && !has) rows.push({ emoji: step.emoji, who: tab.who });
          if (!step.on) rows = rows.filter((r) => !(r.emoji === step.emoji && r.who === tab.who));
        }
        for (const reader of [0, 1, 2]) {
          const expected: WireReaction[] = [];
          for (const r of rows) {
            let group = expected.find((g) => g.emoji === r.emoji);
            if (group === undefined) expected.push((group = { emoji: r.emoji, count: 0, names: [], isMine: false }));
            group.count++;
            group.names.push(names[r.who] as string);
            if (r.who === reader) group.isMine = true;
          }
          const socket = tabs.find((t) => t.who === reader)?.socket as ClientSocket;
          const read = (await historyOf(socket)).find((m) => m.id === message.id);
          expect(read?.reactions ?? []).toEqual(expected);
        }
      }),
      { numRuns: 25 },
    );
  });
});
