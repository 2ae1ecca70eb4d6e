// Presence and name ownership shared by every node through Redis (multi-node mode): one server or a Redis Cluster.
// Same contract as the memory store (chat/presence.ts); each change of a room is one Lua script on that room's keys
// (redis-presence-keys.ts: one hash tag per room, so one slot), so two nodes can never both win a name.
import type { RoomSummary } from "../http-api.js";
import { nameKey } from "../shared/names.js";
import { PresenceUnavailableError, type PresenceJoin, type PresenceLeave, type PresenceStore } from "../chat/presence.js";
import { isCommandTimeout, type RedisClient } from "./redis.js";
import { DIR_SET, isListed, JOIN, LEAVE, presenceKeys as k, REAP, RELEASE } from "./redis-presence-keys.js";

/** An emptied room's directory version outlives it this long: later than any update still in flight for it. */
const DIRECTORY_TOMBSTONE_MS = 60_000;

/** What the scripts that change a room's count return with it: [count, version] (see DIR_SET). */
type CountChange = [number, string];

const byName = new Intl.Collator(undefined, { sensitivity: "base" }).compare;

/**
 * A failed Redis call of a chat event becomes PresenceUnavailableError: the client hears presence_unavailable, not
 * internal. `onTimeout` hears of a call REDIS_COMMAND_TIMEOUT_MS gave up on: it was sent, so Redis may still run it.
 */
async function presenceCall<T>(call: Promise<T>, onTimeout: () => void): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (isCommandTimeout(err)) onTimeout();
    throw new PresenceUnavailableError(`Redis: ${(err as Error).message}`, { cause: err });
  }
}

/** How many of the busiest rooms each node keeps in its cache for the home page (it shows 50). */
const CACHED_ROOMS = 200;

export interface Departure {
  room: string;
  name: string;
}

/** What a reap of dead nodes did: the names whose presence ended, and the rooms left for later (their master is marked stalled). */
export interface Reap {
  departed: Departure[];
  /** Rooms not reaped now (a whole node's room list counts as one): a later reap does them once their master answers. */
  deferredRooms: number;
}

export interface RedisPresence extends PresenceStore {
  /** Marks this node alive for ttlMs and registers it. */
  heartbeat(): Promise<void>;
  /** Ends the presence of nodes that stopped heartbeating (each departure returned to one node only), but rooms on stalled masters. */
  reapDeadNodes(): Promise<Reap>;
  /** Reloads the cached busiest rooms and the total (rooms(), roomCount(), roomSizes() answer from it). */
  refreshRooms(): Promise<void>;
  /**
   * After an outage: ends this node's entries for sockets that left while Redis could not hear it (their
   * leave failed), so their names do not stay taken. Held names are left to their grace timers.
   */
  sweepOwn(isLive: (socketId: string, room: string) => boolean): Promise<Departure[]>;
  /**
   * Whether a chat event's call timed out (REDIS_COMMAND_TIMEOUT_MS) since the last time this was asked. Redis runs
   * such a call when it answers again: a refused join would then hold its name for a socket that is not in the room,
   * so once Redis answers the node sweeps its entries as after an outage (node.ts).
   */
  takeUnanswered(): boolean;
}

export interface RedisPresenceOptions {
  nodeId: string;
  ttlMs: number;
  graceMs: number;
  now: () => number;
  /**
   * On a Redis Cluster: the master that owns `key`'s slot is marked stalled (master-stalls.ts). The writes a join makes
   * outside its room (the node's room list, the directory) then do not wait for it; see recordRoom and updateDirectory.
   */
  isKeyStalled?: (key: string) => boolean;
}

export function createRedisPresence(redis: RedisClient, opts: RedisPresenceOptions): RedisPresence {
  const { nodeId } = opts;
  const isKeyStalled = opts.isKeyStalled ?? ((): boolean => false);
  /** Rooms joined while the master of this node's room set was down: recorded by the next heartbeat. */
  const unrecordedRooms = new Set<string>();
  /** A heartbeat of this node has landed: the reapers know it. */
  let isRegistered = false;
  let cache: { rooms: RoomSummary[]; total: number } = { rooms: [], total: 0 };
  let hasUnanswered = false;
  const orUnavailable = <T>(call: Promise<T>): Promise<T> => presenceCall(call, () => (hasUnanswered = true));
  const member = (socketId: string): string => `${nodeId}|${socketId}`;
  const entry = (room: string, key: string, socketId: string): string => JSON.stringify([room, key, member(socketId)]);
  /** A hold's entry up to its hold number: the scripts complete it (see JOIN). */
  const holdPrefix = (room: string, key: string): string => JSON.stringify([room, key]).slice(0, -1);

  /**
   * The directory's count of `room` after its script changed it: a second command (on a cluster the directory is in
   * another slot). Best effort: the directory is what the home page lists, and the next change of the room, from
   * any node, writes its count again; a failure must not fail the join or leave that already happened.
   * While the directory's master is marked stalled the write is sent but not awaited: the join or leave answers at
   * once, and a frozen master runs it when it wakes (DIR_SET keeps the newer count, so a late write is safe); one
   * that times out is lost like any failed write, until the room's next change.
   */
  async function updateDirectory(room: string, change: CountChange): Promise<void> {
    if (!isListed(room)) return;
    const write = redis.eval(DIR_SET, 2, k.directory, k.directoryVersion(room), room, change[0], change[1], DIRECTORY_TOMBSTONE_MS).catch(() => undefined);
    if (!isKeyStalled(k.directory)) await write;
  }

  /** Ends `node`'s entries that `isGone` picks, room by room (but the rooms `isSkipped` picks); the names whose presence that ended. */
  async function reapEntries(node: string, isGone: (who: string, room: string) => boolean, isSkipped: (room: string) => boolean = () => false): Promise<Departure[]> {
    const departed: Departure[] = [];
    for (const room of await redis.smembers(k.nodeRooms(node))) {
      if (isSkipped(room)) continue;
      for (const raw of await redis.smembers(k.roomNode(room, node))) {
        const [, key, who, holdUntil] = JSON.parse(raw) as [string, string, string, number?];
        if (!isGone(who, room)) continue;
        // A dead node's held name stays reserved until its grace would have ended; a dropped tab's for a full grace.
        const reserveMs = who.startsWith("#") ? Math.max(0, (holdUntil ?? 0) - opts.now()) : opts.graceMs;
        const res = (await redis.eval(REAP, 5, k.names(room), k.socks(room, key), k.reserve(room, key), k.roomNode(room, node), k.version(room), key, who, reserveMs, raw)) as [string, number, string] | null;
        if (res === null) continue;
        departed.push({ room, name: res[0] });
        await updateDirectory(room, [res[1], res[2]]);
      }
    }
    return departed;
  }

  /**
   * Ends a dead node's entries. On a Redis Cluster, the rooms whose master is marked stalled (or all of them, when its
   * room list's master is) are deferred: each would cost REDIS_COMMAND_TIMEOUT_MS inside the heartbeat, whose timeout
   * would count the registry's master as stalled (redis_stalled, /healthz 503) though it answers. A deferred room stays
   * in the dead node's room list and the node stays registered, so a later reap (once the reap lock, PX ttlMs, has
   * expired) does those rooms when their master answers.
   */
  async function reapNode(dead: string): Promise<Reap> {
    if (isKeyStalled(k.nodeRooms(dead))) return { departed: [], deferredRooms: 1 };
    const rooms = await redis.smembers(k.nodeRooms(dead));
    // Decided once: a mark that comes mid-reap must not leave a room both unreaped and dropped from the list.
    const deferred = new Set(rooms.filter((room) => isKeyStalled(k.roomNode(room, dead))));
    const departed = await reapEntries(dead, () => true, (room) => deferred.has(room));
    const reaped = rooms.filter((room) => !deferred.has(room));
    for (const room of reaped) await redis.del(k.roomNode(room, dead));
    if (deferred.size > 0) {
      if (reaped.length > 0) await redis.srem(k.nodeRooms(dead), ...reaped);
      return { departed, deferredRooms: deferred.size };
    }
    await redis.del(k.nodeRooms(dead));
    await redis.srem(k.nodes, dead);
    return { departed, deferredRooms: 0 };
  }

  /**
   * Records that this node may own entries in `room` (so its reaper finds them should it die). On a Redis Cluster
   * that set lives on another master than the room: when that master is down the join still goes ahead, and the
   * room is recorded by a later heartbeat (a node that dies before then leaves its entries in that room until it
   * comes back under the same NODE_ID; docs/cluster.md). While that master is marked stalled the join does not wait
   * REDIS_COMMAND_TIMEOUT_MS for it: the room is left to the heartbeat at once, which records it once the master
   * answers (the window in which a crash leaves entries unreaped lasts as long as the freeze, as it would anyway).
   */
  async function recordRoom(room: string): Promise<void> {
    if (isKeyStalled(k.nodeRooms(nodeId))) {
      unrecordedRooms.add(room);
      return;
    }
    try {
      await redis.sadd(k.nodeRooms(nodeId), room);
    } catch {
      unrecordedRooms.add(room);
    }
  }

  async function recordPendingRooms(): Promise<void> {
    // A frozen master would hold up the heartbeat (and the registry's answer with it) for a timeout on every turn.
    if (unrecordedRooms.size === 0 || isKeyStalled(k.nodeRooms(nodeId))) return;
    const rooms = [...unrecordedRooms];
    await redis.sadd(k.nodeRooms(nodeId), ...rooms);
    for (const room of rooms) unrecordedRooms.delete(room);
  }

  async function heartbeat(): Promise<void> {
    await recordPendingRooms().catch(() => undefined); // kept for the next beat
    await redis.multi().set(k.alive(nodeId), "1", "PX", opts.ttlMs).sadd(k.nodes, nodeId).exec(); // one slot: {nodes}
    isRegistered = true;
  }

  return {
    async join(room, name, sessionId, socketId): Promise<PresenceJoin> {
      const key = nameKey(name);
      // A node that owned entries before its first heartbeat landed (a join right after start; on a Redis Cluster
      // the first command to the registry's master opens a connection) and died then would never be reaped: the
      // reapers only look at registered nodes. Until one heartbeat has landed, a join sends one itself.
      if (!isRegistered) await heartbeat().catch(() => undefined);
      // First, so a node that dies right after the script still has this room among the ones its reaper looks at.
      await recordRoom(room);
      const res = (await orUnavailable(redis.eval(JOIN, 5, k.names(room), k.socks(room, key), k.roomNode(room, nodeId), k.reserve(room, key), k.version(room), key, name, sessionId, member(socketId), entry(room, key, socketId), holdPrefix(room, key)))) as [number, number?, string?];
      if (res[0] < 0) return { ok: false, reason: "name_taken" };
      if (res[0] === 1) await updateDirectory(room, [res[1] as number, res[2] as string]);
      return { ok: true, isNew: res[0] === 1 };
    },
    async leave(room, name, socketId, hold): Promise<PresenceLeave> {
      const key = nameKey(name);
      const holdUntil = opts.now() + opts.graceMs;
      const res = (await orUnavailable(redis.eval(LEAVE, 5, k.names(room), k.socks(room, key), k.roomNode(room, nodeId), k.holdSeq(room), k.version(room), key, member(socketId), entry(room, key, socketId), hold ? "1" : "0", String(holdUntil), holdPrefix(room, key)))) as [string, string?, number?, string?];
      if (res[0] === "held") return { state: "held", hold: Number(res[1]) };
      if (res[0] !== "left") return { state: "stays" };
      await updateDirectory(room, [res[2] as number, res[3] as string]);
      return { state: "left", name: res[1] as string };
    },
    async release(room, name, hold) {
      const key = nameKey(name);
      const res = (await orUnavailable(redis.eval(RELEASE, 4, k.names(room), k.socks(room, key), k.roomNode(room, nodeId), k.version(room), key, String(hold), holdPrefix(room, key)))) as [string, number, string] | null;
      if (res === null) return null;
      await updateDirectory(room, [res[1], res[2]]);
      return res[0];
    },
    async users(room) {
      const holders = await orUnavailable(redis.hvals(k.names(room)));
      return holders.map((h) => (JSON.parse(h) as { name: string }).name).sort(byName);
    },
    async holder(room, name) {
      const raw = await orUnavailable(redis.hget(k.names(room), nameKey(name)));
      if (raw === null) return null;
      const h = JSON.parse(raw) as { name: string; sid: string };
      return { name: h.name, sessionId: h.sid };
    },
    async holders(room) {
      const all = await orUnavailable(redis.hvals(k.names(room)));
      return all.map((raw) => JSON.parse(raw) as { name: string; sid: string }).map((h) => ({ name: h.name, sessionId: h.sid })).sort((a, b) => byName(a.name, b.name));
    },
    async holds(room) {
      const all = await orUnavailable(redis.hvals(k.names(room)));
      // `hold` is 0 while a tab is behind the name, the hold's number (from holdseq) while it is held.
      return all.map((raw) => JSON.parse(raw) as { name: string; hold: number }).filter((h) => h.hold !== 0).map((h) => ({ name: h.name, hold: Number(h.hold) }));
    },
    rooms: () => cache.rooms,
    roomCount: () => cache.total,
    roomSizes: () => cache.rooms,
    heartbeat,
    async reapDeadNodes() {
      const nodes = await redis.smembers(k.nodes);
      const all: Reap = { departed: [], deferredRooms: 0 };
      for (const node of nodes) {
        if (node === nodeId || (await redis.exists(k.alive(node))) === 1) continue;
        // One node reaps a dead one; the per-entry scripts make each departure count once even if two did.
        if ((await redis.set(k.reap(node), nodeId, "PX", opts.ttlMs, "NX")) !== "OK") continue;
        const { departed, deferredRooms } = await reapNode(node);
        all.departed.push(...departed);
        all.deferredRooms += deferredRooms;
      }
      return all;
    },
    async refreshRooms() {
      const [top, total] = await Promise.all([redis.zrevrange(k.directory, 0, CACHED_ROOMS - 1, "WITHSCORES"), redis.zcard(k.directory)]);
      const rooms: RoomSummary[] = [];
      for (let i = 0; i + 1 < top.length; i += 2) rooms.push({ room: top[i] as string, users: Number(top[i + 1]) });
      rooms.sort((a, b) => b.users - a.users || byName(a.room, b.room));
      cache = { rooms, total };
    },
    takeUnanswered() {
      const was = hasUnanswered;
      hasUnanswered = false;
      return was;
    },
    sweepOwn(isLive) {
      const prefix = `${nodeId}|`;
      // Rooms (or the node's room list) on a master marked stalled are left for the recovery that follows its answer
      // (node.ts): each would cost a command timeout now, for a sweep that cannot reach them anyway.
      if (isKeyStalled(k.nodeRooms(nodeId))) return Promise.resolve([]);
      return reapEntries(nodeId, (who, room) => who.startsWith(prefix) && !isLive(who.slice(prefix.length), room), (room) => isKeyStalled(k.names(room)));
    },
  };
}
