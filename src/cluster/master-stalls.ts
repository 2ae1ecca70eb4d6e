// On a Redis Cluster: which masters are frozen (SIGSTOP, swapping, swamped: connections open, nothing answered). The
// node's heartbeat reaches only the node registry's master, so a freeze of any other master closes no link and fails
// no heartbeat; each join into a room on it would wait out REDIS_COMMAND_TIMEOUT_MS (rate limit, the node's room list,
// the room's script) before answering presence_unavailable. One PING per master per heartbeat turn shows it instead,
// and a join into a room whose slot's master is marked stalled is refused at once (chat/reply.ts), while rooms on the
// masters that answer keep taking joins. The cost is one PING per master per turn (and, while one stays frozen, one
// per REDIS_COMMAND_TIMEOUT_MS to it), whatever the rooms and users.
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "../log.js";
import { keySlot, roomHashTag } from "./key-slot.js";
import { isCommandTimeout } from "./redis.js";

export interface MasterStalls {
  /**
   * One heartbeat turn: a PING to every master with none in flight; one still unanswered from the last turn marks its
   * master stalled, unless this turn came late (`isLateTurn`, late-turns.ts: its answer may be unread in the socket).
   */
  beat(isLateTurn?: boolean): void;
  /** The master that owns `room`'s slot (its presence keys and its channel: one hash tag) is marked stalled. */
  isRoomStalled(room: string): boolean;
  /** The master that owns `key`'s slot is marked stalled (a key outside any room: the node's room list, the directory, a rate limit). */
  isKeyStalled(key: string): boolean;
  /** "host:port" of the master that owns `room`'s slot when it is marked stalled, else null (for logs). */
  stalledMasterOf(room: string): string | null;
  /** No more PINGs (the node stops). */
  stop(): void;
}

export interface MasterStallsOptions {
  /** The heartbeat's interval: a PING unanswered when the next turn comes marks its master stalled, as node.ts does for the heartbeat. */
  beatEveryMs: number;
  log: Logger;
  /**
   * A master marked stalled answered again (the node recovers: what timed out meanwhile may run now, and what was
   * deferred for the mark runs). Also called when a mark ends without an answer (the master's connection failed, or it
   * left the slot map): nothing is deferred for a master that is not marked any more.
   */
  onAnswering: () => void;
}

interface MasterState {
  /** When the PING in flight was sent (performance.now()); null while none waits. */
  sentAt: number | null;
  isStalled: boolean;
}

/** "host:port", as ioredis names a node in its slot map (cluster.slots[slot][0] is the slot's master). */
const addressOf = (node: Redis): string => `${node.options.host}:${node.options.port}`;

export function watchMasterStalls(cluster: Cluster, opts: MasterStallsOptions): MasterStalls {
  const { log } = opts;
  /** One entry per current master: a master that failed over or left the slot map is dropped at the next turn. */
  const masters = new Map<string, MasterState>();
  let isStopped = false;

  const markStalled = (address: string, state: MasterState, sentAt: number): void => {
    if (state.isStalled) return;
    state.isStalled = true;
    log.warn("redis_master_stalled", { master: address, waitingMs: Math.round(performance.now() - sentAt) });
  };

  const ping = (master: Redis, address: string, state: MasterState): void => {
    const sentAt = performance.now();
    state.sentAt = sentAt;
    master.ping().then(
      () => {
        state.sentAt = null;
        if (!state.isStalled) return;
        state.isStalled = false;
        log.info("redis_master_answering", { master: address });
        opts.onAnswering();
      },
      (err: unknown) => {
        state.sentAt = null;
        // Any failure but a timeout (a connection that is down or still opening) is no freeze: commands to it fail at
        // once, and the links' own "close" events report it. The next turn asks again.
        if (!isCommandTimeout(err)) {
          if (state.isStalled) {
            state.isStalled = false;
            opts.onAnswering();
          }
          return;
        }
        // REDIS_COMMAND_TIMEOUT_MS ended the wait, not an answer: stalled. Ask again at once rather than at the next
        // turn, so a PING is waiting in the master when it wakes and its rooms take joins again with its first
        // answers (still one PING at a time; at most one per timeout while it stays frozen).
        markStalled(address, state, sentAt);
        if (!isStopped && masters.get(address) === state) ping(master, address, state);
      },
    );
  };

  const stalledOwnerOf = (key: string): string | null => {
    const owner = cluster.slots[keySlot(key)]?.[0];
    return owner !== undefined && masters.get(owner)?.isStalled === true ? owner : null;
  };
  const isKeyStalled = (key: string): boolean => stalledOwnerOf(key) !== null;

  return {
    beat(isLateTurn = false) {
      if (isStopped) return;
      const now = performance.now();
      const current = new Set<string>();
      for (const master of cluster.nodes("master")) {
        const address = addressOf(master);
        current.add(address);
        let state = masters.get(address);
        if (state === undefined) {
          state = { sentAt: null, isStalled: false };
          masters.set(address, state);
        }
        // One PING at a time per master: a frozen one must not collect a queue of them. Half an interval: timers may
        // fire a little early, and a master that answers takes a millisecond or two.
        if (state.sentAt === null) ping(master, address, state);
        else if (!isLateTurn && now - state.sentAt >= opts.beatEveryMs / 2) markStalled(address, state, state.sentAt);
      }
      for (const [address, state] of masters) {
        if (current.has(address)) continue;
        masters.delete(address);
        if (state.isStalled) opts.onAnswering();
      }
    },
    isRoomStalled: (room) => isKeyStalled(roomHashTag(room)),
    isKeyStalled,
    stalledMasterOf: (room) => stalledOwnerOf(roomHashTag(room)),
    stop() {
      isStopped = true;
    },
  };
}
