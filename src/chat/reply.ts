// The one edge where socket events become answers: rate limit, run, turn surprises into safe errors, ack or chat_error.
import type { Ack, ClientEventName, ErrorBody, Failure } from "../protocol.js";
import { StorageUnavailableError } from "../storage/repository.js";
import { PresenceUnavailableError } from "./presence.js";
import { fail, parseRoom } from "../validation.js";
import type { EventOrder } from "./event-order.js";
import type { ConnectionLimits, LimitKind } from "./rate-limit.js";
import type { LimitOwner, SharedLimits } from "./shared-limits.js";
import type { ChatDeps, ChatSocket } from "./types.js";

export interface CallContext {
  /** The client passed an ack callback (new protocol) rather than none (the Flask original's clients). */
  hasAck: boolean;
  /** Runs `fn` once the answer has gone out, e.g. a broadcast that must follow the ack. */
  afterReply(fn: () => void): void;
}

export type Handler = (socket: ChatSocket, raw: unknown, ctx: CallContext) => Promise<Ack<object>>;

/** A client event the chat answers: which limit it counts against, and what it does. */
export interface EventRoute {
  limit: LimitKind;
  /** Joins and leaves change the connection's rooms: they act one at a time, in order (see EventOrder). */
  isMembership?: boolean;
  /** Cannot succeed without the shared presence store (the name check): refused at once while it is known frozen. */
  needsPresence?: boolean;
  handler: Handler;
}

/** What the dispatcher keeps per connection. */
export interface ConnectionState {
  /** This connection's own buckets: synchronous, checked as each event arrives. */
  limits: ConnectionLimits;
  /** The budget every connection of this session (or cookie-less address) shares, so a reconnect buys no new burst. */
  shared: SharedLimits;
  owner: LimitOwner;
  order: EventOrder;
}

/**
 * Answers one client event: one path for all of them, so every event is limited, timed, logged and
 * answered the same way. Limits are applied as the event arrives, so a flood is refused at once instead
 * of queueing behind a join that is still reading history.
 */
export function dispatchEvent(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, route: EventRoute, conn: ConnectionState, args: unknown[]): void {
  // Socket.IO passes the ack callback last, after however many arguments the client sent (none, the payload,
  // or extra ones): look for it there, or a call with an extra argument would never be answered.
  const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
  const raw = args[0];
  const after: (() => void)[] = [];
  const ctx: CallContext = { hasAck: typeof ack === "function", afterReply: (fn) => after.push(fn) };
  const started = deps.clock.monotonicMs();
  deps.drain.start();
  const refusal = admit(socket, deps, event, route.limit, conn.limits);
  // The answer and what follows it (the join's announcement) are one step: the next membership change waits for both.
  const run: Run = () =>
    runGuarded(socket, deps, event, () => {
      refuseWhilePresenceStalled(deps, route, raw);
      return runShared(socket, deps, event, route, conn, () => route.handler(socket, raw, ctx));
    });
  const answer = (): Promise<void> =>
    respond(socket, deps, event, started, refusal ?? run, raw).then((res) => {
      deliver(socket, event, ack, res);
      for (const fn of after) fn();
    });
  const answered = refusal !== null ? answer() : route.isMembership ? conn.order.change(answer) : conn.order.read(answer);
  void answered.finally(() => deps.drain.finish());
}

/** Refuses an event before it runs: the server is stopping, or the client is over a rate limit. Null lets it go ahead. */
function admit(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, kind: LimitKind, limits: ConnectionLimits): Failure | null {
  if (deps.drain.isShuttingDown) return fail("shutting_down", "The server is restarting; try again in a moment.");
  const retryAfterMs = limits.take(kind);
  return retryAfterMs > 0 ? refuse(socket, deps, event, limits, retryAfterMs) : null;
}

type Run = () => Promise<Ack<object>>;

/** Spends the session's (or address's) budget, then runs; without a shared limit for the event, runs at once. */
async function runShared(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, route: EventRoute, conn: ConnectionState, handler: Run): Promise<Ack<object>> {
  if (!conn.shared.isLimited(route.limit)) return handler();
  const retryAfterMs = await conn.shared.take(conn.owner, route.limit);
  return retryAfterMs > 0 ? refuse(socket, deps, event, conn.limits, retryAfterMs) : handler();
}

/** The room an event names, for its log line: only a valid one, so no client-sized string reaches the log. */
function roomOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !Object.prototype.hasOwnProperty.call(raw, "room")) return undefined;
  const room = parseRoom((raw as { room: unknown }).room);
  return room.ok ? room.value : undefined;
}

async function respond(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, started: number, outcome: Failure | Run, raw: unknown): Promise<Ack<object>> {
  const res = typeof outcome === "function" ? await outcome() : outcome;
  const code = res.ok ? "ok" : res.error.code;
  deps.metrics.ackLatency.observe({ event, outcome: res.ok ? "ok" : "error" }, (deps.clock.monotonicMs() - started) / 1000);
  if (!res.ok) deps.metrics.errors.inc({ event, code: res.error.code });
  // "event" is the log line's own name (pino's messageKey): the socket event goes in socketEvent, or JSON readers drop one.
  const room = roomOf(raw);
  const fields = { socket: socket.id, socketEvent: event, ...(room !== undefined ? { room } : {}), outcome: code, ms: Math.round((deps.clock.monotonicMs() - started) * 100) / 100 };
  if (event === "typing") deps.log.debug("event_handled", fields);
  else deps.log.info("event_handled", fields);
  return res;
}

/**
 * Runs before the shared rate limit, whose Redis call would be the first of a join's three timeouts: once the node
 * knows Redis is frozen (on a Redis Cluster, the master of the event's room), asking it only makes the client wait
 * REDIS_COMMAND_TIMEOUT_MS up to three times for the same answer.
 */
function refuseWhilePresenceStalled(deps: ChatDeps, route: EventRoute, raw: unknown): void {
  if (route.needsPresence === true && deps.isPresenceStalled?.(roomOf(raw)) === true) throw new PresenceUnavailableError("Redis is not answering (the node's heartbeat, or the PING to the room's master, is unanswered)");
}

async function runGuarded(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, handler: Run): Promise<Ack<object>> {
  try {
    return await handler();
  } catch (err) {
    if (err instanceof StorageUnavailableError) {
      deps.metrics.dbErrors.inc();
      return fail("storage_unavailable", "Messages cannot be saved right now; try again shortly.");
    }
    if (err instanceof PresenceUnavailableError) {
      deps.log.warn("presence_unavailable", { socket: socket.id, socketEvent: event, err: err.message });
      return fail("presence_unavailable", "Names cannot be checked right now; try again shortly.");
    }
    deps.log.error("handler_failed", { socket: socket.id, socketEvent: event, err }); // detail to the log, never to the client
    return fail("internal", "Something went wrong; try again.");
  }
}

function refuse(socket: ChatSocket, deps: ChatDeps, event: ClientEventName, limits: ConnectionLimits, retryAfterMs: number): Failure {
  deps.metrics.rateLimited.inc({ event });
  if (limits.isAbusive()) {
    deps.log.warn("rate_limit_disconnect", { socket: socket.id, socketEvent: event });
    socket.disconnect(true);
  }
  return { ok: false, error: { code: "rate_limited", message: "Too many requests; slow down.", retryAfterMs } };
}

function deliver(socket: ChatSocket, event: ClientEventName, ack: unknown, res: Ack<object>): void {
  if (typeof ack === "function") {
    (ack as (r: Ack<object>) => void)(res);
  } else if (!res.ok) {
    // Legacy clients send no callback: they hear about failures as an event.
    const body: ErrorBody = res.error;
    socket.emit("chat_error", { ...body, event });
  }
}
