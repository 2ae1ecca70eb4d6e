// The page's unread counting (public/js/unread.js) and the remembered rooms' parsing (remembered.js), run
// in Node: the rules behind the sidebar badges, the title, and what survives a reload.
import { describe, expect, it } from "vitest";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../public/js/${name}`, import.meta.url).href);

interface Counts {
  lastReadId: number;
  lastSeenId: number;
  unread: number;
  mentions: number;
  unreadIds: number[];
  mentionIds: number[];
}
type Arrival = { id: number; isMine?: boolean; mentionsMe?: boolean; source?: "live" | "catchup" | "history"; isRead?: boolean; isDeleted?: boolean };
/** Counts with nothing counted that a delete could take back. */
const plain = <T extends Omit<Counts, "unreadIds" | "mentionIds">>(c: T): T & Counts => ({ ...c, unreadIds: [], mentionIds: [] });

async function unread() {
  const m = await load("unread.js");
  const arrive = (c: Counts, a: Arrival): Counts =>
    m.countArrival(c, { isMine: false, mentionsMe: false, source: "live", isRead: false, ...a }) as Counts;
  const remove = (c: Counts, id: number): Counts => m.countDeletion(c, id) as Counts;
  return { ...m, arrive, remove, fresh: (id: number) => m.freshCounts(id) as Counts, maxIds: m.MAX_COUNTED_IDS as number };
}

describe("unread counts", () => {
  it("counts live and catch-up messages from others, with their mentions, and clears them when read", async () => {
    const { arrive, fresh, markRead } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11 });
    c = arrive(c, { id: 12, mentionsMe: true, source: "catchup" });
    expect(c).toEqual({ lastReadId: 10, lastSeenId: 12, unread: 2, mentions: 1, unreadIds: [11, 12], mentionIds: [12] });
    expect(markRead(c)).toEqual(plain({ lastReadId: 12, lastSeenId: 12, unread: 0, mentions: 0 }));
  });

  it("never counts own messages, history, or a message seen before (a catch-up repeating a live one)", async () => {
    const { arrive, fresh } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11, isMine: true });
    expect(c).toEqual(plain({ lastReadId: 10, lastSeenId: 11, unread: 0, mentions: 0 }));
    c = arrive(c, { id: 12 });
    const again = arrive(c, { id: 12, source: "catchup" });
    expect(again).toBe(c);
    expect(arrive(c, { id: 5, source: "history", mentionsMe: true })).toBe(c);
    expect(arrive(c, { id: 99, source: "history" })).toBe(c);
    expect(c.unread).toBe(1);
  });

  it("a message arriving while the room is being read is read at once", async () => {
    const { arrive, fresh } = await unread();
    expect(arrive(fresh(3), { id: 4, isRead: true, mentionsMe: true })).toEqual(plain({ lastReadId: 4, lastSeenId: 4, unread: 0, mentions: 0 }));
  });

  it("a message deleted before it was read stops counting: unread and mention go down, never below zero", async () => {
    const { arrive, fresh, remove } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11 });
    c = arrive(c, { id: 12, mentionsMe: true });
    c = arrive(c, { id: 13 });
    c = remove(c, 12);
    expect(c).toEqual({ lastReadId: 10, lastSeenId: 13, unread: 2, mentions: 0, unreadIds: [11, 13], mentionIds: [] });
    c = remove(c, 11);
    c = remove(c, 13);
    expect(c).toEqual(plain({ lastReadId: 10, lastSeenId: 13, unread: 0, mentions: 0 }));
    // The same delete told twice (live, then in a rejoin's `changed`) takes nothing more.
    expect(remove(c, 13)).toBe(c);
    // Counts that disagree with their ids (storage edited by hand) still stop at zero.
    const odd = { ...plain({ lastReadId: 0, lastSeenId: 5, unread: 0, mentions: 0 }), unreadIds: [5], mentionIds: [5] };
    expect(remove(odd, 5)).toEqual(plain({ lastReadId: 0, lastSeenId: 5, unread: 0, mentions: 0 }));
  });

  it("a delete of a message read, own, or never counted changes nothing", async () => {
    const { arrive, fresh, remove, markRead } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11 });
    c = markRead(c); // read
    c = arrive(c, { id: 12, isMine: true });
    c = arrive(c, { id: 13 });
    expect(remove(c, 11)).toBe(c);
    expect(remove(c, 12)).toBe(c);
    expect(remove(c, 5)).toBe(c);
    expect(remove(c, 99)).toBe(c);
    expect(c.unread).toBe(1);
  });

  it("a message that arrives deleted (a catch-up's tombstone) is seen, never counted", async () => {
    const { arrive, fresh } = await unread();
    expect(arrive(fresh(10), { id: 11, isDeleted: true, mentionsMe: true, source: "catchup" })).toEqual(plain({ lastReadId: 10, lastSeenId: 11, unread: 0, mentions: 0 }));
  });

  it("keeps the newest ids only past the cap: a delete of an older one is not taken back, the count stays whole", async () => {
    const { arrive, fresh, remove, maxIds } = await unread();
    let c = fresh(0);
    for (let id = 1; id <= maxIds + 2; id++) c = arrive(c, { id });
    expect({ unread: c.unread, kept: c.unreadIds.length, oldest: c.unreadIds[0] }).toEqual({ unread: maxIds + 2, kept: maxIds, oldest: 3 });
    expect(remove(c, 1)).toBe(c);
    expect(remove(c, maxIds + 2).unread).toBe(maxIds + 1);
  });

  it("totals leave muted rooms out; the title shows the count and @ when one mentions the reader", async () => {
    const { totals, titleText, badgeFor } = await unread();
    const [first, muted, all] = [
      { counts: plain({ lastReadId: 0, lastSeenId: 5, unread: 3, mentions: 0 }), level: "mentions" },
      { counts: plain({ lastReadId: 0, lastSeenId: 9, unread: 4, mentions: 2 }), level: "none" },
      { counts: plain({ lastReadId: 0, lastSeenId: 2, unread: 1, mentions: 0 }), level: "all" },
    ] as const;
    const rooms: { counts: Counts; level: string }[] = [first, muted, all];
    expect(totals(rooms)).toEqual({ unread: 4, hasMention: false });
    expect(titleText("Messenger Room", totals(rooms))).toBe("(4) Messenger Room");
    rooms[2] = { ...all, counts: { ...all.counts, mentions: 1 } };
    expect(titleText("Messenger Room", totals(rooms))).toBe("(4) @ Messenger Room");
    expect(titleText("Messenger Room", { unread: 0, hasMention: false })).toBe("Messenger Room");
    expect(badgeFor(muted.counts, "none")).toEqual({ kind: "dot" });
    expect(badgeFor(first.counts, "mentions")).toEqual({ kind: "count", count: 3, hasMention: false });
    expect(badgeFor(plain({ lastReadId: 1, lastSeenId: 1, unread: 0, mentions: 0 }), "none")).toEqual({ kind: "none" });
  });

  it("the title names the room on screen before the app, after the count; the home page names only the app", async () => {
    const { pageTitle, titleText } = await unread();
    expect(pageTitle("Messenger Room", "general")).toBe("\u2068general\u2069 · Messenger Room");
    expect(pageTitle("Messenger Room", null)).toBe("Messenger Room");
    expect(titleText(pageTitle("Messenger Room", "Bob"), { unread: 3, hasMention: true })).toBe("(3) @ \u2068Bob\u2069 · Messenger Room");
  });

  it("isolates a right-to-left room or person's name (FSI ... PDI), so the count and the app's name keep their places", async () => {
    const { pageTitle, titleText } = await unread();
    const [FSI, PDI] = ["\u2068", "\u2069"];
    expect(titleText(pageTitle("Messenger Room", "טיול-סוף-שבוע"), { unread: 3, hasMention: false })).toBe(`(3) ${FSI}טיול-סוף-שבוע${PDI} · Messenger Room`);
    expect(titleText(pageTitle("Messenger Room", "سارة"), { unread: 1, hasMention: true })).toBe(`(1) @ ${FSI}سارة${PDI} · Messenger Room`);
    // A name that ends in a digit or mark stays one run too: nothing of the title can join it.
    expect(pageTitle("Messenger Room", "חדר 2026!")).toBe(`${FSI}חדר 2026!${PDI} · Messenger Room`);
  });
});

describe("remembered rooms", () => {
  it("reads back what it wrote", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const rooms = [
      { room: "alpha", name: "Ana", lastReadId: 4, lastSeenId: 9, unread: 3, mentions: 1, unreadIds: [5, 7, 9], mentionIds: [7] },
      { room: "Café & Bar", name: "Zoë", lastReadId: 0, lastSeenId: 0, unread: 0, mentions: 0, unreadIds: [], mentionIds: [] },
    ];
    expect(parseRememberedRooms(JSON.stringify(rooms))).toEqual(rooms);
  });

  it("keeps nothing it cannot trust from bad storage: not JSON, not a list, wrong types, repeats", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    for (const raw of [null, "", "{", "null", "42", '"rooms"', '{"room":"a","name":"b"}']) expect(parseRememberedRooms(raw)).toEqual([]);
    const mixed = JSON.stringify([
      null,
      "alpha",
      { room: "", name: "Ana" },
      { room: "beta", name: "  " },
      { room: 7, name: "Ana" },
      { room: " gamma ", name: "Ana", lastReadId: -3, lastSeenId: "9", unread: 1.5, mentions: 2 },
      { room: "gamma", name: "Other" },
      { room: "delta", name: "Ben", lastReadId: 50, lastSeenId: 20, unread: 2, mentions: 7 },
    ]);
    expect(parseRememberedRooms(mixed)).toEqual([
      plain({ room: "gamma", name: "Ana", lastReadId: 0, lastSeenId: 0, unread: 0, mentions: 0 }),
      // Read past seen and more mentions than unread cannot be: clamped.
      plain({ room: "delta", name: "Ben", lastReadId: 20, lastSeenId: 20, unread: 2, mentions: 2 }),
    ]);
  });

  it("keeps only the counted ids that can be: unread and seen, whole, once each, ascending; a mention one of them", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const raw = JSON.stringify([
      { room: "a", name: "Ana", lastReadId: 4, lastSeenId: 9, unread: 3, mentions: 1, unreadIds: [9, 3, 6, 6, "7", 1.5, 12, -1], mentionIds: [6, 8, null] },
      { room: "b", name: "Ana", lastReadId: 0, lastSeenId: 3, unread: 1, mentions: 0, unreadIds: "1,2", mentionIds: {} },
    ]);
    expect(parseRememberedRooms(raw)).toEqual([
      { room: "a", name: "Ana", lastReadId: 4, lastSeenId: 9, unread: 3, mentions: 1, unreadIds: [6, 9], mentionIds: [6] },
      { room: "b", name: "Ana", lastReadId: 0, lastSeenId: 3, unread: 1, mentions: 0, unreadIds: [], mentionIds: [] },
    ]);
  });

  it("keeps a room's rejoinToken only in the shape the server gives (anything else would get the rejoin refused)", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const token = `1764000000000.${"Ab_-".repeat(5)}Cd`;
    const raw = JSON.stringify([
      { room: "a", name: "Ana", rejoinToken: token },
      ...["", "1.short", `x.${"A".repeat(22)}`, `${token}.more`, 42].map((rejoinToken, i) => ({ room: `bad${i}`, name: "Ana", rejoinToken })),
    ]);
    const rooms = parseRememberedRooms(raw) as { room: string; rejoinToken?: string }[];
    expect(rooms.map((r) => [r.room, r.rejoinToken])).toEqual([["a", token], ...[0, 1, 2, 3, 4].map((i) => [`bad${i}`, undefined])]);
  });

  it("keeps at most 100 rooms from a list that grew without bound", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const many = Array.from({ length: 150 }, (_, i) => ({ room: `r${i}`, name: "Ana" }));
    expect(parseRememberedRooms(JSON.stringify(many))).toHaveLength(100);
  });
});
