// PostgreSQL's half of sender-checks.ts: inside the append batch's transaction, after the rooms' insert locks, the
// sends whose room a ban or a kick has closed to their sender are refused alone. Several nodes write at once, and
// under READ COMMITTED a ban or kick committing between the batch's read and its COMMIT would go unseen, so each
// meets the batch at a lock:
// - The batch holds its rooms' insert locks (roomLockKey) from its first statement. A ban takes its room's insert
//   lock (postgres-moderation.ts), a kick too (expelMember, postgres-access.ts): either it committed before the
//   batch's lock and the read below sees it, or it waits for the batch's COMMIT. Sends into a room pay no lock of
//   their own for this: they already queue on that lock for their ids.
// - A conversation's origin room is not a room of the batch: a ban takes the origin's ban lock (roomBanLockKey)
//   after its insert lock, and a batch with sends into conversations takes their origins' ban locks shared (they
//   never make sends wait on each other), in key order, after all its insert locks, then reads the origins' bans.
// Nobody waits in a circle: a ban holding the insert lock waits for the ban lock only on batches past their insert
// locks, those wait for nothing but ban locks, and a ban holding a ban lock waits for nothing more.
import type pg from "pg";
import { closedRefusal, isCheckedSend, isMember, senderNameKeys, type AdmissionRow, type CheckedSend } from "./sender-checks.js";
import { isPrivateAddress } from "../access/room-address.js";
import { roomBanLockKey } from "./postgres-pool.js";
import type { AppendOutcome, NewMessage } from "./repository.js";

type Fresh = { index: number; msg: NewMessage };
type Checked = { index: number; msg: CheckedSend };
/** One checked send's room as the batch reads it: its record and membership (kind NULL: a public room), and the ban of the room itself. */
type SenderRow = { i: number; until: string | null } & ({ kind: null } | AdmissionRow);
/** A checked send that may be refused: its room's admission (undefined: a public room) and the room's own ban in force. */
type Sender = { admission: AdmissionRow | undefined; until: string | null; send: Checked };

/**
 * Per checked send, by its place in the arrays: the room's record and the sender's membership (a public room has no
 * record: one index probe that finds nothing), and the ban in force at sent_at of its name or session in the room that
 * ends last: two index seeks (greatest ignores a NULL), not an OR, which cost a send 15 µs in a room with 50 bans.
 * COLLATE "C": ISO times compare as bytes, whatever the database's collation. Only the rows that may refuse come
 * back (a conversation's, for its origin's bans), not one per send.
 */
const SQL_SENDERS = `SELECT * FROM (SELECT t.i::int AS i, r.kind, r.origin_room, m.name, m.session_key IS NOT NULL AS is_member,
    greatest(
      (SELECT max(b.until) FROM room_ban b WHERE b.room = t.room AND b.name_key = t.sent_as AND b.until COLLATE "C" > t.sent_at),
      (SELECT max(b.until) FROM room_ban b WHERE b.room = t.room AND b.session_key = t.session_key AND b.until COLLATE "C" > t.sent_at)) AS until
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(room, session_key, sent_as, sent_at, i)
  LEFT JOIN room_record r ON r.room = t.room
  LEFT JOIN room_member m ON m.room = t.room AND m.session_key = t.session_key) AS s
  WHERE s.until IS NOT NULL OR s.kind = 'direct' OR (s.kind IS NOT NULL AND NOT s.is_member)`;

/**
 * The batch's first read, one statement however its sends mix: which of its rooms have a ban row at all, ended ones
 * too (kind NULL: each send into one reads its bans, SQL_SENDERS), and per distinct (room, session) of its sends into a
 * private address, the record and membership when they may refuse: a conversation (its origin's bans) or a private
 * room the session is no member of. Almost every room has no bans and almost every sender is a member: the batch then
 * pays this one statement, not a row per send (a send cost 10 µs more in a batch of 1000 when each had its row), and
 * sends into private rooms cost no statement more than sends into public ones.
 */
const SQL_ROOMS_TO_CHECK = `SELECT t.room, NULL::text AS session_key, NULL::text AS kind, NULL::text AS origin_room, NULL::text AS name, NULL::boolean AS is_member
    FROM unnest($1::text[]) AS t(room) WHERE EXISTS (SELECT 1 FROM room_ban b WHERE b.room = t.room)
  UNION ALL
  SELECT t.room, t.session_key, r.kind, r.origin_room, m.name, m.session_key IS NOT NULL
    FROM unnest($2::text[], $3::text[]) AS t(room, session_key)
    JOIN room_record r ON r.room = t.room
    LEFT JOIN room_member m ON m.room = t.room AND m.session_key = t.session_key
    WHERE r.kind = 'direct' OR m.session_key IS NULL`;
/** A row of SQL_ROOMS_TO_CHECK: a room with bans (kind null), or a private send's admission that may refuse. */
type RoomCheckRow = { room: string; kind: null } | (AdmissionRow & { room: string; session_key: string });
/** A private send's (room, session): a private address has no space in it. */
const admissionKey = (room: string, session: string): string => `${room} ${session}`;

// unnest walks the array in order: the locks are taken in the sorted order of their keys.
const SQL_SHARE_BAN_LOCKS = "SELECT pg_advisory_xact_lock_shared(k) FROM unnest($1::bigint[]) AS k";

/**
 * The origin's ban that ends last per send into a conversation, read after the ban locks (a statement of its own, so
 * its snapshot is newer than any ban those locks waited for), from the conversation's origin as it is now.
 */
const SQL_ORIGIN_BANS = `SELECT t.i::int AS i, max(b.until) AS until
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(room, sent_as, known_as, session_key, sent_at, i)
  JOIN room_record r ON r.room = t.room
  JOIN room_ban b ON b.room = r.origin_room AND b.until COLLATE "C" > t.sent_at AND (b.name_key IN (t.sent_as, t.known_as) OR b.session_key = t.session_key)
  GROUP BY t.i`;

const byKey = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || b < a ? a : b);

/**
 * The fresh sends whose room is still open to their sender; every other one is refused alone, in `results`
 * (RoomClosedError). One statement for a batch of sends into rooms without bans, public or private; one more with
 * sends into a room with bans, two more with sends into conversations; none without a checked send.
 */
export async function refuseClosedRooms(client: pg.ClientBase, fresh: Fresh[], results: (AppendOutcome | number | null)[]): Promise<Fresh[]> {
  const checked = fresh.filter((f): f is Checked => isCheckedSend(f.msg));
  if (checked.length === 0) return fresh;
  const senders = await sendersToCheck(client, checked);
  if (senders.length === 0) return fresh;
  const originBans = await readOriginBans(client, senders);
  const refused = new Set<number>();
  for (const { admission, until, send } of senders) {
    const refusal = closedRefusal(admission, later(until, originBans.get(send.index) ?? null));
    if (refusal === null) continue;
    results[send.index] = refusal;
    refused.add(send.index);
  }
  return refused.size === 0 ? fresh : fresh.filter((f) => !refused.has(f.index));
}

/**
 * The checked sends that may be refused, each with its room's admission (none: a public room) and ban: from
 * SQL_ROOMS_TO_CHECK alone, and for sends into a room with a ban row, from SQL_SENDERS after it.
 */
async function sendersToCheck(client: pg.ClientBase, checked: Checked[]): Promise<Sender[]> {
  const privatePairs = new Map<string, readonly [string, string]>();
  for (const { msg } of checked) if (isPrivateAddress(msg.room)) privatePairs.set(admissionKey(msg.room, msg.ownerKey), [msg.room, msg.ownerKey]);
  const pairs = [...privatePairs.values()];
  const rooms = [...new Set(checked.map((f) => f.msg.room))];
  const { rows } = await client.query<RoomCheckRow>(SQL_ROOMS_TO_CHECK, [rooms, pairs.map(([room]) => room), pairs.map(([, session]) => session)]);
  const withBans = new Set(rows.flatMap((row) => (row.kind === null ? [row.room] : [])));
  const admissions = new Map(rows.flatMap((row) => (row.kind === null ? [] : [[admissionKey(row.room, row.session_key), row] as const])));
  const senders = checked.flatMap((send): Sender[] => {
    const admission = withBans.has(send.msg.room) ? undefined : admissions.get(admissionKey(send.msg.room, send.msg.ownerKey));
    return admission === undefined ? [] : [{ admission, until: null, send }];
  });
  const inBannedRooms = checked.filter((f) => withBans.has(f.msg.room));
  return inBannedRooms.length === 0 ? senders : [...senders, ...(await readBannedRoomSenders(client, inBannedRooms))];
}

/** Per send into a room with a ban row, its admission and ban in force (SQL_SENDERS): only the sends that may be refused. */
async function readBannedRoomSenders(client: pg.ClientBase, checked: Checked[]): Promise<Sender[]> {
  const { rows } = await client.query<SenderRow>(SQL_SENDERS, [
    checked.map((f) => f.msg.room),
    checked.map((f) => f.msg.ownerKey),
    checked.map((f) => senderNameKeys(f.msg, null)[0]),
    checked.map((f) => f.msg.sentAt.toISOString()),
  ]);
  return rows.map((row) => ({ admission: row.kind === null ? undefined : row, until: row.until, send: checked[row.i - 1] as Checked }));
}

/** Per send into a conversation (by its index in the batch) whose sender is a member: its origin's ban that ends last, under the origins' ban locks. */
async function readOriginBans(client: pg.ClientBase, senders: Sender[]): Promise<Map<number, string>> {
  const direct = senders.flatMap(({ admission: a, send }) => (a?.kind === "direct" && a.origin_room !== null && isMember(a) ? [{ origin: a.origin_room, name: a.name, send }] : []));
  if (direct.length === 0) return new Map();
  const origins = [...new Set(direct.map((d) => d.origin))];
  await client.query(SQL_SHARE_BAN_LOCKS, [origins.map(roomBanLockKey).sort(byKey).map(String)]);
  const keys = direct.map((d) => senderNameKeys(d.send.msg, d.name));
  const { rows } = await client.query<{ i: number; until: string }>(SQL_ORIGIN_BANS, [
    direct.map((d) => d.send.msg.room),
    keys.map((k) => k[0]),
    keys.map((k) => k[1]),
    direct.map((d) => d.send.msg.ownerKey),
    direct.map((d) => d.send.msg.sentAt.toISOString()),
  ]);
  return new Map(rows.map((b) => [(direct[b.i - 1] as { send: Checked }).send.index, b.until]));
}
