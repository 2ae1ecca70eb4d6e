// What the Redis stall tests await of a node's log: the next line of an event (not one logged before), the next line
// about one master, and the order in which calls answered (events, not times).
import type { ChildServer, LogRecord } from "./child-server.js";
import type { RedisServer } from "./redis.js";

/** The next `event` line `server` logs from now on (waitForLog alone would find one already logged); `where` narrows it. */
export function nextLog(server: ChildServer, event: string, timeoutMs = 10_000, where: (line: LogRecord) => boolean = () => true): Promise<LogRecord> {
  const isIt = (l: LogRecord): boolean => l.event === event && where(l);
  const skip = server.logs.filter(isIt).length;
  let seen = 0;
  return server.waitForLog((l) => isIt(l) && seen++ >= skip, timeoutMs);
}

/** The next `event` line about `master` (redis_master_stalled and redis_master_answering name it by address). */
export function nextMasterLog(node: ChildServer, event: string, master: RedisServer, timeoutMs = 10_000): Promise<LogRecord> {
  return nextLog(node, event, timeoutMs, (l) => l.master === `127.0.0.1:${master.port}`);
}

/** Answers in the order they arrive: what came back first, then what came back next. */
export function arrivalOrder(calls: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  return Promise.all(Object.entries(calls).map(([name, call]) => call.then(() => order.push(name)))).then(() => order);
}
