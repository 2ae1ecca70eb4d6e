// One node of several (multi-node mode): keeps its presence alive in Redis, ends the presence of nodes that
// died, and after a Redis outage registers its live sockets again and tells them to catch up (resync).
import type { Cluster } from "ioredis";
import { isCommandTimeout, type RedisClient } from "./redis.js";
import { turnClock } from "./late-turns.js";
import { watchMasterStalls } from "./master-stalls.js";
import { announceDeparture } from "../chat/membership.js";
import type { ChatServer, ChatSocket } from "../chat/types.js";
import type { Logger } from "../log.js";
import type { RedisPresence } from "./redis-presence.js";

/** How often the cached room directory is reloaded from Redis (the home page caches it for 1 s anyway). */
const ROOMS_REFRESH_MS = 1000;
/** How soon a presence rebuild that failed for some rooms is tried again. */
const REBUILD_RETRY_MS = 500;

export interface ClusterNode {
  /** Redis answered the last time this node asked (or connected since). */
  isRedisUp(): boolean;
  /** A heartbeat is unanswered past the next one's turn, or timed out: Redis keeps its connections but answers nothing. */
  isRedisStalled(): boolean;
  /**
   * Joins into `room` cannot reach Redis now: on one Redis, the heartbeat shows it frozen (`room` aside); on a Redis
   * Cluster, the master that owns the room's slot leaves its PING unanswered (master-stalls.ts; false without a room).
   */
  isRoomStalled(room: string | undefined): boolean;
  /** On a Redis Cluster, the master that owns `key`'s slot leaves its PING unanswered (always false on one Redis). */
  isKeyStalled(key: string): boolean;
  /** On a Redis Cluster, "host:port" of `room`'s master when it is marked stalled; null otherwise (and on one Redis). */
  stalledMasterOf(room: string): string | null;
  /** Times the link came back after an outage (the node re-registered and told its sockets to resync). */
  recoveries(): number;
  stop(): Promise<void>;
  /** Stops heartbeating and leaves everything in Redis as it is: what a SIGKILL leaves behind (tests). */
  halt(): void;
  /**
   * Every socket of this node catches up each of its rooms from the room's watermark (`resync`). Called when the
   * pub/sub link came back with its channels subscribed again (issue 21): what it dropped meanwhile, the last
   * message of a room included, is read from the database.
   */
  resyncAll(): void;
  /**
   * A link outside `clients` is back: on a Redis Cluster, a subscriber connection to a master that took over from a
   * failed one. When every link is up now, the node recovers as after any outage (presence again, then resync).
   */
  linkChanged(): void;
}

export interface ClusterNodeDeps {
  io: ChatServer;
  presence: RedisPresence;
  /** The clients whose connection state counts: the main one, the adapter's and the subscriber(s) at start. */
  clients: RedisClient[];
  /**
   * Whether every link is up now. Defaults to every client of `clients` being ready; per-room routing on a Redis
   * Cluster passes its own answer, since its subscriber connections follow the masters (a failover replaces one,
   * and the connection to the master that failed must stop counting).
   */
  isLinkUp?: () => boolean;
  ttlMs: number;
  log: Logger;
  /** The newest id of the room delivered to this node's members (the room sequencer's watermark). */
  watermark(room: string): number | undefined;
  /** More to renew on every heartbeat (issue 23: this node's push page counts). */
  onHeartbeat?: () => Promise<void>;
  /** On a Redis Cluster, the presence client: each of its masters gets a PING per heartbeat (master-stalls.ts). */
  masters?: Cluster;
  /** Whether a dead node's name leaving `room` is told with "has left" (presence-notices.ts isReleaseTold); default yes. */
  isDepartureTold?: (room: string) => Promise<boolean>;
}

export function startClusterNode(deps: ClusterNodeDeps): ClusterNode {
  const { io, presence, log } = deps;
  let isDown = false;
  let recovered = 0;
  let isStopped = false;
  const isLinkUp = deps.isLinkUp ?? ((): boolean => deps.clients.every((c) => c.status === "ready"));
  // A store that cannot answer must not keep the room from hearing the departure at all: then it is told.
  const isDepartureTold = (room: string): Promise<boolean> => (deps.isDepartureTold?.(room) ?? Promise.resolve(true)).catch(() => true);
  const beatEveryMs = Math.max(100, Math.floor(deps.ttlMs / 3));
  /** When the heartbeat Redis has not answered yet was sent (performance.now()); null while none waits. */
  let beatSentAt: number | null = null;
  /**
   * A heartbeat went unanswered past the next one's turn: Redis keeps the connections open ("ready") but answers
   * nothing (a frozen or swamped server), which no "close" event reports. Down for /healthz until it answers.
   */
  let isStalled = false;
  /** Redis stalled (or a chat command timed out) since the last recovery: the next answered heartbeat recovers. */
  let mustRecover = false;
  const markStalled = (sentAt: number): void => {
    if (isStalled || isStopped) return;
    isStalled = true;
    mustRecover = true;
    log.warn("redis_stalled", { waitingMs: Math.round(performance.now() - sentAt) });
  };
  const noteStall = (): void => {
    // Half an interval: timers may fire a little early; a heartbeat Redis answers takes a millisecond or two.
    if (beatSentAt !== null && performance.now() - beatSentAt >= beatEveryMs / 2) markStalled(beatSentAt);
  };

  /** `isLateTurn`: the turn came late after a blocked event loop (late-turns.ts), so an unanswered heartbeat proves nothing yet. */
  const beat = async (isLateTurn = false): Promise<void> => {
    // One heartbeat at a time: a Redis that answers nothing must not collect a queue of them.
    if (beatSentAt !== null) return isLateTurn ? undefined : noteStall();
    // Every link is up, but the event that should have ended the outage came while one was not (links follow the
    // masters on a Redis Cluster): recover now rather than count Redis as down for good.
    if (isDown && isLinkUp()) {
      void recover();
      return;
    }
    const sentAt = performance.now();
    beatSentAt = sentAt;
    let isUnanswered = false;
    let isAnswered = false;
    try {
      await presence.heartbeat();
      isAnswered = true;
      await deps.onHeartbeat?.();
      const reap = await presence.reapDeadNodes();
      for (const { room, name } of reap.departed) {
        log.info("presence_expired", { room });
        announceDeparture(io, room, name, name, await isDepartureTold(room));
      }
      if (reap.deferredRooms > 0) log.info("presence_reap_deferred", { rooms: reap.deferredRooms });
    } catch (err) {
      // REDIS_COMMAND_TIMEOUT_MS ended the wait, not an answer: still stalled (the next beat asks again).
      isUnanswered = isCommandTimeout(err);
      log.warn("presence_heartbeat_failed", { err: (err as Error).message });
    } finally {
      if (isUnanswered) markStalled(sentAt);
      beatSentAt = null;
      if (isStalled && !isUnanswered) {
        log.info("redis_answering", {});
        isStalled = false;
      }
      // Commands that timed out were sent, and Redis runs them now (a refused join's claim), while what it should
      // have passed on meanwhile was dropped: recover as after an outage (sweep, presence again, then resync).
      if (isAnswered && (presence.takeUnanswered() || mustRecover)) {
        mustRecover = false;
        void recoverFromStall();
      }
    }
  };
  // A master that answers again after a freeze may now run what timed out meanwhile (a leave, a claim) and dropped
  // what it should have published: the next answered heartbeat recovers, as after the registry's own stall. That
  // recovery also does the rooms an earlier one deferred while the master was marked (below).
  const masterStalls = deps.masters ? watchMasterStalls(deps.masters, { beatEveryMs, log, onAnswering: () => (mustRecover = true) }) : null;
  const refresh = (): void => {
    presence.refreshRooms().catch(() => undefined); // the cache keeps its last answer while Redis is away
  };

  const recoverFromStall = (): Promise<void> => {
    isDown = true; // recover() is for a link that was down; links stay "ready" through a stall
    return recover();
  };

  /** After an outage: every live socket's presence again (Redis may have restarted empty), then resync. */
  const recover = async (): Promise<void> => {
    // Both links (presence and the adapter) must be back: the second one's "ready" calls this again.
    if (!isDown || isStopped || !isLinkUp()) return;
    isDown = false;
    recovered++;
    log.info("redis_recovered", {});
    await beat();
    const sockets = io.of("/").sockets;
    try {
      for (const { room, name } of await presence.sweepOwn((id, room) => sockets.get(id)?.data.rooms.has(room) === true)) {
        announceDeparture(io, room, name, name, await isDepartureTold(room));
      }
    } catch (err) {
      log.warn("presence_sweep_failed", { err: (err as Error).message });
    }
    let failed = 0;
    let deferred = 0;
    for (const socket of sockets.values()) {
      for (const [room, name] of socket.data.rooms) {
        // A room whose master is marked stalled would cost a command timeout per socket now, and fail again at every
        // retry below while the freeze lasts. It waits for the master's answer instead: the watch's onAnswering has the
        // next answered heartbeat recover again, and this room (its presence, then resync) is done then.
        if (masterStalls?.isRoomStalled(room) === true) {
          deferred++;
          continue;
        }
        try {
          const claim = await presence.join(room, name, socket.data.sessionId, socket.id);
          // Gone from Redis meanwhile (a restart, or reaped as dead): the room hears it again, without a notice.
          if (claim.ok && claim.isNew) io.to(room).emit("presence", { room, joined: [name] });
        } catch (err) {
          failed++;
          log.warn("presence_rebuild_failed", { room, err: (err as Error).message });
        }
        resync(socket, room);
      }
    }
    if (deferred > 0) log.info("presence_rebuild_deferred", { rooms: deferred });
    // A Redis Cluster master that restarted answers CLUSTERDOWN for its first seconds (it waits to meet its peers)
    // although its connection is ready: the names of its rooms would stay unclaimed. Rebuild again shortly.
    if (failed > 0 && !isStopped) {
      isDown = true;
      setTimeout(() => void recover(), REBUILD_RETRY_MS).unref();
    }
  };

  // The room sequencer's watermark: every id up to it reached this node's members (gaps are read from the
  // database before anything newer goes out), so what an outage kept from them lies above it.
  const resync = (socket: ChatSocket, room: string): void => {
    const after = deps.watermark(room);
    socket.emit("resync", after === undefined ? { room } : { room, after });
  };

  for (const client of deps.clients) {
    client.on("error", (err: Error) => log.warn("redis_error", { err: err.message }));
    client.on("close", () => {
      // A connection this node ended itself (a subscriber to a master that failed over) says nothing about the link.
      if (client.status === "end") return;
      if (!isDown && !isStopped) log.warn("redis_unavailable", {});
      isDown = true;
    });
    client.on("ready", () => void recover());
  }

  // The masters' PINGs go out whatever the heartbeat waits for: a frozen registry master must not hide the others.
  const turns = turnClock(beatEveryMs);
  const beatAll = (): void => {
    const isLate = turns.isLate();
    masterStalls?.beat(isLate);
    void beat(isLate);
  };
  const heartbeatTimer = setInterval(beatAll, beatEveryMs);
  const roomsTimer = setInterval(refresh, ROOMS_REFRESH_MS);
  heartbeatTimer.unref();
  roomsTimer.unref();
  beatAll();
  refresh();

  return {
    isRedisUp: () => !isDown && !isStalled && isLinkUp(),
    isRedisStalled: () => isStalled,
    isRoomStalled: (room) => (masterStalls === null ? isStalled : room !== undefined && masterStalls.isRoomStalled(room)),
    isKeyStalled: (key) => masterStalls?.isKeyStalled(key) === true,
    stalledMasterOf: (room) => masterStalls?.stalledMasterOf(room) ?? null,
    recoveries: () => recovered,
    linkChanged() {
      void recover();
    },
    resyncAll() {
      if (isStopped) return;
      for (const socket of io.of("/").sockets.values()) for (const room of socket.data.rooms.keys()) resync(socket, room);
    },
    halt() {
      isStopped = true;
      masterStalls?.stop();
      clearInterval(heartbeatTimer);
      clearInterval(roomsTimer);
    },
    /**
     * A graceful stop leaves this node's people in Redis (issue 19): they come back through other nodes (or this
     * one, restarted) within PRESENCE_TTL_MS and take their names back silently; the ones that do not are reaped
     * as after a crash, once this node's heartbeat has lapsed.
     */
    async stop() {
      this.halt();
    },
  };
}
