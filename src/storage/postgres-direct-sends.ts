// PostgreSQL's half of direct-sends.ts: inside the append batch's transaction, after the rooms' insert locks, the
// sends into direct conversations a ban has closed to their sender are refused alone. Several nodes write at once,
// and under READ COMMITTED a ban committing between the batch's read of the bans and its COMMIT would go unseen;
// so a ban takes its room's ban lock (roomBanLockKey) for its INSERT (postgres-moderation.ts) and the batch takes
// the origin rooms' ban locks shared before it reads the bans. Either the ban committed first and the read sees it,
// or the ban waits until the batch committed: no send is stored after a ban that closes its conversation committed.
import type pg from "pg";
import { directRefusal, isCheckedSend, senderNameKeys, type CheckedSend, type DirectSenderRow } from "./direct-sends.js";
import { roomBanLockKey } from "./postgres-pool.js";
import type { AppendOutcome, NewMessage } from "./repository.js";

type Fresh = { index: number; msg: NewMessage };

/** Each checked send's conversation and membership, by its place in the arrays (no row: not a conversation). */
const SQL_DIRECT_SENDERS = `SELECT t.i::int AS i, r.origin_room, m.name, m.session_key IS NOT NULL AS is_member
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(room, session_key, i)
  JOIN room_record r ON r.room = t.room AND r.kind = 'direct'
  LEFT JOIN room_member m ON m.room = t.room AND m.session_key = t.session_key`;

// unnest walks the array in order: the locks are taken in the sorted order of their keys, as the insert locks are.
const SQL_SHARE_BAN_LOCKS = "SELECT pg_advisory_xact_lock_shared(k) FROM unnest($1::bigint[]) AS k";

/**
 * The ban that ends last per send, read after the ban locks (a statement of its own, so its snapshot is newer than
 * any ban those locks waited for), from the conversation's origin as it is now. COLLATE "C": ISO times compare as
 * bytes, whatever the database's collation.
 */
const SQL_DIRECT_BANS = `SELECT t.i::int AS i, max(b.until) AS until
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(room, sent_as, known_as, session_key, sent_at, i)
  JOIN room_record r ON r.room = t.room
  JOIN room_ban b ON b.room = r.origin_room AND b.until COLLATE "C" > t.sent_at AND (b.name_key IN (t.sent_as, t.known_as) OR b.session_key = t.session_key)
  GROUP BY t.i`;

const byKey = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fresh sends whose direct conversation is still open to their sender; every other one is refused alone, in
 * `results` (DirectClosedError). No query for a batch without a checked send into a private address.
 */
export async function refuseClosedDirects(client: pg.ClientBase, fresh: Fresh[], results: (AppendOutcome | number | null)[]): Promise<Fresh[]> {
  const checked = fresh.filter((f): f is { index: number; msg: CheckedSend } => isCheckedSend(f.msg));
  if (checked.length === 0) return fresh;
  const { rows: senders } = await client.query<DirectSenderRow & { i: number }>(SQL_DIRECT_SENDERS, [checked.map((f) => f.msg.room), checked.map((f) => f.msg.ownerKey)]);
  if (senders.length === 0) return fresh;
  const origins = [...new Set(senders.flatMap((s) => (s.origin_room === null ? [] : [s.origin_room])))];
  await client.query(SQL_SHARE_BAN_LOCKS, [origins.map(roomBanLockKey).sort(byKey).map(String)]);
  const direct = senders.map((s) => ({ sender: s, send: checked[s.i - 1] as { index: number; msg: CheckedSend } }));
  const keys = direct.map(({ sender, send }) => senderNameKeys(send.msg, sender.name));
  const { rows: bans } = await client.query<{ i: number; until: string }>(SQL_DIRECT_BANS, [
    direct.map((d) => d.send.msg.room),
    keys.map((k) => k[0]),
    keys.map((k) => k[1]),
    direct.map((d) => d.send.msg.ownerKey),
    direct.map((d) => d.send.msg.sentAt.toISOString()),
  ]);
  const banUntil = new Map(bans.map((b) => [b.i, b.until]));
  const refused = new Set<number>();
  direct.forEach(({ sender, send }, i) => {
    const refusal = directRefusal(sender, banUntil.get(i + 1) ?? null);
    if (refusal === null) return;
    results[send.index] = refusal;
    refused.add(send.index);
  });
  return refused.size === 0 ? fresh : fresh.filter((f) => !refused.has(f.index));
}
