// The server's memory during the soak: RSS from /proc, and the count of V8 major (mark-compact) GCs from
// its own /metrics (prom-client's nodejs_gc_duration_seconds).
//
// Why the GC count matters: between major GCs old space fills with garbage and RSS climbs (at 300 clients,
// ~9 % in 20 s); the next major GC settles the heap at the size this traffic needs, and RSS stays there
// or drops. Measured from an arbitrary moment, RSS growth says more about when the last GC ran than about
// leaks. So warm-up ends at the first major GC after a minimum warm-up; a leak still shows, as RSS that
// keeps growing after that settled point.
import type { SoakServer } from "./server.js";

export interface MemorySample {
  at: number;
  rssBytes: number;
  /** Major GCs so far, as last scraped (null until the first scrape). */
  majorGcs: number | null;
}

export interface MemoryVerdict {
  warmupEndsAt: number;
  /** How warm-up ended: at a major GC, or at the latest allowed point because none came. */
  rule: "at a major GC" | "at the latest point, no major GC before it";
  baselineBytes: number;
  finalBytes: number;
  growth: number;
}

const MAJOR_GCS = /^nodejs_gc_duration_seconds_count\{kind="major"\} (\d+)/m;

export class MemoryWatch {
  readonly samples: MemorySample[] = [];
  private majorGcs: number | null = null;
  private isScraping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: SoakServer,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.samples.push({ at: performance.now(), rssBytes: this.server.rssBytes(), majorGcs: this.majorGcs });
      void this.scrape();
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async scrape(): Promise<void> {
    if (this.isScraping) return;
    this.isScraping = true;
    try {
      const text = await (await fetch(`${this.server.url}/metrics`)).text();
      const count = MAJOR_GCS.exec(text)?.[1];
      if (count !== undefined) this.majorGcs = Number(count);
    } catch {
      // a missed scrape only delays noticing a GC
    } finally {
      this.isScraping = false;
    }
  }

  /**
   * Baseline: median RSS over `windowMs` from the end of warm-up, which is the first sample at or after
   * `earliest` that saw a new major GC, or `latest` if none came by then. Final: median over the last `windowMs`.
   */
  verdict(earliest: number, latest: number, endAt: number, windowMs: number): MemoryVerdict {
    const before = [...this.samples].reverse().find((s) => s.at <= earliest && s.majorGcs !== null)?.majorGcs ?? 0;
    const gcSample = this.samples.find((s) => s.at >= earliest && s.at <= latest && (s.majorGcs ?? 0) > before);
    const warmupEndsAt = gcSample?.at ?? latest;
    const rssIn = (from: number, to: number): number => median(this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssBytes));
    const baselineBytes = rssIn(warmupEndsAt, warmupEndsAt + windowMs);
    const finalBytes = rssIn(endAt - windowMs, endAt);
    return { warmupEndsAt, rule: gcSample ? "at a major GC" : "at the latest point, no major GC before it", baselineBytes, finalBytes, growth: finalBytes / baselineBytes - 1 };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
