// What each session's push notification for a room quotes (push/shown.ts), shared by several nodes: a delete on
// one node takes back a notification another node pushed. Two keys per room, hash-tagged like the room's presence
// keys (key-slot.ts roomHashTag), so each script touches one slot, on the master that serves the room:
//   mr:push:shown:{r:<room>}    hash  session key -> "<message id>:<ms it is remembered until>"
//   mr:push:quoting:{r:<room>}  zset  "<message id>:<session key>", all at score 0: the hash read by message id
// Both expire PUSH_TAKE_BACK_MS after the room's last push (renewed by every push, so an idle room's go by
// themselves). A delete or an edit finds the sessions quoting its message with one lexicographic range of the
// zset, O(log n + the sessions it concerns), never a walk of the whole room: a big room's edits cost what a
// small room's do.
import type { RedisClient } from "./redis.js";
import type { ShownNotes } from "../push/shown.js";
import { roomHashTag } from "./key-slot.js";

const keysOf = (room: string): [string, string] => [`mr:push:shown:${roomHashTag(room)}`, `mr:push:quoting:${roomHashTag(room)}`];

// KEYS: hash, zset. ARGV: session, id, untilMs, windowMs. The session's earlier quote leaves the index.
const REMEMBER = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local oldId = string.match(old, '^(%d+):')
  if oldId then redis.call('ZREM', KEYS[2], oldId .. ':' .. ARGV[1]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[2] .. ':' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

// KEYS: hash, zset. ARGV: id, nowMs. The sessions whose record still quotes the id and is not past its window,
// each forgotten. ';' follows ':' in byte order, so [id: .. (id; is exactly the members of this id.
const CLAIM_QUOTING = `
local members = redis.call('ZRANGEBYLEX', KEYS[2], '[' .. ARGV[1] .. ':', '(' .. ARGV[1] .. ';')
local claimed = {}
local prefix = #ARGV[1] + 2
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[2], member)
  local session = string.sub(member, prefix)
  local v = redis.call('HGET', KEYS[1], session)
  if v then
    local id, untilMs = string.match(v, '^(%d+):(%d+)$')
    if id == ARGV[1] then
      redis.call('HDEL', KEYS[1], session)
      if tonumber(untilMs) > tonumber(ARGV[2]) then table.insert(claimed, session) end
    end
  end
end
return claimed`;

// KEYS: hash, zset. ARGV: session. The session's record, forgotten (and out of the index).
const CLAIM_SESSION = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  redis.call('HDEL', KEYS[1], ARGV[1])
  local id = string.match(v, '^(%d+):')
  if id then redis.call('ZREM', KEYS[2], id .. ':' .. ARGV[1]) end
end
return v`;

export function createRedisShownNotes(redis: RedisClient, windowMs: number, now: () => number): ShownNotes {
  return {
    async remember(sessionKey, room, id) {
      if (windowMs === 0) return;
      await redis.eval(REMEMBER, 2, ...keysOf(room), sessionKey, id, now() + windowMs, windowMs);
    },
    async claimQuoting(room, id) {
      const claimed = (await redis.eval(CLAIM_QUOTING, 2, ...keysOf(room), id, now())) as unknown;
      return Array.isArray(claimed) ? claimed.map(String) : [];
    },
    async claimSession(sessionKey, room) {
      const value = (await redis.eval(CLAIM_SESSION, 2, ...keysOf(room), sessionKey)) as unknown;
      const match = typeof value === "string" ? /^(\d+):(\d+)$/.exec(value) : null;
      return match !== null && Number(match[2]) > now() ? Number(match[1]) : null;
    },
  };
}
