// Where the log's lines go: stdout, until a write fails. pino's own stdout (sonic-boom 4.2.1) retried a failed write
// forever in the flush it runs at exit (only EAGAIN was ever given up on): with `node dist/server.js | shipper` and
// the shipper gone, a line logged just before exit failed with EPIPE again and again, and the drain's
// process.exit(0) never ended the process, its deadline timer included. Here any failure but "try again" (EAGAIN,
// a full pipe) gives the log up for good, and the flush at exit tries each byte once.
import { write, writeSync } from "node:fs";

/** What pino needs of a destination: it hands over one finished line (ending in "\n") per call. */
export interface LineSink {
  write(line: string): boolean;
  /** Writes what is still waiting, synchronously (at exit); gives up rather than wait on a reader that is gone. */
  flushSync(): void;
}

export interface StdoutLinesOptions {
  /** Write each line at once, on the caller's turn (a terminal: a closed one shows at the first line, not at exit). */
  isSync: boolean;
}

/** A full pipe's reader is slow, not gone: the write is tried again after this. */
const RETRY_MS = 10;
/** At exit, a full pipe is waited on this long at most: a reader that stopped reading must not hold the exit. */
const EXIT_FLUSH_MS = 500;

const isTryAgain = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
};

/**
 * Lines to `fd`. Off a terminal (a pipe, journald, a file) they are written from libuv's thread pool, one write in
 * flight at a time with the lines logged meanwhile joined behind it, so logging never waits on the reader.
 */
export function stdoutLines(fd: number, opts: StdoutLinesOptions): LineSink {
  let waiting: string[] = [];
  let inFlight: Buffer | null = null;
  /** The thread pool has inFlight under way (false while a full pipe's retry waits for its timer). */
  let isWriting = false;
  let hasFailed = false;

  const giveUp = (): void => {
    hasFailed = true;
    waiting = [];
    inFlight = null;
  };

  const sendInFlight = (): void => {
    const buf = inFlight;
    if (buf === null || hasFailed) return;
    isWriting = true;
    write(fd, buf, 0, buf.length, null, (err, written) => {
      isWriting = false;
      if (hasFailed) return;
      if (err) {
        if (isTryAgain(err)) setTimeout(sendInFlight, RETRY_MS).unref(); // unref: the exit's flush writes it instead
        else giveUp();
        return;
      }
      inFlight = written < buf.length ? buf.subarray(written) : null;
      if (inFlight === null) startNext();
      else sendInFlight();
    });
  };

  const startNext = (): void => {
    if (hasFailed || inFlight !== null || waiting.length === 0) return;
    inFlight = Buffer.from(waiting.join(""));
    waiting = [];
    sendInFlight();
  };

  /** Writes `buf` now; on "try again", what is left goes the asynchronous way. */
  const writeNow = (buf: Buffer): void => {
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(fd, buf, done);
    } catch (err) {
      if (!isTryAgain(err)) return giveUp();
      inFlight = buf.subarray(done);
      setTimeout(sendInFlight, RETRY_MS).unref();
    }
  };

  return {
    write(line) {
      if (hasFailed) return true;
      if (opts.isSync && inFlight === null && waiting.length === 0) writeNow(Buffer.from(line));
      else {
        waiting.push(line);
        startNext();
      }
      return true;
    },
    flushSync() {
      if (hasFailed) return;
      // A write the thread pool has under way is left to it: writing it again here could print its lines twice
      // (sonic-boom leaves it too). The rest is written once, or given up on.
      const buf = Buffer.concat([isWriting || inFlight === null ? Buffer.alloc(0) : inFlight, Buffer.from(waiting.join(""))]);
      giveUp(); // nothing more after the exit's flush
      const deadline = performance.now() + EXIT_FLUSH_MS;
      let done = 0;
      while (done < buf.length) {
        try {
          done += writeSync(fd, buf, done);
        } catch (err) {
          if (!isTryAgain(err) || performance.now() > deadline) return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS); // no event loop left at exit: sleep
        }
      }
    },
  };
}

/** The lines still waiting are written when the process exits (process.exit or the loop running dry). */
export function flushAtExit(sink: LineSink): void {
  process.once("exit", () => sink.flushSync());
}
