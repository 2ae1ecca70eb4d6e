/* global process */
// Preloaded into a measured server by bench/heap-per-connection.ts (with --expose-gc): SIGUSR2 runs a full
// garbage collection, so RSS can be read with no garbage in it, the same way for the app and the baseline.
process.on("SIGUSR2", () => {
  globalThis.gc();
});
