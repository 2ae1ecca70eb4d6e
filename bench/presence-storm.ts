// Workload 7: presence in a big room (issue 9). N clients join one room; for the joins that make the room
// 100, 500 and 1,000 strong (one at a time, the room settled before each), it records what the server wrote
// for that one join (its written bytes from /proc: the ack and every broadcast). Then the same N clients all join a second room at once, as
// after a restart, and it times how long until every client knows all N names ("settled").
// A client's view of a room takes every shape a server may send: the list in the join ack (`users`), a full
// list per event (`presence {users}`, the shape before issue 9) or deltas (`presence {joined, left}`); a
// server that sends no presence at all (the baseline) is followed by its "has joined" notices.
import { readFileSync } from "node:fs";
import type { JoinResult, MessageEvent } from "../src/protocol.js";
import { isNotice } from "../src/protocol.js";
import { closeAll, connectClient, forEachLimited, joinAsPageDoes, type ChatSocket } from "./chat-client.js";
import { startMeter, type WindowFigures } from "./meter.js";
import { median } from "./stats.js";

export interface JoinBytes {
  /** Room size once this join is in. */
  members: number;
  /** Bytes the server wrote for the join (median of the joins that made the room members-4 .. members strong). */
  bytes: number;
}

export interface PresenceStormResult {
  members: number;
  joins: JoinBytes[];
  /** Everyone joins the second room at once: first emit until every client has all names. */
  stormSettleMs: number;
  /** Bytes the server wrote during the storm, per join. */
  stormBytesPerJoin: number;
  window: WindowFigures;
  /** Dropped connections, failed joins, a phase that never settled: each fails the run. */
  errors: string[];
}

const CONNECT_CONCURRENCY = 50;
const SETTLE_TIMEOUT_MS = 180_000;
/** Joins measured before each checkpoint; the median of them smooths out a stray ping. */
const SAMPLE_JOINS = 5;
/** Unmeasured joins sent together while the room grows between checkpoints. */
const GROW_BATCH = 25;
/** Joins in flight in the storm: more leaves one load-generator process so far behind on a 2-core machine that clients miss their pings. */
const STORM_CONCURRENCY = 20;

/** Bytes the process has passed to write(2) and friends: socket writes included, so it counts what went out. */
function writtenBytes(pid: number): number {
  const match = /^wchar:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
  if (!match?.[1]) throw new Error(`/proc/${pid}/io has no wchar`);
  return Number(match[1]);
}

/** Counts, per name, how many clients' views hold it; resolves waiters when a name reaches a count. */
class Tally {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, { want: number; resolve: () => void }[]>();

  added(name: string): void {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    const waiting = this.waiters.get(name);
    if (!waiting) return;
    for (const w of waiting.filter((x) => n >= x.want)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    if (waiting.length === 0) this.waiters.delete(name);
  }

  reach(name: string, want: number, timeoutMs: number): Promise<void> {
    if ((this.counts.get(name) ?? 0) >= want) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} reached ${this.counts.get(name) ?? 0} of ${want} clients`)), timeoutMs);
      const waiting = this.waiters.get(name) ?? [];
      waiting.push({ want, resolve: () => (clearTimeout(timer), resolve()) });
      this.waiters.set(name, waiting);
    });
  }
}

/**
 * One client's idea of who is in one room. A server with presence is followed by it alone (the list in the ack,
 * full lists or deltas); one without (the baseline) by its "has joined" notices.
 */
class RoomView {
  private readonly names = new Set<string>();

  constructor(
    private readonly tally: Tally,
    private readonly followsNotices: boolean,
  ) {}

  fromAck(res: Partial<JoinResult>): void {
    if (Array.isArray(res.users)) for (const name of res.users) this.add(name);
  }

  fromPresence(ev: { users?: unknown; joined?: unknown; left?: unknown }): void {
    for (const list of [ev.users, ev.joined]) if (Array.isArray(list)) for (const name of list) this.add(String(name));
    if (Array.isArray(ev.left)) for (const name of ev.left) this.names.delete(String(name));
  }

  fromNotice(username: string): void {
    if (this.followsNotices) this.add(username);
  }

  private add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    this.tally.added(name);
  }
}

interface Client {
  socket: ChatSocket;
  username: string;
  views: Map<string, RoomView>;
}

/** `hasPresence`: false for a server that sends no presence (the baseline): it is followed by its notices, and the
 * storm, which only presence can settle (notices never name those who came earlier), is skipped. */
export async function runPresenceStorm(url: string, pid: number, members: number, checkpoints: readonly number[], hasPresence: boolean): Promise<PresenceStormResult> {
  const errors: string[] = [];
  const tallies = new Map<string, Tally>([
    ["bigroom", new Tally()],
    ["stormroom", new Tally()],
  ]);
  const clients: Client[] = Array.from({ length: members }, (_, i) => ({
    socket: undefined as unknown as ChatSocket,
    username: `p${String(i).padStart(4, "0")}`,
    views: new Map([...tallies].map(([room, tally]) => [room, new RoomView(tally, !hasPresence)])),
  }));
  let isOver = false;
  try {
    await forEachLimited(clients, CONNECT_CONCURRENCY, async (client) => {
      client.socket = await connectClient(url);
      client.socket.on("presence", (ev) => client.views.get(ev.room)?.fromPresence(ev));
      client.socket.on("message", (m: MessageEvent) => {
        if (isNotice(m) && m.kind === "joined") client.views.get(m.room)?.fromNotice(m.username);
      });
      client.socket.on("disconnect", (reason) => {
        if (!isOver) errors.push(`${client.username} dropped: ${reason}`);
      });
    });
    const meter = startMeter(pid);
    try {
      const joins = await growMeasuring(pid, clients, tallies.get("bigroom") as Tally, checkpoints, hasPresence);
      // Storm: everyone joins the second room at once, as after a restart.
      let stormSettleMs = NaN;
      let stormBytesPerJoin = NaN;
      if (hasPresence) {
        const before = writtenBytes(pid);
        const started = performance.now();
        await forEachLimited(clients, STORM_CONCURRENCY, (client) => join(client, "stormroom"));
        await settled(clients, tallies.get("stormroom") as Tally, clients.length);
        stormSettleMs = performance.now() - started;
        stormBytesPerJoin = (writtenBytes(pid) - before) / members;
      }
      return { members, joins, stormSettleMs, stormBytesPerJoin, window: meter.stop(), errors };
    } catch (err) {
      meter.stop();
      throw err;
    }
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
    throw new Error(errors.slice(0, 3).join("; "));
  } finally {
    isOver = true;
    closeAll(clients.map((c) => c.socket).filter((s) => s !== undefined));
  }
}

/**
 * Fills the room; the joins that make it each checkpoint's size (and the few before) go one at a time, each
 * measured from its emit until every member knows the joiner. The joins in between go in batches, unmeasured.
 */
async function growMeasuring(pid: number, clients: Client[], tally: Tally, checkpoints: readonly number[], hasPresence: boolean): Promise<JoinBytes[]> {
  const result: JoinBytes[] = [];
  let joined = 0;
  for (const checkpoint of checkpoints.filter((c) => c <= clients.length)) {
    const measuredFrom = Math.max(joined, checkpoint - SAMPLE_JOINS);
    // In batches, each settled before the next: a backlog of undelivered events would delay the clients'
    // pings past their timeout on a busy machine.
    // Without presence (the baseline) one at a time: notices tell a name only to those already there.
    const batchSize = hasPresence ? GROW_BATCH : 1;
    while (joined < measuredFrom) {
      const batch = clients.slice(joined, Math.min(measuredFrom, joined + batchSize));
      await Promise.all(batch.map((client) => join(client, "bigroom")));
      joined += batch.length;
      if (hasPresence) await settled(clients.slice(0, joined), tally, joined);
      else await tally.reach((batch[0] as Client).username, joined, SETTLE_TIMEOUT_MS);
    }
    const samples: number[] = [];
    for (; joined < checkpoint; joined++) {
      const client = clients[joined] as Client;
      const before = writtenBytes(pid);
      await join(client, "bigroom");
      await tally.reach(client.username, joined + 1, SETTLE_TIMEOUT_MS);
      samples.push(writtenBytes(pid) - before);
    }
    result.push({ members: checkpoint, bytes: median(samples) });
  }
  return result;
}

/** Every one of `count` clients knows each of these clients' names. */
async function settled(clients: Client[], tally: Tally, count: number): Promise<void> {
  await Promise.all(clients.map((client) => tally.reach(client.username, count, SETTLE_TIMEOUT_MS)));
}

async function join(client: Client, room: string): Promise<void> {
  // The settle timeout, not the usual ack timeout: in a storm an ack waits behind thousands of events. A join
  // refused `overloaded` (the app's admission, issue 19) is sent again after its retryAfterMs, as the page does.
  const res = await joinAsPageDoes(client.socket, room, client.username, SETTLE_TIMEOUT_MS);
  if (!res.ok) throw new Error(`join ${room} as ${client.username}: ${res.error.code}`);
  client.views.get(room)?.fromAck(res);
}
