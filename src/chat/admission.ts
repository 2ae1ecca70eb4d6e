// Admitting joins when the node is behind (issue 19). After a restart every client comes back at once; a node that
// takes every join the moment it arrives falls seconds behind, /healthz with it, and joins time out at the client
// and are sent again. Instead, while the event loop is late (its delay over the last sample, monitorEventLoopDelay)
// or too many joins are under way, a join is refused at once, cheaply, with `overloaded` and a jittered
// `retryAfterMs`: the clients come back spread out, and what the node does take it answers in time.
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { Failure } from "../protocol.js";

export interface AdmissionSettings {
  /** Joins being worked on at once; beyond it a join is refused. 0 = no limit. */
  maxJoinsInFlight: number;
  /** The event loop's delay (ms, the worst of each of the last two samples) above which joins are refused; 0 = never. */
  loopBusyMs: number;
}

/** How often the loop's delay is read: also how fast admission reopens once the loop is on time again. */
const SAMPLE_MS = 100;
/** The shortest wait a refused join is told; the jitter goes on top. */
const BASE_RETRY_MS = 250;

export class JoinAdmission {
  private inFlight = 0;
  private loopLateMs = 0;
  private previousLateMs = 0;
  private readonly histogram: IntervalHistogram | null;
  private readonly timer: ReturnType<typeof setInterval> | null;

  constructor(
    private readonly settings: AdmissionSettings,
    private readonly random: () => number = Math.random,
  ) {
    if (settings.loopBusyMs > 0) {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      this.histogram = histogram;
      this.timer = setInterval(() => {
        this.noteLoopSample(histogram.max / 1e6);
        histogram.reset();
      }, SAMPLE_MS);
      this.timer.unref();
    } else {
      this.histogram = null;
      this.timer = null;
    }
  }

  /** How late the event loop has been over the last two samples (the lesser of their worst delays), in ms. */
  get loopDelayMs(): number {
    return this.loopLateMs;
  }

  /**
   * One sample's worst event-loop delay (ms). The lesser of the last two counts: one long pause (a GC, one slow
   * task) refuses nothing; a loop late sample after sample (a storm) does.
   */
  noteLoopSample(worstMs: number): void {
    this.loopLateMs = Math.min(worstMs, this.previousLateMs);
    this.previousLateMs = worstMs;
  }

  /** Runs the join when the node can take it; otherwise answers `overloaded` at once. */
  async admit<T extends object>(join: () => Promise<T>): Promise<T | Failure> {
    const busy = this.isBusy();
    if (busy) return this.refuse();
    this.inFlight++;
    try {
      return await join();
    } finally {
      this.inFlight--;
    }
  }

  private isBusy(): boolean {
    const { maxJoinsInFlight, loopBusyMs } = this.settings;
    return (maxJoinsInFlight > 0 && this.inFlight >= maxJoinsInFlight) || (loopBusyMs > 0 && this.loopLateMs > loopBusyMs);
  }

  /**
   * The wait grows with how late the loop is (the queue a retry would meet) and is spread at random over as much
   * again, so the refused clients do not all come back in the same instant.
   */
  private refuse(): Failure {
    const span = BASE_RETRY_MS + Math.min(10_000, 2 * this.loopLateMs + 10 * this.inFlight);
    const retryAfterMs = Math.round(BASE_RETRY_MS + this.random() * span);
    return { ok: false, error: { code: "overloaded", message: "The server is busy (it may have just restarted); joining again shortly.", retryAfterMs } };
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.histogram?.disable();
  }
}
