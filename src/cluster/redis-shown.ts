// What each session's push notification for a room quotes (push/shown.ts), shared by several nodes: a delete on
// one node takes back a notification another node pushed. One hash per room, so each script touches one key
// (one slot, should Redis be clustered):
//   mr:push:shown:{<room>}   hash  session key -> "<message id>:<ms it is remembered until>", PX PUSH_TAKE_BACK_MS
//                                  (renewed by every push of the room, so an idle room's hash goes by itself)
// A claim walks the room's hash: at most one field per session pushed for the room within the window (fewer
// than the sessions that keep push settings for it), and only on a delete, an edit or a kick, never per message.
import type { RedisClient } from "./redis.js";
import type { ShownNotes } from "../push/shown.js";

const keyOf = (room: string): string => `mr:push:shown:{${room}}`;

// KEYS: hash. ARGV: session, id, untilMs, windowMs.
const REMEMBER = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

// KEYS: hash. ARGV: id, nowMs. The sessions quoting the id (forgotten), and the expired fields dropped on the way.
const CLAIM_QUOTING = `
local flat = redis.call('HGETALL', KEYS[1])
local claimed = {}
for i = 1, #flat, 2 do
  local id, untilMs = string.match(flat[i + 1], '^(%d+):(%d+)$')
  if id == nil or tonumber(untilMs) <= tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[1], flat[i])
  elseif id == ARGV[1] then
    redis.call('HDEL', KEYS[1], flat[i])
    table.insert(claimed, flat[i])
  end
end
return claimed`;

// KEYS: hash. ARGV: session. The session's record, forgotten.
const CLAIM_SESSION = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v`;

export function createRedisShownNotes(redis: RedisClient, windowMs: number, now: () => number): ShownNotes {
  return {
    async remember(sessionKey, room, id) {
      if (windowMs === 0) return;
      await redis.eval(REMEMBER, 1, keyOf(room), sessionKey, id, now() + windowMs, windowMs);
    },
    async claimQuoting(room, id) {
      const claimed = (await redis.eval(CLAIM_QUOTING, 1, keyOf(room), id, now())) as unknown;
      return Array.isArray(claimed) ? claimed.map(String) : [];
    },
    async claimSession(sessionKey, room) {
      const value = (await redis.eval(CLAIM_SESSION, 1, keyOf(room), sessionKey)) as unknown;
      const match = typeof value === "string" ? /^(\d+):(\d+)$/.exec(value) : null;
      return match !== null && Number(match[2]) > now() ? Number(match[1]) : null;
    },
  };
}
