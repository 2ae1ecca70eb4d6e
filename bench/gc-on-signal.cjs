/* global process */
// Preloaded into a measured server (with --expose-gc) by workload 4 and bench/heap-per-connection.ts: SIGUSR2 runs
// a full garbage collection, then prints the process's own memory figures on stderr as one line, the same way for
// the app and the baseline. The line also tells the bench the collection is over (RunningServer.nextOutput).
process.on("SIGUSR2", () => {
  globalThis.gc();
  const { heapUsed, external, rss } = process.memoryUsage();
  process.stderr.write(`gc-on-signal: ${JSON.stringify({ heapUsed, external, rss })}\n`);
});
