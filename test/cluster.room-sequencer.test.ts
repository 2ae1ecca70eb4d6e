// The room sequencer (issue 10): each node hands its members a room's messages in id order, whatever order
// they reach it in from the other nodes. Real SQLite repository behind it (the sequencer only reads pages, and
// SQLite's ids, like PostgreSQL's, come from one counter for every room, so a room's ids have holes); the
// arrivals are the stored rows fed in the order two nodes' publishes could interleave.
import { afterEach, describe, expect, it } from "vitest";
import { toWire } from "../src/chat/wire.js";
import { RoomSequencer } from "../src/cluster/room-sequencer.js";
import { createCapturingLogger } from "../src/log.js";
import type { WireMessage } from "../src/protocol.js";
import type { ChatMessage, HistoryPage, PageQuery } from "../src/storage/repository.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { tempDatabase } from "./helpers/app.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface World {
  repo: SqliteMessageRepository;
  sequencer: RoomSequencer;
  delivered: number[];
  resyncs: { room: string; after: number }[];
  /** Database reads the sequencer made. */
  reads: PageQuery[];
  log: ReturnType<typeof createCapturingLogger>;
  /** Appends to the store; returns the row with the room's previous id, as the PostgreSQL store answers it. */
  store(room: string, content: string): Promise<{ wire: WireMessage; previousId: number }>;
}

function world(): World {
  const db = tempDatabase();
  const log = createCapturingLogger();
  const repo = new SqliteMessageRepository(db.path, { busyTimeoutMs: 100, log });
  cleanups.push(async () => {
    await repo.close().catch(() => undefined);
    db.remove();
  });
  const delivered: number[] = [];
  const resyncs: { room: string; after: number }[] = [];
  const reads: PageQuery[] = [];
  const newest = new Map<string, number>();
  const sequencer = new RoomSequencer({
    repo: {
      page: (room: string, query: PageQuery): Promise<HistoryPage> => {
        reads.push(query);
        return repo.page(room, query);
      },
    },
    deliver: (m) => delivered.push(m.id),
    resync: (room, after) => resyncs.push({ room, after }),
    log,
    gapPageSize: 2, // gaps longer than one page are read page by page
  });
  const store = async (room: string, content: string): Promise<{ wire: WireMessage; previousId: number }> => {
    const saved: ChatMessage = (await repo.append({ room, sender: "ana", content, sentAt: new Date() })).message;
    const previousId = newest.get(room) ?? 0;
    newest.set(room, saved.id);
    return { wire: toWire(saved), previousId };
  };
  return { repo, sequencer, delivered, resyncs, reads, log, store };
}

describe("room sequencer", () => {
  it("delivers each next message of the room at once, without reading the store, across the holes other rooms leave in the ids", async () => {
    const w = world();
    await w.sequencer.enter("r");
    expect(w.reads).toHaveLength(1); // the room's newest id, once, when its first member enters
    for (let i = 0; i < 5; i++) {
      const mine = await w.store("r", `m${i}`);
      await w.store("elsewhere", `x${i}`); // takes the next id: the room's ids go 1, 3, 5...
      await w.sequencer.offer(mine.wire, mine.previousId);
    }
    expect(w.delivered).toEqual([1, 3, 5, 7, 9]);
    expect(w.reads).toHaveLength(1);
  });

  it("holds a message that overtook earlier ones, delivers those from the store first, and drops them when they arrive late", async () => {
    const w = world();
    await w.sequencer.enter("r");
    const stored = [];
    for (let i = 0; i < 6; i++) {
      stored.push(await w.store("r", `m${i}`));
      if (i % 2 === 0) await w.store("elsewhere", `x${i}`);
    }
    const ids = stored.map((s) => s.wire.id);
    const [a, b, c, d, e, f] = stored as [typeof stored[number], typeof stored[number], typeof stored[number], typeof stored[number], typeof stored[number], typeof stored[number]];
    // Node B's e reaches this node first; then, while its gap is being read, f (in order after e), then the rest late.
    const arrivals = [e, f, a, c, b, d].map((s) => w.sequencer.offer(s.wire, s.previousId));
    await Promise.all(arrivals);
    expect(w.delivered).toEqual(ids);
    expect(new Set(w.delivered).size).toBe(ids.length);
    expect(w.reads.slice(1)).toEqual([
      { after: 0, limit: 2 },
      { after: ids[1], limit: 2 },
      { after: ids[3], limit: 2 },
    ]);
    expect(w.resyncs).toEqual([]);
  });

  it("starts the room at its newest id when the first member enters: what came before is the join history's", async () => {
    const w = world();
    const old = await w.store("r", "before anyone here");
    const older = await w.store("r", "also before");
    await w.sequencer.enter("r");
    expect(w.sequencer.watermark("r")).toBe(older.wire.id);
    const next = await w.store("r", "after the join");
    await w.sequencer.offer(old.wire, old.previousId); // a late copy of a history message
    await w.sequencer.offer(next.wire, next.previousId);
    expect(w.delivered).toEqual([next.wire.id]);
  });

  it("delivers nothing for a room with no member here, and reads the newest id again when one comes back", async () => {
    const w = world();
    const early = await w.store("r", "nobody here yet");
    await w.sequencer.offer(early.wire, early.previousId);
    await w.sequencer.enter("r");
    w.sequencer.forget("r"); // the last member left
    const meanwhile = await w.store("r", "while nobody was here");
    await w.sequencer.offer(meanwhile.wire, meanwhile.previousId);
    await w.sequencer.enter("r");
    const later = await w.store("r", "back");
    await w.sequencer.offer(later.wire, later.previousId);
    expect(w.delivered).toEqual([later.wire.id]);
    expect(w.reads).toHaveLength(2);
    expect(w.sequencer.roomCount()).toBe(1);
  });

  it("when the gap cannot be read, delivers the message anyway and tells the room's sockets to catch up from the watermark", async () => {
    const w = world();
    await w.sequencer.enter("r");
    const first = await w.store("r", "heard");
    await w.sequencer.offer(first.wire, first.previousId);
    const missed = await w.store("r", "still on its way");
    const overtaker = await w.store("r", "overtook it");
    await w.repo.close(); // the store is away: reads throw StorageUnavailableError
    await w.sequencer.offer(overtaker.wire, overtaker.previousId);
    await w.sequencer.offer(missed.wire, missed.previousId); // arrives after: already behind the watermark
    expect(w.delivered).toEqual([first.wire.id, overtaker.wire.id]);
    expect(w.resyncs).toEqual([{ room: "r", after: first.wire.id }]);
    expect(w.log.lines.some((l) => l.event === "sequencer_gap_unread")).toBe(true);
  });

  it("fails the entering member's join when the room's newest id cannot be read, and keeps nothing for the room", async () => {
    const w = world();
    await w.repo.close();
    await expect(w.sequencer.enter("r")).rejects.toThrow();
    expect(w.sequencer.roomCount()).toBe(0);
  });
});
