// The stall checks (a heartbeat, a master's PING still unanswered when the next turn comes) judge Redis by elapsed
// time, which is only fair while this process's event loop runs on time. After it was blocked (a long synchronous
// task, a long GC pause, the process stopped and resumed), the heartbeat's timer can run before the loop has read
// its sockets, where Redis's answers may have waited all along: the check would mark a healthy Redis stalled, turn
// /healthz 503 and start a recovery for nothing. A turn that comes that late proves nothing about Redis, so it
// sends what it sends but marks nothing; the next turn, on time, judges.

/** How late a turn may come (beyond its interval, as a share of it) and still judge. */
const LATE_SHARE = 0.5;

export interface TurnClock {
  /** Called once per turn: this turn came more than half an interval after the one before it. */
  isLate(): boolean;
}

export function turnClock(intervalMs: number, now: () => number = () => performance.now()): TurnClock {
  let last = now();
  return {
    isLate() {
      const at = now();
      const isLate = at - last >= intervalMs * (1 + LATE_SHARE);
      last = at;
      return isLate;
    },
  };
}
