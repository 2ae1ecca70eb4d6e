// The page's notification rules (public/js/notifications.js, issue 13 §3), run in Node with a fake browser:
// which messages notify, the per-room throttle and its summary on a clock the test moves, the text shown,
// the levels kept in localStorage, and what a click does. The real browser is test/e2e/notifications.test.ts.
import { describe, expect, it } from "vitest";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = () => import(new URL("../public/js/notifications.js", import.meta.url).href);

type Level = "all" | "mentions" | "none";
interface Facts {
  permission: string;
  isPaused: boolean;
  isHidden: boolean;
  source: string;
  isOwn: boolean;
  isMention: boolean;
  level: Level;
}
interface Note {
  room: string;
  id: number;
  title: string;
  body: string;
  tag: string;
}
interface Item {
  id: number;
  sender: string;
  content: string;
  isMention: boolean;
}
interface Throttle {
  offer(room: string, item: Item, nowMs: number): { note: Note | null; dueAt: number | null };
  due(room: string, nowMs: number): Note | null;
  dropHeld(): void;
}

const facts = (over: Partial<Facts> = {}): Facts => ({
  permission: "granted",
  isPaused: false,
  isHidden: true,
  source: "live",
  isOwn: false,
  isMention: false,
  level: "all",
  ...over,
});
const item = (id: number, over: Partial<Item> = {}): Item => ({ id, sender: "Ana", content: `message ${id}`, isMention: false, ...over });

describe("which messages notify", () => {
  it.each<[string, Partial<Facts>, "mention" | "message" | null]>([
    ["a message at level all, page hidden", {}, "message"],
    ["a mention at level mentions", { level: "mentions", isMention: true }, "mention"],
    ["a mention at level all", { isMention: true }, "mention"],
    ["a plain message at level mentions", { level: "mentions" }, null],
    ["a mention in a muted room", { level: "none", isMention: true }, null],
    ["anything while the page is visible", { isHidden: false, isMention: true }, null],
    ["one's own message", { isOwn: true, isMention: true }, null],
    ["history replayed on join", { source: "history", isMention: true }, null],
    ["catch-up after a reconnect", { source: "catchup", isMention: true }, null],
    ["anything before the permission is granted", { permission: "default", isMention: true }, null],
    ["anything when it was denied", { permission: "denied", isMention: true }, null],
    ["anything in a browser without notifications", { permission: "unsupported", isMention: true }, null],
    ["anything while the bell is paused", { isPaused: true, isMention: true }, null],
  ])("%s", async (_what, over, expected) => {
    const { noticeKind } = await load();
    expect(noticeKind(facts(over))).toBe(expected);
  });
});

describe("at most one notification per room per interval", () => {
  it("shows the first of 5 messages in 10 s at once and the other 4 as one summary when the interval ends", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(10_000);
    const first = t.offer("general", item(1), 0);
    expect(first.note).toMatchObject({ id: 1, title: "#general", body: "Ana: message 1", tag: "messenger-room:general" });
    expect(first.dueAt).toBeNull();
    for (const [i, at] of [[2, 1000], [3, 4000], [4, 7000], [5, 9999]] as const) {
      expect(t.offer("general", item(i), at)).toEqual({ note: null, dueAt: 10_000 });
    }
    expect(t.due("general", 9_999)).toBeNull(); // a timer that fires early shows nothing
    const summary = t.due("general", 10_000);
    expect(summary).toEqual({ room: "general", id: 2, title: "#general", body: "4 new messages in #general\nAna: message 5", tag: "messenger-room:general" });
    expect(t.due("general", 20_000)).toBeNull(); // nothing more held: nothing more shown
  });

  it("counts each room on its own", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(10_000);
    expect(t.offer("a", item(1), 0).note).not.toBeNull();
    expect(t.offer("b", item(2), 1).note).not.toBeNull();
    expect(t.offer("a", item(3), 2).note).toBeNull();
  });

  it("sums held messages into the next one when that comes before the summary (a hidden tab's timer ran late)", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(10_000);
    t.offer("r", item(1), 0);
    t.offer("r", item(2, { isMention: true }), 3000);
    t.offer("r", item(3), 6000);
    const next = t.offer("r", item(4, { sender: "Ben", content: "late" }), 12_000);
    expect(next.note).toMatchObject({ id: 2, body: "3 new messages in #r, 1 mentioning you\nBen: late" });
    expect(t.due("r", 30_000)).toBeNull(); // already summed: no summary after it
  });

  it("a summary starts a new interval, and a message after a quiet interval shows at once", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(10_000);
    t.offer("r", item(1), 0);
    t.offer("r", item(2), 5000);
    expect(t.due("r", 10_000)?.body).toBe("Ana: message 2"); // one held message reads as itself
    expect(t.offer("r", item(3), 15_000).note).toBeNull(); // within 10 s of the summary
    expect(t.offer("r", item(4), 40_000).note?.body).toBe("2 new messages in #r\nAna: message 4");
    expect(t.offer("r", item(5), 60_000).note?.body).toBe("Ana: message 5");
  });

  it("drops what is held when the reader comes back", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(10_000);
    t.offer("r", item(1), 0);
    t.offer("r", item(2), 1000);
    t.dropHeld();
    expect(t.due("r", 10_000)).toBeNull();
  });

  it("with an interval of 0 shows every message", async () => {
    const { createThrottle } = await load();
    const t: Throttle = createThrottle(0);
    expect([1, 2, 3].map((i) => t.offer("r", item(i), 5).note?.id)).toEqual([1, 2, 3]);
  });
});

describe("what a notification says", () => {
  it("words summaries of mentions, messages and both", async () => {
    const { countText } = await load();
    expect(countText("r", [item(1, { isMention: true }), item(2, { isMention: true })])).toBe("2 mentions in #r");
    expect(countText("r", [item(1, { isMention: true })])).toBe("1 mention in #r");
    expect(countText("r", [item(1), item(2), item(3)])).toBe("3 new messages in #r");
    expect(countText("r", [item(1), item(2, { isMention: true })])).toBe("2 new messages in #r, 1 mentioning you");
  });

  it("shows the first 100 characters on one line, cut between code points, and markup as text", async () => {
    const { excerpt, noteFor } = await load();
    expect(excerpt("a\n\n  b\tc ")).toBe("a b c");
    expect(excerpt("x".repeat(100))).toBe("x".repeat(100));
    expect(excerpt("x".repeat(101))).toBe(`${"x".repeat(100)}…`);
    expect(excerpt(`${"x".repeat(99)}😀😀`)).toBe(`${"x".repeat(99)}😀…`); // the emoji stays whole
    expect(noteFor("r", [item(1, { sender: "Ana", content: "<b>hi</b> &amp;" })]).body).toBe("Ana: <b>hi</b> &amp;");
  });

  it("reads the interval from the page, 10 s when it is missing or bad", async () => {
    const { readIntervalMs } = await load();
    const body = (v?: string) => ({ dataset: v === undefined ? {} : { notifyIntervalMs: v } });
    expect(readIntervalMs(body("250"))).toBe(250);
    expect(readIntervalMs(body("0"))).toBe(0);
    for (const bad of [undefined, "", "soon", "-5"]) expect(readIntervalMs(body(bad))).toBe(10_000);
  });
});

/** A browser just big enough for createNotifier: storage, timers run by hand, a recording Notification. */
function fakeBrowser(opts: { stored?: Record<string, string>; permission?: string; storageThrows?: boolean } = {}) {
  const stored = new Map(Object.entries(opts.stored ?? {}));
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const clock = { ms: 0 };
  const shown: FakeNotification[] = [];
  const docListeners: Record<string, (() => void)[]> = {};
  let focusCalls = 0;
  const broken = () => {
    throw new Error("SecurityError: storage is off");
  };

  class FakeNotification {
    static permission = opts.permission ?? "granted";
    static requestPermission = async () => FakeNotification.permission;
    onclick: ((ev: { preventDefault(): void }) => void) | null = null;
    isClosed = false;
    constructor(
      readonly title: string,
      readonly options: { body: string; tag: string },
    ) {
      shown.push(this);
    }
    close() {
      this.isClosed = true;
    }
  }

  const win = {
    Notification: FakeNotification,
    localStorage: opts.storageThrows
      ? { getItem: broken, setItem: broken, removeItem: broken }
      : {
          getItem: (k: string) => stored.get(k) ?? null,
          setItem: (k: string, v: string) => void stored.set(k, v),
          removeItem: (k: string) => void stored.delete(k),
        },
    setTimeout: (fn: () => void, ms: number) => timers.push({ at: clock.ms + ms, fn, live: true }) - 1,
    clearTimeout: (id: number) => {
      const t = timers[id];
      if (t) t.live = false;
    },
    focus: () => void focusCalls++,
    addEventListener: () => {},
  };
  const doc = {
    hidden: true,
    body: { dataset: { notifyIntervalMs: "10000" } },
    addEventListener: (type: string, fn: () => void) => (docListeners[type] ??= []).push(fn),
    getElementById: () => null,
  };
  return {
    win,
    doc,
    clock,
    shown,
    stored,
    focusCalls: () => focusCalls,
    /** Moves the clock and runs the timers that are due. */
    advance(ms: number) {
      clock.ms += ms;
      for (const t of timers) {
        if (t.live && t.at <= clock.ms) {
          t.live = false;
          t.fn();
        }
      }
    },
    setHidden(hidden: boolean) {
      doc.hidden = hidden;
      for (const fn of docListeners.visibilitychange ?? []) fn();
    },
  };
}

async function notifierIn(browser: ReturnType<typeof fakeBrowser>) {
  const { createNotifier } = await load();
  const opened: [string, number][] = [];
  const notifier = createNotifier({ win: browser.win, doc: browser.doc, bell: null, now: () => browser.clock.ms, onOpen: (room: string, id: number) => opened.push([room, id]) });
  return { notifier, opened };
}

const msg = (id: number, sender: string, content: string, mentions: string[] = []) => ({ id, room: "general", sender, content, mentions, timestamp: "" });
const live = { source: "live", me: "Bob", isCurrent: true };

describe("createNotifier", () => {
  it("notifies a hidden page of a mention, and a click focuses the window, closes it and opens the message", async () => {
    const b = fakeBrowser();
    const { notifier, opened } = await notifierIn(b);
    notifier.onRoomMessage("general", msg(7, "Ana", "hi @bob, lunch?", ["bob"]), live);
    expect(b.shown.map((n) => [n.title, n.options.body, n.options.tag])).toEqual([["#general", "Ana: hi @bob, lunch?", "messenger-room:general"]]);
    b.shown[0]?.onclick?.({ preventDefault() {} });
    expect(b.focusCalls()).toBe(1);
    expect(b.shown[0]?.isClosed).toBe(true);
    expect(opened).toEqual([["general", 7]]);
  });

  it("shows nothing for own messages, a visible page, join history or catch-up", async () => {
    const b = fakeBrowser();
    const { notifier } = await notifierIn(b);
    notifier.onRoomMessage("general", msg(1, "BOB", "@Bob talking to myself", ["Bob"]), live);
    notifier.onRoomMessage("general", msg(2, "Ana", "@Bob old", ["Bob"]), { ...live, source: "history" });
    notifier.onRoomMessage("general", msg(3, "Ana", "@Bob missed", ["Bob"]), { ...live, source: "catchup" });
    b.doc.hidden = false;
    notifier.onRoomMessage("general", msg(4, "Ana", "@Bob here", ["Bob"]), live);
    expect(b.shown).toEqual([]);
  });

  it("throttles per room with timers on the page's interval: 5 mentions in 10 s give 1 now and a summary of 4", async () => {
    const b = fakeBrowser();
    const { notifier, opened } = await notifierIn(b);
    for (let i = 1; i <= 5; i++) {
      if (i > 1) b.advance(2000);
      notifier.onRoomMessage("general", msg(i, "Ana", `@Bob ${i}`, ["Bob"]), live); // at 0, 2, 4, 6 and 8 s
    }
    b.advance(1999);
    expect(b.shown.map((n) => n.options.body)).toEqual(["Ana: @Bob 1"]);
    b.advance(1); // 10 s after the first: the summary is due
    expect(b.shown.map((n) => n.options.body)).toEqual(["Ana: @Bob 1", "4 mentions in #general\nAna: @Bob 5"]);
    b.shown[1]?.onclick?.({ preventDefault() {} });
    expect(opened).toEqual([["general", 2]]);
  });

  it("shows no summary once the reader is back on the page", async () => {
    const b = fakeBrowser();
    const { notifier } = await notifierIn(b);
    notifier.onRoomMessage("general", msg(1, "Ana", "@Bob 1", ["Bob"]), live);
    notifier.onRoomMessage("general", msg(2, "Ana", "@Bob 2", ["Bob"]), live);
    b.setHidden(false);
    b.setHidden(true);
    b.advance(20_000);
    expect(b.shown).toHaveLength(1);
  });

  it("keeps a level per room, treats garbage in storage as mentions, and tells listeners", async () => {
    const b = fakeBrowser({ stored: { "messenger-room:notify-level:loud": "LOUD", "messenger-room:notify-level:json": '{"level":"all"}', "messenger-room:notify-level:quiet": "none" } });
    const { notifier } = await notifierIn(b);
    expect(notifier.level("never-set")).toBe("mentions");
    expect(notifier.level("loud")).toBe("mentions");
    expect(notifier.level("json")).toBe("mentions");
    expect(notifier.level("quiet")).toBe("none");
    const changes: [string, string][] = [];
    notifier.onLevelChange((room: string, level: string) => changes.push([room, level]));
    notifier.setLevel("general", "all");
    expect(b.stored.get("messenger-room:notify-level:general")).toBe("all");
    expect(notifier.level("general")).toBe("all");
    notifier.setLevel("general", "bogus");
    expect(notifier.level("general")).toBe("mentions");
    expect(changes).toEqual([["general", "all"], ["general", "mentions"]]);
  });

  it("follows the level: a plain message at all, none at mentions, nothing when muted", async () => {
    const b = fakeBrowser();
    const { notifier } = await notifierIn(b);
    notifier.onRoomMessage("a", { ...msg(1, "Ana", "plain"), room: "a" }, live); // default: mentions only
    notifier.setLevel("b", "all");
    notifier.onRoomMessage("b", { ...msg(2, "Ana", "plain"), room: "b" }, live);
    notifier.setLevel("c", "none");
    notifier.onRoomMessage("c", { ...msg(3, "Ana", "@Bob", ["Bob"]), room: "c" }, live);
    expect(b.shown.map((n) => n.title)).toEqual(["#b"]);
  });

  it("closes the notification quoting a message that is then deleted, and leaves one quoting another open", async () => {
    const b = fakeBrowser();
    const { notifier } = await notifierIn(b);
    notifier.onRoomMessage("general", msg(1, "Ana", "@Bob my password is hunter2", ["Bob"]), live);
    notifier.onRoomMessage("other", msg(2, "Ana", "@Bob lunch?", ["Bob"]), live);
    notifier.onRoomUpdate("general", { room: "general", id: 1, content: "@Bob my password is swordfish", editedAt: "2026-01-01T00:00:00.000Z" });
    expect(b.shown.map((n) => n.isClosed)).toEqual([false, false]); // an edit leaves a shown notification alone
    notifier.onRoomUpdate("other", { room: "other", id: 1, deletedAt: "2026-01-01T00:00:00.000Z" }); // another room's id 1
    notifier.onRoomUpdate("general", { room: "general", id: 1, deletedAt: "2026-01-01T00:00:00.000Z" });
    expect(b.shown.map((n) => [n.options.body, n.isClosed])).toEqual([
      ["Ana: @Bob my password is hunter2", true],
      ["Ana: @Bob lunch?", false],
    ]);
  });

  it("neither counts nor quotes in the summary a held message that was deleted, and shows none when all were", async () => {
    const b = fakeBrowser();
    const { notifier } = await notifierIn(b);
    notifier.onRoomMessage("general", msg(1, "Ana", "@Bob 1", ["Bob"]), live);
    notifier.onRoomMessage("general", msg(2, "Ana", "@Bob 2", ["Bob"]), live);
    notifier.onRoomMessage("general", msg(3, "Ana", "@Bob oops", ["Bob"]), live);
    notifier.onRoomUpdate("general", { room: "general", id: 3, deletedAt: "2026-01-01T00:00:00.000Z" });
    expect(b.shown[0]?.isClosed).toBe(false); // it quotes message 1, which stays
    b.advance(10_000);
    expect(b.shown.map((n) => n.options.body)).toEqual(["Ana: @Bob 1", "Ana: @Bob 2"]); // one left: not "2 mentions …\nAna: @Bob oops"

    notifier.onRoomMessage("general", msg(4, "Ana", "@Bob 4", ["Bob"]), live); // held: the summary opened an interval
    notifier.onRoomUpdate("general", { room: "general", id: 2, deletedAt: "2026-01-01T00:00:00.000Z" });
    expect(b.shown[1]?.isClosed).toBe(true);
    notifier.onRoomUpdate("general", { room: "general", id: 4, deletedAt: "2026-01-01T00:00:00.000Z" });
    b.advance(10_000);
    expect(b.shown).toHaveLength(2);
  });

  it("works without storage (private mode): every room at mentions, nothing thrown", async () => {
    const b = fakeBrowser({ storageThrows: true });
    const { notifier } = await notifierIn(b);
    notifier.setLevel("general", "all");
    expect(notifier.level("general")).toBe("mentions");
    notifier.onRoomMessage("general", msg(1, "Ana", "@Bob", ["Bob"]), live);
    expect(b.shown).toHaveLength(1);
  });
});
