// Who is in their room, from the workers' reports: a client is out from the moment its connection drops and in
// again when a join is answered ok. After the signal, "every client is back" is: every client the restart
// cut off (all of them on one node, the stopped node's on several) has been answered ok since the signal, and
// no client at all is out. Its time is the last of those answers, as the clients saw it, not when this thread
// heard of it. The same reports give the timeline of the chart: clients back per 250 ms, and in their room.
import { nowMs } from "./storm-clock.js";

export interface AllBack {
  /** The last answer that made everyone back (storm-clock.ts). */
  atMs: number;
  /** When this thread learnt it: the server CPU is read then. */
  detectedAtMs: number;
  /** Clients that were out at some point after the signal. */
  returned: number;
  /** For each of them: the signal to its last join answered ok, ms (its return). */
  returnMs: number[];
}

export interface TimelinePoint {
  /** End of the bucket, ms after the signal. */
  atMs: number;
  /** Joins answered ok in the bucket, of clients that had been out. */
  cameBack: number;
  /** Clients in their room at the end of the bucket. */
  inRoom: number;
}

interface StateEvent {
  client: number;
  isIn: boolean;
  atMs: number;
}

interface Armed {
  signalAtMs: number;
  needed: Set<number>;
  touched: Set<number>;
  done: (result: AllBack) => void;
}

export class ReturnTracker {
  private readonly isIn: Uint8Array;
  private readonly lastInAt: Float64Array;
  private readonly events: StateEvent[] = [];
  private inCount = 0;
  private armed: Armed | null = null;

  constructor(private readonly clients: number) {
    this.isIn = new Uint8Array(clients);
    this.lastInAt = new Float64Array(clients);
  }

  onState(client: number, isIn: boolean, atMs: number): void {
    this.events.push({ client, isIn, atMs });
    if (isIn !== (this.isIn[client] === 1)) this.inCount += isIn ? 1 : -1;
    this.isIn[client] = isIn ? 1 : 0;
    if (isIn) this.lastInAt[client] = atMs;
    const armed = this.armed;
    if (armed === null || atMs < armed.signalAtMs) return;
    if (isIn) armed.needed.delete(client);
    else armed.touched.add(client);
    this.check();
  }

  inRoomNow(): number {
    return this.inCount;
  }

  /** Resolves once everyone is back after `signalAtMs` (`affected`: the clients the restart cuts off), or null at the deadline. */
  waitAllBack(signalAtMs: number, affected: readonly number[], timeoutMs: number): Promise<AllBack | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.armed = null;
        resolve(null);
      }, timeoutMs);
      const touched = new Set<number>();
      const backAlready = new Set<number>();
      // Reports stamped after the signal may have arrived before this was armed.
      for (const e of this.events) if (e.atMs >= signalAtMs) (e.isIn ? backAlready : touched).add(e.client);
      const needed = new Set(affected.filter((c) => !backAlready.has(c)));
      this.armed = {
        signalAtMs,
        needed,
        touched,
        done: (result) => {
          clearTimeout(timer);
          this.armed = null;
          resolve(result);
        },
      };
      this.check();
    });
  }

  /** Buckets of `bucketMs` from the signal until `untilMs`. */
  timeline(signalAtMs: number, untilMs: number, bucketMs: number): TimelinePoint[] {
    const sorted = [...this.events].sort((a, b) => a.atMs - b.atMs);
    const state = new Uint8Array(this.clients);
    let inRoom = 0;
    let i = 0;
    const apply = (e: StateEvent): void => {
      if (e.isIn !== (state[e.client] === 1)) inRoom += e.isIn ? 1 : -1;
      state[e.client] = e.isIn ? 1 : 0;
    };
    for (; i < sorted.length && (sorted[i]?.atMs ?? Infinity) < signalAtMs; i++) apply(sorted[i] as StateEvent);
    const points: TimelinePoint[] = [];
    for (let end = signalAtMs + bucketMs; end < untilMs + bucketMs; end += bucketMs) {
      let cameBack = 0;
      for (; i < sorted.length && (sorted[i]?.atMs ?? Infinity) < end; i++) {
        const e = sorted[i] as StateEvent;
        if (e.isIn && state[e.client] === 0) cameBack++;
        apply(e);
      }
      points.push({ atMs: end - signalAtMs, cameBack, inRoom });
    }
    return points;
  }

  private check(): void {
    const armed = this.armed;
    if (armed === null || armed.needed.size > 0 || this.inCount < this.clients) return;
    const returnMs = [...armed.touched].map((c) => (this.lastInAt[c] ?? 0) - armed.signalAtMs);
    const atMs = armed.signalAtMs + Math.max(0, ...returnMs);
    armed.done({ atMs, detectedAtMs: nowMs(), returned: returnMs.length, returnMs });
  }
}
