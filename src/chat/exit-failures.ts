// Logging a room exit that failed (a tab taken out of a room, a closed tab's rooms). While the node has marked the
// room's Redis stalled (on one Redis its heartbeat, on a Redis Cluster the room's master: cluster/master-stalls.ts)
// the exit's presence step is refused presence_unavailable by design (membership.ts exitRoom), and the recovery's
// sweep ends the entry once Redis answers: that is the freeze's known outcome, logged at warn with the master, so an
// operator's error alerts are left for the failures nobody expected (which stay at error).
import { PresenceUnavailableError } from "./presence.js";
import type { ChatDeps } from "./types.js";

/** One failed exit: the room, and why. */
export interface ExitFailure {
  room: string;
  err: unknown;
}

/** The exit failed because the node knows the room's Redis frozen: presence refused, not something gone wrong. */
function isStalledRefusal(deps: Pick<ChatDeps, "isPresenceStalled">, failure: ExitFailure): boolean {
  return failure.err instanceof PresenceUnavailableError && deps.isPresenceStalled?.(failure.room) === true;
}

/** Logs `event` for `failure`: warn (with the room's master when known) for a stalled room's refusal, error otherwise. */
export function logExitFailure(deps: Pick<ChatDeps, "log" | "isPresenceStalled" | "stalledMasterOf">, event: string, failure: ExitFailure, fields: Record<string, unknown> = {}): void {
  const { room, err } = failure;
  if (!isStalledRefusal(deps, failure)) return deps.log.error(event, { ...fields, room, err });
  const master = deps.stalledMasterOf?.(room) ?? null;
  deps.log.warn(event, { ...fields, room, ...(master !== null ? { master } : {}), err: (err as Error).message });
}
