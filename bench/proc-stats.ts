// Server CPU and memory, read from /proc for the child's pid: the server process is measured from
// outside, so the app and the baseline need no instrumentation and the figures mean the same for both.
import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`); 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SEC = 100;

export interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
  /** Peak RSS since the process started (VmHWM). */
  peakRssBytes: number;
}

export function readProc(pid: number): ProcSample {
  return { cpuSeconds: readCpuSeconds(pid), ...readMemory(pid) };
}

/** utime + stime of the process (all its threads, so SQLite and libuv work count too). */
export function readCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // Fields 14 and 15 of stat(5) are utime and stime; fields[0] here is field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SEC;
}

/**
 * CPU seconds of a process and its living children (one level, as PostgreSQL's postmaster and its backends), plus what
 * children already reaped had used (cutime + cstime): a server that forks a process per connection is measured whole.
 */
export function readProcessTreeCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  const reaped = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SEC; // cutime, cstime (fields 16, 17)
  return readCpuSeconds(pid) + reaped + childPids(pid).reduce((sum, child) => sum + cpuOrZero(child), 0);
}

/** The pids whose parent is `pid`, from every thread's children list (Linux 3.5+ with CONFIG_PROC_CHILDREN). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** A child may exit between listing and reading it: it then counts in the parent's cutime at the next reading. */
function cpuOrZero(pid: number): number {
  try {
    return readCpuSeconds(pid);
  } catch {
    return 0;
  }
}

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function readMemory(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rssBytes: kibField(status, "VmRSS") * 1024, peakRssBytes: kibField(status, "VmHWM") * 1024 };
}

function kibField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match?.[1]) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]);
}

/**
 * CPU time of the whole machine (all cores, every process), from the first line of /proc/stat. Minus the
 * server's and the loadgen's, it shows other work (a test run, a build) that would skew a window.
 */
export function readMachineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  // cpu  user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS_PER_SEC;
}

/**
 * Connections the kernel dropped because a listening socket's accept queue was full (TcpExt ListenOverflows in
 * /proc/net/netstat), machine-wide: a client whose handshake was dropped waits a SYN retransmit (1 s, then 2, 4...)
 * before it even reaches the server. NaN where the counter cannot be read.
 */
export function readListenOverflows(): number {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const names = lines.find((l) => l.startsWith("TcpExt:"))?.split(/\s+/) ?? [];
    const values = lines.filter((l) => l.startsWith("TcpExt:"))[1]?.split(/\s+/) ?? [];
    const at = names.indexOf("ListenOverflows");
    return at > 0 ? Number(values[at]) : NaN;
  } catch {
    return NaN;
  }
}

/** The load generator's own CPU (this process), to show when it, not the server, is the bottleneck. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** The machine's load average over 1, 5 and 15 minutes ("1.14 2.09 6.16"): other work sharing these cores. */
export function readLoadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
