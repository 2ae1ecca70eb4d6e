// When the search indexer runs (sqlite-search-index.ts does the indexing): shortly after a commit, in chunks that
// yield to the event loop, one run after another; a search first waits for a run that starts after it asked.
import type { Logger } from "../log.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import type { SearchIndexer } from "./sqlite-search-index.js";

export const DEFAULT_SEARCH_INDEX_DELAY_MS = 250;

export interface SearchRunOptions {
  log: Logger;
  /** How long after a commit the new rows are indexed (default DEFAULT_SEARCH_INDEX_DELAY_MS). */
  delayMs?: number;
  /** Called after each run with the rows it indexed (tests await it). */
  onIndexed?: (rows: number) => void;
}

export class SearchIndexRuns {
  /** The next run, when one is due. */
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Runs, one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private isStopped = false;

  constructor(
    private readonly conn: SqliteConnection<{ indexer: SearchIndexer }>,
    private readonly opts: SearchRunOptions,
  ) {}

  /** Indexes the rows above the watermark soon, unless a run is already due. */
  schedule(): void {
    if (this.timer !== null || this.isStopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runNow().catch((err: unknown) => {
        this.opts.log.warn("search_index_failed", { err });
        this.schedule(); // the rows stay above the watermark: the next run takes them
      });
    }, this.opts.delayMs ?? DEFAULT_SEARCH_INDEX_DELAY_MS);
    this.timer.unref();
  }

  /** Indexes every row above the watermark, a chunk per transaction, yielding to the event loop between chunks. */
  runNow(): Promise<number> {
    const run = this.queue.then(async () => {
      let total = 0;
      for (;;) {
        const n = await this.conn.writeWithRetry((stmts) => stmts.indexer.indexChunk());
        if (n === 0) break;
        total += n;
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.opts.onIndexed?.(total);
      return total;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** No more scheduled runs (the store is closing); runNow still works, for the last one. */
  stop(): void {
    this.isStopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
