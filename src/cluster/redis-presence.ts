// Presence and name ownership shared by every node through Redis (multi-node mode). Same contract as the
// memory store (chat/presence.ts); each change is one Lua script, so two nodes can never both win a name.
//
// Keys (prefix mr:p:):
//   room:<room>          hash  nameKey -> {"name","sid","hold"}        who holds which name
//   socks:<room>:<key>   set   "<node>|<socketId>"                       the tabs behind a name, on any node
//   node:<node>          set   JSON [room, key, member] / [room, key, "#<hold>", holdUntilMs]  what a node owns
//   alive:<node>         string, expires after PRESENCE_TTL_MS unless the node heartbeats
//   nodes                set   every node that registered
//   reserve:<room>:<key> string sid, expires at the end of a dead node's name grace
//   rooms                zset  public room -> names present (the room directory; private addresses never enter it)
import type { Redis } from "ioredis";
import type { RoomSummary } from "../http-api.js";
import { nameKey } from "../shared/names.js";
import { PresenceUnavailableError, type PresenceJoin, type PresenceLeave, type PresenceStore } from "../chat/presence.js";

const P = "mr:p:";
const k = {
  room: (room: string) => `${P}room:${room}`,
  socks: (room: string, key: string) => `${P}socks:${room}:${key}`,
  node: (node: string) => `${P}node:${node}`,
  alive: (node: string) => `${P}alive:${node}`,
  nodes: `${P}nodes`,
  reserve: (room: string, key: string) => `${P}reserve:${room}:${key}`,
  rooms: `${P}rooms`,
  holdSeq: `${P}holdseq`,
  reap: (node: string) => `${P}reap:${node}`,
};

// A public room counts in the directory; a private address (access/room-address.ts: "~" and 22 base64url
// characters) never does (issue 17).
const LISTED = `
local function listed(room)
  return not (string.len(room) == 23 and string.match(room, '^~[%w_%-]+$') ~= nil)
end`;

// KEYS: room, socks, node, reserve, rooms. ARGV: key, name, sid, member, entry, room, holdPrefix.
// A hold's entry in the node's set is holdPrefix .. ',"#<hold>",<untilMs>]' (holdPrefix: JSON of [room, key]
// without its closing bracket, built in JS), and the hold's untilMs is kept with the holder, so the scripts that
// end a hold (the owner back, the grace over) can remove that exact entry. The owner may come back on another
// node: the holder also keeps the key of the set its hold is in (hnode; one Redis, not Redis Cluster).
// 1: a new presence; 0: a further tab or the owner back from a hold; -1: name_taken.
const JOIN = `${LISTED}
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then
  local r = redis.call('GET', KEYS[4])
  if r and r ~= ARGV[3] then return -1 end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({name = ARGV[2], sid = ARGV[3], hold = 0}))
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('SADD', KEYS[3], ARGV[5])
  if listed(ARGV[6]) then redis.call('ZINCRBY', KEYS[5], 1, ARGV[6]) end
  redis.call('DEL', KEYS[4])
  return 1
end
local o = cjson.decode(h)
if o.sid ~= ARGV[3] then return -1 end
if o.hold ~= 0 and o['until'] and o.hnode then redis.call('SREM', o.hnode, ARGV[7] .. ',"#' .. o.hold .. '",' .. o['until'] .. ']') end
o.hold = 0
o['until'] = nil
o.hnode = nil
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[5])
return 0`;

// Drops a holder and its room's count. Shared by the scripts below.
const DROP = `${LISTED}
local function drop(roomKey, field, roomsKey, room)
  redis.call('HDEL', roomKey, field)
  if listed(room) and tonumber(redis.call('ZINCRBY', roomsKey, -1, room)) <= 0 then redis.call('ZREM', roomsKey, room) end
end`;

// KEYS: room, socks, node, rooms, holdSeq. ARGV: key, member, entry, hold(0|1), room, holdUntilMs, holdPrefix.
const LEAVE = `${DROP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[3])
if not h then return {'stays'} end
if redis.call('SREM', KEYS[2], ARGV[2]) == 0 or redis.call('SCARD', KEYS[2]) > 0 then return {'stays'} end
local o = cjson.decode(h)
if ARGV[4] == '1' then
  local n = redis.call('INCR', KEYS[5])
  o.hold = n
  o['until'] = ARGV[6]
  o.hnode = KEYS[3]
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
  redis.call('SADD', KEYS[3], ARGV[7] .. ',"#' .. n .. '",' .. ARGV[6] .. ']')
  return {'held', tostring(n)}
end
drop(KEYS[1], ARGV[1], KEYS[4], ARGV[5])
return {'left', o.name}`;

// KEYS: room, socks, rooms, node. ARGV: key, hold, room, holdPrefix. The departed name, or false.
// The hold is spent either way (its grace is over): its entry leaves the node's set when it is still the holder's.
const RELEASE = `${DROP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then return false end
local o = cjson.decode(h)
if tostring(o.hold) ~= ARGV[2] then return false end
if o['until'] then redis.call('SREM', o.hnode or KEYS[4], ARGV[4] .. ',"#' .. o.hold .. '",' .. o['until'] .. ']') end
if redis.call('SCARD', KEYS[2]) > 0 then return false end
drop(KEYS[1], ARGV[1], KEYS[3], ARGV[3])
return o.name`;

// A dead node's entry. KEYS: room, socks, rooms, reserve. ARGV: key, member or "#<hold>", room, reserveMs.
// The name whose presence this ended (announce it, once: only the caller whose SREM/HDEL did it gets it), or false.
const REAP = `${DROP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then return false end
local o = cjson.decode(h)
if string.sub(ARGV[2], 1, 1) == '#' then
  if '#' .. tostring(o.hold) ~= ARGV[2] or redis.call('SCARD', KEYS[2]) > 0 then return false end
else
  if redis.call('SREM', KEYS[2], ARGV[2]) == 0 or redis.call('SCARD', KEYS[2]) > 0 then return false end
  if o.hold ~= 0 then return false end
end
drop(KEYS[1], ARGV[1], KEYS[3], ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[4], o.sid, 'PX', ARGV[4]) end
return o.name`;

const byName = new Intl.Collator(undefined, { sensitivity: "base" }).compare;

/** A failed Redis call of a chat event becomes PresenceUnavailableError: the client hears presence_unavailable, not internal. */
async function orUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw new PresenceUnavailableError(`Redis: ${(err as Error).message}`, { cause: err });
  }
}

/** How many of the busiest rooms each node keeps in its cache for the home page (it shows 50). */
const CACHED_ROOMS = 200;

export interface Departure {
  room: string;
  name: string;
}

export interface RedisPresence extends PresenceStore {
  /** Marks this node alive for ttlMs and registers it. */
  heartbeat(): Promise<void>;
  /** Ends the presence of nodes that stopped heartbeating; the names whose presence ended, each returned to one node only. */
  reapDeadNodes(): Promise<Departure[]>;
  /** Reloads the cached busiest rooms and the total (rooms(), roomCount(), roomSizes() answer from it). */
  refreshRooms(): Promise<void>;
  /**
   * After an outage: ends this node's entries for sockets that left while Redis could not hear it (their
   * leave failed), so their names do not stay taken. Held names are left to their grace timers.
   */
  sweepOwn(isLive: (socketId: string, room: string) => boolean): Promise<Departure[]>;
}

export interface RedisPresenceOptions {
  nodeId: string;
  ttlMs: number;
  graceMs: number;
  now: () => number;
}

export function createRedisPresence(redis: Redis, opts: RedisPresenceOptions): RedisPresence {
  const { nodeId } = opts;
  let cache: { rooms: RoomSummary[]; total: number } = { rooms: [], total: 0 };
  const member = (socketId: string): string => `${nodeId}|${socketId}`;
  const entry = (room: string, key: string, socketId: string): string => JSON.stringify([room, key, member(socketId)]);
  /** A hold's entry up to its hold number: the scripts complete it (see JOIN). */
  const holdPrefix = (room: string, key: string): string => JSON.stringify([room, key]).slice(0, -1);

  /** Ends `node`'s entries that `isGone` picks; the names whose presence that ended. */
  async function reapEntries(node: string, isGone: (who: string, room: string) => boolean): Promise<Departure[]> {
    const entries = await redis.smembers(k.node(node));
    const departed: Departure[] = [];
    for (const raw of entries) {
      const [room, key, who, holdUntil] = JSON.parse(raw) as [string, string, string, number?];
      if (!isGone(who, room)) continue;
      await redis.srem(k.node(node), raw);
      // A dead node's held name stays reserved until its grace would have ended; a dropped tab's for a full grace.
      const reserveMs = who.startsWith("#") ? Math.max(0, (holdUntil ?? 0) - opts.now()) : opts.graceMs;
      const name = (await redis.eval(REAP, 4, k.room(room), k.socks(room, key), k.rooms, k.reserve(room, key), key, who, room, reserveMs)) as string | null;
      if (name !== null) departed.push({ room, name });
    }
    return departed;
  }

  async function reapNode(dead: string): Promise<Departure[]> {
    const departed = await reapEntries(dead, () => true);
    await redis.multi().del(k.node(dead)).srem(k.nodes, dead).exec();
    return departed;
  }

  return {
    async join(room, name, sessionId, socketId): Promise<PresenceJoin> {
      const key = nameKey(name);
      const res = (await orUnavailable(redis.eval(JOIN, 5, k.room(room), k.socks(room, key), k.node(nodeId), k.reserve(room, key), k.rooms, key, name, sessionId, member(socketId), entry(room, key, socketId), room, holdPrefix(room, key)))) as number;
      return res < 0 ? { ok: false, reason: "name_taken" } : { ok: true, isNew: res === 1 };
    },
    async leave(room, name, socketId, hold): Promise<PresenceLeave> {
      const key = nameKey(name);
      const holdUntil = opts.now() + opts.graceMs;
      const res = (await orUnavailable(redis.eval(LEAVE, 5, k.room(room), k.socks(room, key), k.node(nodeId), k.rooms, k.holdSeq, key, member(socketId), entry(room, key, socketId), hold ? "1" : "0", room, String(holdUntil), holdPrefix(room, key)))) as [string, string?];
      if (res[0] === "held") return { state: "held", hold: Number(res[1]) };
      if (res[0] === "left") return { state: "left", name: res[1] as string };
      return { state: "stays" };
    },
    async release(room, name, hold) {
      const key = nameKey(name);
      const res = (await orUnavailable(redis.eval(RELEASE, 4, k.room(room), k.socks(room, key), k.rooms, k.node(nodeId), key, String(hold), room, holdPrefix(room, key)))) as string | null;
      return res;
    },
    async users(room) {
      const holders = await orUnavailable(redis.hvals(k.room(room)));
      return holders.map((h) => (JSON.parse(h) as { name: string }).name).sort(byName);
    },
    async holder(room, name) {
      const raw = await orUnavailable(redis.hget(k.room(room), nameKey(name)));
      if (raw === null) return null;
      const h = JSON.parse(raw) as { name: string; sid: string };
      return { name: h.name, sessionId: h.sid };
    },
    async holders(room) {
      const all = await orUnavailable(redis.hvals(k.room(room)));
      return all.map((raw) => JSON.parse(raw) as { name: string; sid: string }).map((h) => ({ name: h.name, sessionId: h.sid })).sort((a, b) => byName(a.name, b.name));
    },
    rooms: () => cache.rooms,
    roomCount: () => cache.total,
    roomSizes: () => cache.rooms,
    async heartbeat() {
      await redis.multi().set(k.alive(nodeId), "1", "PX", opts.ttlMs).sadd(k.nodes, nodeId).exec();
    },
    async reapDeadNodes() {
      const nodes = await redis.smembers(k.nodes);
      const departed: Departure[] = [];
      for (const node of nodes) {
        if (node === nodeId || (await redis.exists(k.alive(node))) === 1) continue;
        // One node reaps a dead one; the per-entry scripts make each departure count once even if two did.
        if ((await redis.set(k.reap(node), nodeId, "PX", opts.ttlMs, "NX")) !== "OK") continue;
        departed.push(...(await reapNode(node)));
      }
      return departed;
    },
    async refreshRooms() {
      const [top, total] = await Promise.all([redis.zrevrange(k.rooms, 0, CACHED_ROOMS - 1, "WITHSCORES"), redis.zcard(k.rooms)]);
      const rooms: RoomSummary[] = [];
      for (let i = 0; i + 1 < top.length; i += 2) rooms.push({ room: top[i] as string, users: Number(top[i + 1]) });
      rooms.sort((a, b) => b.users - a.users || byName(a.room, b.room));
      cache = { rooms, total };
    },
    sweepOwn(isLive) {
      const prefix = `${nodeId}|`;
      return reapEntries(nodeId, (who, room) => who.startsWith(prefix) && !isLive(who.slice(prefix.length), room));
    },
  };
}
