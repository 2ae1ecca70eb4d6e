import type { Server, Socket } from "socket.io";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { ClientToServerEvents, ServerToClientEvents } from "../protocol.js";
import type { InterServerEvents, SocketData } from "../server-events.js";
import type { EditsAndModeration, MessageRepository } from "../storage/repository.js";
import type { MessageFanout } from "./message-fanout.js";
import type { NameGrace } from "./name-grace.js";
import type { PresenceStore } from "./presence.js";
import type { SharedLimits } from "./shared-limits.js";
import type { NodeBus } from "./room-exits.js";
import type { FileLibrary } from "../files/library.js";
import type { JoinAdmission } from "./admission.js";
import type { UnmovedRooms } from "./moved-rejoin.js";
import type { PushHooks } from "../push/service.js";

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface ChatDeps {
  config: Config;
  repo: MessageRepository;
  /** Edits, deletes and moderation (issue 12): the same store as repo, without the test wrappers around it. */
  store: EditsAndModeration;
  log: Logger;
  clock: Clock;
  presence: PresenceStore;
  grace: NameGrace;
  metrics: Metrics;
  drain: Drain;
  /** Stored messages to the room's members: one broadcast on one node, the room sequencer on several. */
  fanout: MessageFanout;
  /** Per-session and per-address limits shared by every node (Redis); the memory backend when absent. */
  sharedLimits?: SharedLimits;
  /** The other nodes (several nodes), or nobody (one): kicks, ended admissions and moved rooms reach every node. */
  nodes: NodeBus;
  /** Files in messages (issue 18): releasing the bytes of deleted or removed files. */
  files: FileLibrary;
  /** Joins refused with `overloaded` while the node is behind (issue 19). */
  admission: JoinAdmission;
  /** Web Push (issue 23); absent when PUSH_ENABLED=false. */
  push?: PushHooks;
  /** Public rooms known never to have moved away (moved-rejoin.ts): a rejoin of one asks the store nothing. */
  unmovedRooms: UnmovedRooms;
  /**
   * Several nodes: true while the node knows Redis frozen where `room`'s presence lives (node.ts: the one Redis, or on
   * a Redis Cluster the master of the room's slot; the room is the event's, when valid). Joins are then refused
   * presence_unavailable at once instead of each waiting out REDIS_COMMAND_TIMEOUT_MS up to three times, a send's
   * `@name` is stored unresolved at once (controller.ts mentionsIn) and a leave answers presence_unavailable at once
   * (membership.ts exitRoom) instead of after one. Presence reads of such a room fail at once too (app.ts wraps the
   * store: stalled-presence.ts), so an edit's `@name`, a kick, a ban and open_direct are refused without the wait.
   */
  isPresenceStalled?: (room: string | undefined) => boolean;
  /** On a Redis Cluster, the address of `room`'s master when it is marked stalled (logs name it); null otherwise. */
  stalledMasterOf?: (room: string) => string | null;
}

/** Counts handlers still running, so shutdown can answer every in-flight event before closing. */
export class Drain {
  private running = 0;
  private waiters: (() => void)[] = [];
  isShuttingDown = false;

  start(): void {
    this.running++;
  }

  finish(): void {
    this.running--;
    if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
