// The listen backlog the kernel really gives (issue 19). Linux silently caps listen()'s backlog at
// net.core.somaxconn (4096 on most hosts). A 10,000-client return can overflow 4096 while the loop is busy: every
// connection the kernel drops waits a SYN retransmit (1 s, then 2, 4...), and those waits, not the server, made the
// last seconds of a return (20.1 s with 23,312 drops against 15.2 s with none, docs/performance.md). A server
// cannot raise the cap itself, so it says so at start, as Redis does for its own backlog.
import { readFileSync } from "node:fs";

export const SOMAXCONN_PATH = "/proc/sys/net/core/somaxconn";

/** What the server asked for, and the kernel's cap when it is lower (null: not lower, or not known here). */
export interface BacklogCap {
  requested: number;
  somaxconn: number;
}

/** The kernel's cap as the file states it; null where there is no such file (not Linux) or it cannot be read. */
export function readSomaxconn(path = SOMAXCONN_PATH): number | null {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

/** The cap that will shorten the requested backlog, or null when the backlog is what was asked for. */
export function backlogCap(requested: number, somaxconn: number | null): BacklogCap | null {
  return somaxconn !== null && somaxconn < requested ? { requested, somaxconn } : null;
}
