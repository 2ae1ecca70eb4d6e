// The PostgreSQL store's append transaction (postgres.ts queues the sends; group-commit.ts batches them): the
// rooms' advisory locks, then the parts in postgres-append.ts (repeats, moved rooms, uploads, ids), the INSERT,
// each row's predecessor in its room, and the files the messages attach.
import type pg from "pg";
import { nameKey } from "../shared/names.js";
import type { AppendOutcome, AppendResult, ChatMessage, NewMessage } from "./repository.js";
import { fromMentionsColumn, toMentionsColumn, withMentions } from "./mentions-column.js";
import { toStoredTimestamp } from "./timestamps.js";
import { roomLockKey } from "./postgres-pool.js";
import { attachFiles, claimUploads, findByClientIds, nextIds, refuseStaleSends, repeatOf, sortOutRepeats } from "./postgres-append.js";

// unnest walks the array in order, so the locks are taken in the order the keys were sorted in.
const SQL_LOCK_ROOMS = "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k";
// The insert also answers each room's newest id before it: the outer SELECT does not see the rows its own WITH
// inserts (one snapshot per statement, taken after the room locks), and max(id) per room is one index probe.
const SQL_INSERT = `WITH inserted AS (
    INSERT INTO chat_message (id, chat_room, sender, content, timestamp, client_id, owner_key, mentions, sender_key, reply_to)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
  )
  SELECT r AS room, coalesce((SELECT max(id) FROM chat_message WHERE chat_room = r), 0)::text AS id FROM unnest($11::text[]) AS r`;

/**
 * One batch of sends in one transaction, each settled as stored, a duplicate, or refused alone; any other
 * failure rolls the whole batch back and throws. Runs on a connection of its own from `pool`.
 */
export async function writeBatch(pool: pg.Pool, msgs: readonly NewMessage[]): Promise<AppendOutcome[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const keys = [...new Set(msgs.map((m) => roomLockKey(m.room)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    await client.query(SQL_LOCK_ROOMS, [keys.map(String)]);
    // Under the room locks nobody else can insert these (room, clientId) pairs until we commit.
    const { results, fresh: unclaimed } = sortOutRepeats(msgs, await findByClientIds(client, msgs));
    // Before ids are drawn: a send whose room moved away or closed to its sender, or whose files are taken, is
    // refused alone and writes nothing (no id, no link in previousId's chain); the room first, so a refused send
    // claims no file.
    const fresh = await claimUploads(client, await refuseStaleSends(client, unclaimed, results), results);
    if (fresh.length > 0) {
      const ids = await nextIds(client, fresh.length);
      const rooms = [...new Set(fresh.map((f) => f.msg.room))];
      const newest = await client.query<{ room: string; id: string }>(SQL_INSERT, [
        ids.map(String),
        fresh.map((f) => f.msg.room),
        fresh.map((f) => f.msg.sender),
        fresh.map((f) => f.msg.content),
        fresh.map((f) => toStoredTimestamp(f.msg.sentAt)),
        fresh.map((f) => f.msg.clientId ?? null),
        fresh.map((f) => f.msg.ownerKey ?? null),
        fresh.map((f) => toMentionsColumn(f.msg.mentions)),
        fresh.map((f) => nameKey(f.msg.sender)),
        fresh.map((f) => (f.msg.replyTo === undefined ? null : String(f.msg.replyTo))),
        rooms,
      ]);
      // Each row's predecessor in its room: the newest before the batch, then the batch's own rows (ids ascend in batch order).
      const previous = new Map(newest.rows.map((r) => [r.room, Number(r.id)]));
      fresh.forEach(({ index, msg }, i) => {
        const mentions = withMentions(fromMentionsColumn(toMentionsColumn(msg.mentions)));
        const message: ChatMessage = { id: ids[i] as number, room: msg.room, sender: msg.sender, content: msg.content, sentAt: msg.sentAt, clientId: msg.clientId ?? null, ...mentions };
        if (msg.ownerKey !== undefined) message.ownerKey = msg.ownerKey;
        if (msg.replyTo !== undefined) message.replyTo = msg.replyTo;
        results[index] = { message, duplicate: false, previousId: previous.get(msg.room) ?? 0 };
        previous.set(msg.room, message.id);
      });
      await attachFiles(client, fresh.map((f) => f.msg), ids, (i) => results[(fresh[i] as { index: number }).index] as AppendResult);
    }
    await client.query("COMMIT");
    return results.map((r) => (typeof r === "number" ? repeatOf(results[r] as AppendOutcome) : (r as AppendOutcome)));
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release(broken); // an error discards the connection: it may be half-dead or mid-statement
  }
}
