// The servers' CPU and memory during a restart storm, from /proc every 100 ms: the processes of the moment (the
// old one until it has exited, the new one from its spawn, the other nodes throughout). Gives the CPU each used
// (for the table), the peak resident memory of the processes serving the return, and the CPU per time step
// (for the chart). A process that has gone keeps its last read.
import { readProc } from "./proc-stats.js";

export interface CpuPoint {
  /** Sample time (storm-clock.ts). */
  atMs: number;
  /** CPU seconds of every app process since sampling began, summed. */
  cpuSeconds: number;
}

interface Tracked {
  firstCpu: number;
  lastCpu: number;
  peakRssBytes: number;
  /** Started during the storm: its kernel-kept peak (VmHWM) is all within it, so no peak between samples is missed. */
  isFromSpawn: boolean;
  isGone: boolean;
}

const DEFAULT_SAMPLE_MS = 100;

export class ServerSampler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly points: CpuPoint[] = [];
  private readonly timer: NodeJS.Timeout;

  /** `pids`: the processes running when sampling begins, counted from their first read. */
  constructor(
    pids: readonly number[],
    private readonly now: () => number,
    sampleMs = DEFAULT_SAMPLE_MS,
  ) {
    for (const pid of pids) this.track(pid, false);
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleMs);
  }

  /** A process started during the storm: counted from its first instruction. */
  add(pid: number): void {
    this.track(pid, true);
  }

  /** CPU seconds of one process since sampling began (or since its spawn), read now if it still runs. */
  cpuSeconds(pid: number): number {
    const t = this.tracked.get(pid);
    if (!t) return 0;
    this.read(pid, t);
    return t.lastCpu - t.firstCpu;
  }

  /** The highest resident memory seen of one process. */
  peakRssBytes(pid: number): number {
    return this.tracked.get(pid)?.peakRssBytes ?? 0;
  }

  /** Stops sampling (a last sample first); the CPU points so far. */
  stop(): CpuPoint[] {
    clearInterval(this.timer);
    this.sample();
    return this.points;
  }

  private track(pid: number, isFromSpawn: boolean): void {
    const t: Tracked = { firstCpu: 0, lastCpu: 0, peakRssBytes: 0, isFromSpawn, isGone: false };
    this.read(pid, t);
    if (!isFromSpawn) t.firstCpu = t.lastCpu;
    this.tracked.set(pid, t);
  }

  private sample(): void {
    let cpuSeconds = 0;
    for (const [pid, t] of this.tracked) {
      this.read(pid, t);
      cpuSeconds += t.lastCpu - t.firstCpu;
    }
    this.points.push({ atMs: this.now(), cpuSeconds });
  }

  private read(pid: number, t: Tracked): void {
    if (t.isGone) return;
    try {
      const p = readProc(pid);
      t.lastCpu = p.cpuSeconds;
      t.peakRssBytes = Math.max(t.peakRssBytes, t.isFromSpawn ? p.peakRssBytes : p.rssBytes);
    } catch {
      t.isGone = true; // exited and reaped: its last read stands
    }
  }
}

/** Cores used per step of `bucketMs` from `fromMs`, by the CPU points (each step: CPU difference ÷ time). */
export function cpuPerStep(points: readonly CpuPoint[], fromMs: number, untilMs: number, bucketMs: number): number[] {
  const at = (t: number): number => {
    // The CPU at time t, interpolated between the samples around it.
    let prev: CpuPoint | undefined;
    for (const p of points) {
      if (p.atMs >= t) {
        if (prev === undefined) return p.cpuSeconds;
        const span = p.atMs - prev.atMs;
        return span <= 0 ? p.cpuSeconds : prev.cpuSeconds + ((t - prev.atMs) / span) * (p.cpuSeconds - prev.cpuSeconds);
      }
      prev = p;
    }
    return prev?.cpuSeconds ?? 0;
  };
  const out: number[] = [];
  for (let start = fromMs; start < untilMs; start += bucketMs) out.push((at(start + bucketMs) - at(start)) / (bucketMs / 1000));
  return out;
}
