// Measures one window of a workload: wall time, server CPU and RSS (from /proc), loadgen CPU.
import { ownCpuSeconds, readCpuSeconds, readMachineBusySeconds, readProc } from "./proc-stats.js";

/** RSS is sampled this often during the window to catch its peak. */
const RSS_SAMPLE_MS = 200;

export interface WindowFigures {
  wallSeconds: number;
  serverCpuSeconds: number;
  /** Server CPU / wall: 1.0 is one core fully busy. */
  serverCpuShare: number;
  serverRssBytesEnd: number;
  serverRssBytesPeak: number;
  loadgenCpuSeconds: number;
  loadgenCpuShare: number;
  /** CPU used by every other process during the window, in cores: above ~0.1 the figures are suspect. */
  otherCpuShare: number;
}

export interface Meter {
  stop(): WindowFigures;
}

/**
 * One server process, or several (the nodes of a cluster: CPU summed, RSS summed). `loadgenPids`: the load
 * generator's child processes (the restart storm's workers), counted with this process as the load generator.
 */
export function startMeter(pids: number | readonly number[], loadgenPids: readonly number[] = []): Meter {
  const loadgenCpu = (): number => ownCpuSeconds() + loadgenPids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
  const all = typeof pids === "number" ? [pids] : pids;
  const readServer = (): { cpuSeconds: number; rssBytes: number } =>
    all.map((p) => readProc(p)).reduce((a, b) => ({ cpuSeconds: a.cpuSeconds + b.cpuSeconds, rssBytes: a.rssBytes + b.rssBytes }), { cpuSeconds: 0, rssBytes: 0 });
  const startedAt = performance.now();
  const serverCpu0 = readServer().cpuSeconds;
  const loadgenCpu0 = loadgenCpu();
  const machineBusy0 = readMachineBusySeconds();
  let peakRss = readServer().rssBytes;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, readServer().rssBytes);
  }, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(sampler);
      const end = readServer();
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const serverCpuSeconds = end.cpuSeconds - serverCpu0;
      const loadgenCpuSeconds = loadgenCpu() - loadgenCpu0;
      const otherCpuSeconds = readMachineBusySeconds() - machineBusy0 - serverCpuSeconds - loadgenCpuSeconds;
      return {
        wallSeconds,
        serverCpuSeconds,
        serverCpuShare: serverCpuSeconds / wallSeconds,
        serverRssBytesEnd: end.rssBytes,
        serverRssBytesPeak: Math.max(peakRss, end.rssBytes),
        loadgenCpuSeconds,
        loadgenCpuShare: loadgenCpuSeconds / wallSeconds,
        otherCpuShare: Math.max(0, otherCpuSeconds) / wallSeconds,
      };
    },
  };
}
