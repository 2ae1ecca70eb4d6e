// One node of several (multi-node mode): keeps its presence alive in Redis, ends the presence of nodes that
// died, and after a Redis outage registers its live sockets again and tells them to catch up (resync).
import type { Redis } from "ioredis";
import { announceDeparture } from "../chat/membership.js";
import type { ChatServer } from "../chat/types.js";
import type { Logger } from "../log.js";
import type { MessageRepository } from "../storage/repository.js";
import type { RedisPresence } from "./redis-presence.js";

/** How often the cached room directory is reloaded from Redis (the home page caches it for 1 s anyway). */
const ROOMS_REFRESH_MS = 1000;

export interface ClusterNode {
  /** Redis answered the last time this node asked (or connected since). */
  isRedisUp(): boolean;
  /** Times the link came back after an outage (the node re-registered and told its sockets to resync). */
  recoveries(): number;
  stop(): Promise<void>;
  /** Stops heartbeating and leaves everything in Redis as it is: what a SIGKILL leaves behind (tests). */
  halt(): void;
}

export interface ClusterNodeDeps {
  io: ChatServer;
  presence: RedisPresence;
  /** The clients whose connection state counts: the main one and the adapter's. */
  clients: Redis[];
  ttlMs: number;
  log: Logger;
  repo: MessageRepository;
}

export function startClusterNode(deps: ClusterNodeDeps): ClusterNode {
  const { io, presence, log } = deps;
  let isDown = false;
  let recovered = 0;
  let isStopped = false;
  /** Per room with local members: the newest id when Redis went away; messages after it may not have reached them. */
  const cursors = new Map<string, number>();

  const remoteNewest = watchRemoteMessages(io);

  /**
   * Where each room's catch-up starts: the newest message that reached this node from the others before the
   * link broke (exact, taken at once); for a room that never heard from another node, the database's newest
   * row (which may already hold a message sent after Redis died, before this node noticed).
   */
  const noteCursors = async (): Promise<void> => {
    const rooms = new Set<string>();
    for (const socket of io.of("/").sockets.values()) for (const room of socket.data.rooms.keys()) rooms.add(room);
    for (const room of rooms) {
      const remote = remoteNewest.get(room);
      if (remote !== undefined && !cursors.has(room)) cursors.set(room, remote);
    }
    for (const room of rooms) {
      if (cursors.has(room)) continue;
      try {
        const newest = await deps.repo.page(room, { limit: 1 });
        cursors.set(room, newest.messages[0]?.id ?? 0);
      } catch {
        // No cursor: the page falls back to its own last id.
      }
    }
  };

  const beat = async (): Promise<void> => {
    try {
      await presence.heartbeat();
      for (const { room, name } of await presence.reapDeadNodes()) {
        log.info("presence_expired", { room });
        announceDeparture(io, room, name, name);
      }
    } catch (err) {
      log.warn("presence_heartbeat_failed", { err: (err as Error).message });
    }
  };
  const refresh = (): void => {
    presence.refreshRooms().catch(() => undefined); // the cache keeps its last answer while Redis is away
  };

  /** After an outage: every live socket's presence again (Redis may have restarted empty), then resync. */
  const recover = async (): Promise<void> => {
    // Both links (presence and the adapter) must be back: the second one's "ready" calls this again.
    if (!isDown || isStopped || !deps.clients.every((c) => c.status === "ready")) return;
    isDown = false;
    recovered++;
    log.info("redis_recovered", {});
    await beat();
    const sockets = io.of("/").sockets;
    try {
      for (const { room, name } of await presence.sweepOwn((id, room) => sockets.get(id)?.data.rooms.has(room) === true)) announceDeparture(io, room, name, name);
    } catch (err) {
      log.warn("presence_sweep_failed", { err: (err as Error).message });
    }
    for (const socket of sockets.values()) {
      for (const [room, name] of socket.data.rooms) {
        try {
          const claim = await presence.join(room, name, socket.data.sessionId, socket.id);
          // Gone from Redis meanwhile (a restart, or reaped as dead): the room hears it again, without a notice.
          if (claim.ok && claim.isNew) io.to(room).emit("presence", { room, joined: [name] });
        } catch (err) {
          log.warn("presence_rebuild_failed", { room, err: (err as Error).message });
        }
        const after = cursors.get(room);
        socket.emit("resync", after === undefined ? { room } : { room, after });
      }
    }
    cursors.clear();
  };

  for (const client of deps.clients) {
    client.on("error", (err: Error) => log.warn("redis_error", { err: err.message }));
    client.on("close", () => {
      if (!isDown && !isStopped) {
        log.warn("redis_unavailable", {});
        void noteCursors();
      }
      isDown = true;
    });
    client.on("ready", () => void recover());
  }

  const heartbeatTimer = setInterval(() => void beat(), Math.max(100, Math.floor(deps.ttlMs / 3)));
  const roomsTimer = setInterval(refresh, ROOMS_REFRESH_MS);
  heartbeatTimer.unref();
  roomsTimer.unref();
  void beat();
  refresh();

  return {
    isRedisUp: () => !isDown && deps.clients.every((c) => c.status === "ready"),
    recoveries: () => recovered,
    halt() {
      isStopped = true;
      clearInterval(heartbeatTimer);
      clearInterval(roomsTimer);
    },
    async stop() {
      this.halt();
      await presence.unregister().catch(() => undefined);
    },
  };
}

interface ClusterPacket {
  uid?: string;
  type?: number;
  data?: { packet?: { data?: unknown[] } };
}

/** socket.io-adapter's MessageType.BROADCAST. */
const BROADCAST = 3;

/**
 * The newest chat message id per room that arrived from another node through the adapter. Wraps the adapter's
 * onMessage (the stream reader calls it for every entry); Socket.IO exposes no event for this.
 */
function watchRemoteMessages(io: ChatServer): Map<string, number> {
  const newest = new Map<string, number>();
  const adapter = io.of("/").adapter as unknown as { uid?: string; onMessage?: (m: ClusterPacket, offset?: string) => unknown };
  const original = adapter.onMessage;
  if (typeof original !== "function") return newest;
  adapter.onMessage = function (this: unknown, m: ClusterPacket, offset?: string) {
    const data = m.type === BROADCAST && m.uid !== adapter.uid ? m.data?.packet?.data : undefined;
    const payload = Array.isArray(data) && data[0] === "message" ? (data[1] as { id?: unknown; room?: unknown }) : undefined;
    if (payload && typeof payload.id === "number" && typeof payload.room === "string") {
      newest.set(payload.room, Math.max(newest.get(payload.room) ?? 0, payload.id));
    }
    return original.call(adapter, m, offset);
  };
  return newest;
}
