// The restart storm's one clock, shared by the main process and every client worker. performance.now() counts
// from each process's own start, so times taken in two workers could not be compared; the monotonic clock
// behind process.hrtime is one for the whole machine, so a message stamped when its sender
// composed it in one worker gives a true latency when another worker receives it, and a client's "back in its
// room" compares with the moment the main process sent the signal.

/** Milliseconds on the machine's monotonic clock (not wall time: only differences mean anything). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
