// A child process of the bench at a lower CPU priority. The restart storm's load generator stands for 10,000
// browsers on other machines, yet it shares this machine's 2 cores with the server it measures: at the same priority
// it took up to a fifth of the server's core during a return (the server at 0.83 of a core while it was the
// bottleneck). Run through `nice`, every thread of the child (its event loop, libuv's pool, V8's helpers) yields to the
// server when both want a core, and takes what the server leaves. Its CPU is still measured and printed.
import { fork, type ChildProcess, type ForkOptions } from "node:child_process";

/** The default for --loadgen-nice: well below the server, not the lowest, so the bench itself still gets ahead of idle work. */
export const DEFAULT_LOADGEN_NICE = 10;

/** fork(), through `nice -n <nice>` when nice > 0 (the IPC channel is inherited through nice's exec, as through node's). */
export function forkNiced(modulePath: string, execArgv: readonly string[], nice: number, options: Omit<ForkOptions, "execPath" | "execArgv">): ChildProcess {
  if (nice === 0) return fork(modulePath, [], { ...options, execArgv: [...execArgv] });
  return fork(modulePath, [], { ...options, execPath: "nice", execArgv: ["-n", String(nice), process.execPath, ...execArgv] });
}
