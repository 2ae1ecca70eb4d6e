// The Redis keys and Lua scripts of presence and name ownership (redis-presence.ts runs them). Every script touches
// the keys of one room only, and those keys share the hash tag {r:<room>}, so on a Redis Cluster each script runs
// on the master that owns the room's slot (a script's keys must all be in one slot). What spans rooms lives under
// other tags: {nodes} (the node registry), {n:<node>} (a node's rooms) and {dir} (the room directory). The room's pub/sub
// channel carries the same tag (key-slot.ts roomHashTag), so one master serves all of a room.
//
// Keys (prefix mr:p:):
//   {r:<room>}:names          hash  nameKey -> {"name","sid","hold","until","hnode"}   who holds which name
//   {r:<room>}:socks:<key>    set   "<node>|<socketId>"                the tabs behind a name, on any node
//   {r:<room>}:node:<node>    set   JSON [room, key, member] / [room, key, "#<hold>", holdUntilMs]  what a node owns here
//   {r:<room>}:reserve:<key>  string sid, expires at the end of a dead node's name grace
//   {r:<room>}:holdseq        counter of the room's holds
//   {r:<room>}:ver            the version of the room's count (see DIR_SET)
//   {nodes}:all               set   every node that registered
//   {nodes}:alive:<node>      string, expires after PRESENCE_TTL_MS unless the node heartbeats
//   {nodes}:reap:<node>       string, the node that reaps a dead one
//   {n:<node>}:rooms          set   rooms where the node may own entries (so a dead node's entries can be found);
//                                   a slot per node, so a master that is down holds up no other node's joins
//   {dir}:rooms               zset  public room -> names present (the room directory; private addresses never enter it)
//   {dir}:ver:<room>          string the version of the room's count in the zset; expires a minute after the room empties
//
// Before issue 21 the same data had untagged keys (mr:p:room:<room>, mr:p:node:<node>, mr:p:rooms ...): a node of
// this version does not read those, so every node of a cluster is upgraded together (docs/cluster.md).

import { roomHashTag } from "./key-slot.js";

export const P = "mr:p:";
const room = (r: string): string => `${P}${roomHashTag(r)}`;

export const presenceKeys = {
  names: (r: string) => `${room(r)}:names`,
  socks: (r: string, key: string) => `${room(r)}:socks:${key}`,
  roomNode: (r: string, node: string) => `${room(r)}:node:${node}`,
  reserve: (r: string, key: string) => `${room(r)}:reserve:${key}`,
  holdSeq: (r: string) => `${room(r)}:holdseq`,
  version: (r: string) => `${room(r)}:ver`,
  nodes: `${P}{nodes}:all`,
  alive: (node: string) => `${P}{nodes}:alive:${node}`,
  reap: (node: string) => `${P}{nodes}:reap:${node}`,
  nodeRooms: (node: string) => `${P}{n:${node}}:rooms`,
  directory: `${P}{dir}:rooms`,
  directoryVersion: (r: string) => `${P}{dir}:ver:${r}`,
};

/** A public room counts in the directory; a private address (access/room-address.ts: "~" and 22 base64url characters) never does (issue 17). */
export const isListed = (r: string): boolean => !(r.length === 23 && /^~[A-Za-z0-9_-]+$/.test(r));

// The room's count changed: a new version, above the last one and at least the server's time in microseconds, so
// it keeps growing after the room's master restarted empty. DIR_SET orders the directory's updates by it.
const BUMP = `
local function bump(verKey, namesKey)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local v = math.max(tonumber(redis.call('GET', verKey) or '0') + 1, now)
  redis.call('SET', verKey, string.format('%d', v))
  return {redis.call('HLEN', namesKey), string.format('%d', v)}
end`;

// KEYS: names, socks, roomNode, reserve, version. ARGV: key, name, sid, member, entry, holdPrefix.
// A hold's entry in its node's set is holdPrefix .. ',"#<hold>",<untilMs>]' (holdPrefix: JSON of [room, key]
// without its closing bracket, built in JS), and the hold's untilMs and set (hnode) are kept with the holder, so
// the scripts that end a hold (the owner back, the grace over) can remove that exact entry; the owner may come
// back on another node, and both nodes' sets are keys of the room, so in the room's slot.
// {1, count, version}: a new presence; {0}: a further tab or the owner back from a hold; {-1}: name_taken.
export const JOIN = `${BUMP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then
  local r = redis.call('GET', KEYS[4])
  if r and r ~= ARGV[3] then return {-1} end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({name = ARGV[2], sid = ARGV[3], hold = 0}))
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('SADD', KEYS[3], ARGV[5])
  redis.call('DEL', KEYS[4])
  local c = bump(KEYS[5], KEYS[1])
  return {1, c[1], c[2]}
end
local o = cjson.decode(h)
if o.sid ~= ARGV[3] then return {-1} end
if o.hold ~= 0 and o['until'] and o.hnode then redis.call('SREM', o.hnode, ARGV[6] .. ',"#' .. o.hold .. '",' .. o['until'] .. ']') end
o.hold = 0
o['until'] = nil
o.hnode = nil
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[5])
return {0}`;

// Drops a holder; its room's count changes. Shared by the scripts below.
const DROP = `${BUMP}
local function drop(namesKey, field, verKey)
  redis.call('HDEL', namesKey, field)
  return bump(verKey, namesKey)
end`;

// KEYS: names, socks, roomNode, holdSeq, version. ARGV: key, member, entry, hold(0|1), holdUntilMs, holdPrefix.
// {'stays'}, {'held', n}, or {'left', name, count, version}.
export const LEAVE = `${DROP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[3])
if not h then return {'stays'} end
if redis.call('SREM', KEYS[2], ARGV[2]) == 0 or redis.call('SCARD', KEYS[2]) > 0 then return {'stays'} end
local o = cjson.decode(h)
if ARGV[4] == '1' then
  local n = redis.call('INCR', KEYS[4])
  o.hold = n
  o['until'] = ARGV[5]
  o.hnode = KEYS[3]
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
  redis.call('SADD', KEYS[3], ARGV[6] .. ',"#' .. n .. '",' .. ARGV[5] .. ']')
  return {'held', tostring(n)}
end
local c = drop(KEYS[1], ARGV[1], KEYS[5])
return {'left', o.name, c[1], c[2]}`;

// KEYS: names, socks, roomNode, version. ARGV: key, hold, holdPrefix. {name, count, version}, or false.
// The hold is spent either way (its grace is over): its entry leaves the node's set when it is still the holder's.
export const RELEASE = `${DROP}
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then return false end
local o = cjson.decode(h)
if tostring(o.hold) ~= ARGV[2] then return false end
if o['until'] then redis.call('SREM', o.hnode or KEYS[3], ARGV[3] .. ',"#' .. o.hold .. '",' .. o['until'] .. ']') end
if redis.call('SCARD', KEYS[2]) > 0 then return false end
local c = drop(KEYS[1], ARGV[1], KEYS[4])
return {o.name, c[1], c[2]}`;

// A dead node's entry. KEYS: names, socks, reserve, roomNode, version. ARGV: key, member or "#<hold>", reserveMs, entry.
// {name, count, version} when this ended the name's presence (announce it, once: only the caller whose SREM/HDEL
// did it gets it), or false.
export const REAP = `${DROP}
redis.call('SREM', KEYS[4], ARGV[4])
local h = redis.call('HGET', KEYS[1], ARGV[1])
if not h then return false end
local o = cjson.decode(h)
if string.sub(ARGV[2], 1, 1) == '#' then
  if '#' .. tostring(o.hold) ~= ARGV[2] or redis.call('SCARD', KEYS[2]) > 0 then return false end
else
  if redis.call('SREM', KEYS[2], ARGV[2]) == 0 or redis.call('SCARD', KEYS[2]) > 0 then return false end
  if o.hold ~= 0 then return false end
end
local c = drop(KEYS[1], ARGV[1], KEYS[5])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[3], o.sid, 'PX', ARGV[3]) end
return {o.name, c[1], c[2]}`;

// The directory's count of a room, written after the room's script (another slot on a cluster, so not in the same
// script): only a newer version than the one written last wins, so two nodes' updates of one room that arrive out of
// order leave the newer count. KEYS: directory, directoryVersion. ARGV: room, count, version, tombstoneMs.
// An emptied room leaves the zset; its version stays a while (tombstoneMs) so a late older update cannot re-add it.
export const DIR_SET = `
local v = redis.call('GET', KEYS[2])
if v and tonumber(v) >= tonumber(ARGV[3]) then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[3])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
end
return 1`;
