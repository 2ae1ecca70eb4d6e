// The appends' group commit, for the SQLite and the PostgreSQL store alike: every append that arrives in one turn of
// the event loop goes into one batch (at most `maxBatch`; the rest go in the next), batches are written one after
// another in arrival order (the next waits for the running one, retries included), and each append's promise
// settles with its batch.
import type { AppendOutcome, AppendResult, NewMessage, PendingAppend } from "./repository.js";

/**
 * Writes one batch; resolves with one outcome per message, in order (an error refuses that message alone: its
 * promise rejects with it, the others resolve), or rejects for the whole batch.
 */
export type CommitBatch = (batch: readonly NewMessage[]) => Promise<AppendOutcome[]>;

export class GroupCommit {
  private queue: PendingAppend[] = [];
  private isFlushScheduled = false;
  /** The batch being written; the next waits for it, so batches commit in arrival order. */
  private writing: Promise<void> | null = null;

  constructor(
    private readonly commit: CommitBatch,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
  ) {}

  add(msg: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
      if (this.writing === null) this.scheduleFlush(); // else the running batch schedules the next when it ends
    });
  }

  /** Writes everything queued (in-flight appends are committed or rejected, never dropped). */
  async drain(): Promise<void> {
    while (this.writing !== null || this.queue.length > 0) {
      this.startFlush();
      await this.writing;
    }
  }

  /**
   * Starts writing what is queued at once, unless a batch is being written (or waits to retry). A commit that runs
   * synchronously (better-sqlite3) has committed when this returns: for an exit that cannot wait for the loop.
   */
  startNow(): void {
    this.startFlush();
  }

  private scheduleFlush(): void {
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    setImmediate(() => {
      this.isFlushScheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.writing !== null || this.queue.length === 0) return;
    this.writing = this.flush().finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    let results: AppendOutcome[];
    try {
      results = await this.commit(batch.map((p) => p.msg));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = results[i] as AppendOutcome;
      if (outcome instanceof Error) p.reject(outcome);
      else p.resolve(outcome);
    });
  }
}
