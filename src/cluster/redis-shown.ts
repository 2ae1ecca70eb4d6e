// What each session's push notification for a room quotes (push/shown.ts), shared by several nodes: a delete on
// one node takes back a notification another node pushed. Two keys per room, hash-tagged like the room's presence
// keys (key-slot.ts roomHashTag), so each script touches one slot, on the master that serves the room:
//   mr:push:shown:{r:<room>}    hash  session key -> "<message id>:<ms it is remembered until>[:<name shown as>]"
//   mr:push:quoting:{r:<room>}  zset  "<message id>:<session key>", all at score 0: the hash read by message id
// The name shown as is there only for a record that followed its room to a private address (move): the name its
// notification was shown under, which its take-back must name. Both keys expire PUSH_TAKE_BACK_MS after the
// room's last push (renewed by every push, so an idle room's go by themselves). A delete or an edit finds the
// sessions quoting its message with one lexicographic range of the zset, O(log n + the sessions it concerns),
// never a walk of the whole room: a big room's edits cost what a small room's do.
import type { RedisClient } from "./redis.js";
import type { MovedRecord, ShownClaim, ShownNotes, ShownRecord } from "../push/shown.js";
import { roomHashTag } from "./key-slot.js";
import { PushKeyStalledError } from "./redis-push.js";

const keysOf = (room: string): [string, string] => [`mr:push:shown:${roomHashTag(room)}`, `mr:push:quoting:${roomHashTag(room)}`];

// KEYS: hash, zset. ARGV: session, id, untilMs (or "untilMs:shownAs" for a moved record), windowMs. The session's
// earlier quote leaves the index; its record is returned (a push not sent after all puts it back).
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
return old`;

// KEYS: hash, zset. ARGV: session, the id the record replaced by a push not sent quotes, the older record's value,
// its id, windowMs. The older record comes back unless a newer push's record (another id) stands.
const PUT_BACK = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  if string.match(current, '^(%d+):') ~= ARGV[2] then return 0 end
  redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[4] .. ':' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1`;

// KEYS: hash, zset. ARGV: id, nowMs. The sessions whose record still quotes the id and is not past its window,
// each forgotten, as session, record pairs. ';' follows ':' in byte order, so [id: .. (id; is exactly the members
// of this id.
const CLAIM_QUOTING = `
local members = redis.call('ZRANGEBYLEX', KEYS[2], '[' .. ARGV[1] .. ':', '(' .. ARGV[1] .. ';')
local claimed = {}
local prefix = #ARGV[1] + 2
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[2], member)
  local session = string.sub(member, prefix)
  local v = redis.call('HGET', KEYS[1], session)
  if v then
    local id, untilMs = string.match(v, '^(%d+):(%d+)')
    if id == ARGV[1] then
      redis.call('HDEL', KEYS[1], session)
      if tonumber(untilMs) > tonumber(ARGV[2]) then
        table.insert(claimed, session)
        table.insert(claimed, v)
      end
    end
  end
end
return claimed`;

// KEYS: hash, zset. ARGV: session[, id]. The session's record, forgotten (and out of the index); with an id, only
// while the record quotes that id (a newer push's record stays).
const CLAIM_SESSION = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local id = string.match(v, '^(%d+):')
  if ARGV[2] and id ~= ARGV[2] then return false end
  redis.call('HDEL', KEYS[1], ARGV[1])
  if id then redis.call('ZREM', KEYS[2], id .. ':' .. ARGV[1]) end
end
return v`;

/** A hash value as a record: `room` is the name shown as when the value names none (it never moved). */
function readRecord(value: unknown, room: string): ShownRecord | null {
  const match = typeof value === "string" ? /^(\d+):(\d+)(?::([\s\S]+))?$/.exec(value) : null;
  return match === null ? null : { id: Number(match[1]), untilMs: Number(match[2]), shownAs: match[3] ?? room };
}

/** The value's "<until>[:<name shown as>]" part, as REMEMBER and PUT_BACK write it after "<id>:". */
const untilPart = (record: ShownRecord, room: string): string => (record.shownAs === room ? String(record.untilMs) : `${record.untilMs}:${record.shownAs}`);

/**
 * `isKeyStalled`: a room whose keys' Redis Cluster master the node marked stalled (cluster/master-stalls.ts) is not
 * asked: every call rejects at once with PushKeyStalledError, as it would after REDIS_COMMAND_TIMEOUT_MS, and sends
 * that master nothing (push/service.ts decides what a push does without its record).
 */
export function createRedisShownNotes(redis: RedisClient, windowMs: number, now: () => number, isKeyStalled: (key: string) => boolean = () => false): ShownNotes {
  const refuseIfStalled = (room: string): void => {
    if (isKeyStalled(keysOf(room)[0])) throw new PushKeyStalledError("the room's push take-back records");
  };
  const live = (record: ShownRecord | null): ShownRecord | null => (record !== null && record.untilMs > now() ? record : null);
  const claimSession = async (sessionKey: string, room: string, quoting?: number): Promise<ShownRecord | null> => {
    refuseIfStalled(room);
    return live(readRecord(await redis.eval(CLAIM_SESSION, 2, ...keysOf(room), sessionKey, ...(quoting === undefined ? [] : [quoting])), room));
  };
  return {
    async remember(sessionKey, room, id) {
      if (windowMs === 0) return null;
      refuseIfStalled(room);
      return live(readRecord(await redis.eval(REMEMBER, 2, ...keysOf(room), sessionKey, id, now() + windowMs, windowMs), room));
    },
    async putBack(sessionKey, room, replacedId, previous) {
      if (previous.untilMs <= now()) return false;
      refuseIfStalled(room);
      return (await redis.eval(PUT_BACK, 2, ...keysOf(room), sessionKey, replacedId, `${previous.id}:${untilPart(previous, room)}`, previous.id, windowMs)) === 1;
    },
    async claimQuoting(room, id) {
      refuseIfStalled(room);
      const flat = (await redis.eval(CLAIM_QUOTING, 2, ...keysOf(room), id, now())) as unknown;
      const claimed: ShownClaim[] = [];
      if (!Array.isArray(flat)) return claimed;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const record = readRecord(flat[i + 1], room);
        if (record !== null) claimed.push({ sessionKey: String(flat[i]), shownAs: record.shownAs });
      }
      return claimed;
    },
    claimSession,
    async move(from, to, sessionKeys) {
      // Per session and per key slot, never one multi-key command: the old and new addresses hash to different
      // slots (on a Redis Cluster, different masters). Claimed at the old address first, so a delete there meanwhile
      // takes it back, or the move carries it; a delete at the new address between the two finds nothing, so the
      // caller reads the moved records' messages again once they are written (push/late-record.ts).
      // Both addresses checked first: a record claimed at `from` whose write at `to` then failed would be lost.
      refuseIfStalled(from);
      refuseIfStalled(to);
      const moved: MovedRecord[] = [];
      for (const sessionKey of sessionKeys) {
        const record = await claimSession(sessionKey, from);
        if (record === null) continue;
        await redis.eval(REMEMBER, 2, ...keysOf(to), sessionKey, record.id, untilPart(record, to), windowMs);
        moved.push({ sessionKey, record });
      }
      return moved;
    },
  };
}
