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
}
type Arrival = { id: number; isMine?: boolean; mentionsMe?: boolean; source?: "live" | "catchup" | "history"; isRead?: boolean };

async function unread() {
  const m = await load("unread.js");
  const arrive = (c: Counts, a: Arrival): Counts =>
    m.countArrival(c, { isMine: false, mentionsMe: false, source: "live", isRead: false, ...a }) as Counts;
  return { ...m, arrive, fresh: (id: number) => m.freshCounts(id) as Counts };
}

describe("unread counts", () => {
  it("counts live and catch-up messages from others, with their mentions, and clears them when read", async () => {
    const { arrive, fresh, markRead } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11 });
    c = arrive(c, { id: 12, mentionsMe: true, source: "catchup" });
    expect(c).toEqual({ lastReadId: 10, lastSeenId: 12, unread: 2, mentions: 1 });
    expect(markRead(c)).toEqual({ lastReadId: 12, lastSeenId: 12, unread: 0, mentions: 0 });
  });

  it("never counts own messages, history, or a message seen before (a catch-up repeating a live one)", async () => {
    const { arrive, fresh } = await unread();
    let c = fresh(10);
    c = arrive(c, { id: 11, isMine: true });
    expect(c).toEqual({ lastReadId: 10, lastSeenId: 11, unread: 0, mentions: 0 });
    c = arrive(c, { id: 12 });
    const again = arrive(c, { id: 12, source: "catchup" });
    expect(again).toBe(c);
    expect(arrive(c, { id: 5, source: "history", mentionsMe: true })).toBe(c);
    expect(arrive(c, { id: 99, source: "history" })).toBe(c);
    expect(c.unread).toBe(1);
  });

  it("a message arriving while the room is being read is read at once", async () => {
    const { arrive, fresh } = await unread();
    expect(arrive(fresh(3), { id: 4, isRead: true, mentionsMe: true })).toEqual({ lastReadId: 4, lastSeenId: 4, unread: 0, mentions: 0 });
  });

  it("totals leave muted rooms out; the title shows the count and @ when one mentions the reader", async () => {
    const { totals, titleText, badgeFor } = await unread();
    const [first, muted, all] = [
      { counts: { lastReadId: 0, lastSeenId: 5, unread: 3, mentions: 0 }, level: "mentions" },
      { counts: { lastReadId: 0, lastSeenId: 9, unread: 4, mentions: 2 }, level: "none" },
      { counts: { lastReadId: 0, lastSeenId: 2, unread: 1, mentions: 0 }, level: "all" },
    ] as const;
    const rooms: { counts: Counts; level: string }[] = [first, muted, all];
    expect(totals(rooms)).toEqual({ unread: 4, hasMention: false });
    expect(titleText("Messenger Room", totals(rooms))).toBe("(4) Messenger Room");
    rooms[2] = { ...all, counts: { ...all.counts, mentions: 1 } };
    expect(titleText("Messenger Room", totals(rooms))).toBe("(4) @ Messenger Room");
    expect(titleText("Messenger Room", { unread: 0, hasMention: false })).toBe("Messenger Room");
    expect(badgeFor(muted.counts, "none")).toEqual({ kind: "dot" });
    expect(badgeFor(first.counts, "mentions")).toEqual({ kind: "count", count: 3, hasMention: false });
    expect(badgeFor({ lastReadId: 1, lastSeenId: 1, unread: 0, mentions: 0 }, "none")).toEqual({ kind: "none" });
  });
});

describe("remembered rooms", () => {
  it("reads back what it wrote", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const rooms = [
      { room: "alpha", name: "Ana", lastReadId: 4, lastSeenId: 9, unread: 3, mentions: 1 },
      { room: "Café & Bar", name: "Zoë", lastReadId: 0, lastSeenId: 0, unread: 0, mentions: 0 },
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
      { room: "gamma", name: "Ana", lastReadId: 0, lastSeenId: 0, unread: 0, mentions: 0 },
      // Read past seen and more mentions than unread cannot be: clamped.
      { room: "delta", name: "Ben", lastReadId: 20, lastSeenId: 20, unread: 2, mentions: 2 },
    ]);
  });

  it("keeps at most 100 rooms from a list that grew without bound", async () => {
    const { parseRememberedRooms } = await load("remembered.js");
    const many = Array.from({ length: 150 }, (_, i) => ({ room: `r${i}`, name: "Ana" }));
    expect(parseRememberedRooms(JSON.stringify(many))).toHaveLength(100);
  });
});
