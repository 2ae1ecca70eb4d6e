// The PostgreSQL store's append batch, the parts around its INSERT: earlier rows of the same sends (idempotent
// retries) and repeats within the batch, sends into a room that moved away or that a ban or a kick closed to their
// sender, the ids it will use, and the files its messages attach.
import type pg from "pg";
import { AttachmentUnavailableError, type AppendOutcome, type AppendResult, type ChatMessage, type MessageRow, type NewMessage } from "./repository.js";
import { MESSAGE_COLUMNS as COLUMNS, toMessage } from "./message-state.js";
import { attachUploads, loadFileRows } from "./postgres-files.js";
import { withAttachments } from "./sqlite-files.js";
import { refusalOf, type MoveRow } from "./room-moves.js";
import { refuseClosedRooms } from "./postgres-sender-checks.js";

const SQL_BY_CLIENT_IDS = `SELECT ${COLUMNS} FROM chat_message
  WHERE (chat_room, client_id) IN (SELECT r, c FROM unnest($1::text[], $2::text[]) AS t(r, c))`;
const SQL_NEXT_IDS = "SELECT nextval(pg_get_serial_sequence('chat_message', 'id'))::text AS id FROM generate_series(1, $1)";
// ORDER BY id: the rows are locked in one order by every batch, so two nodes' batches cannot deadlock over them.
const SQL_LOCK_FREE_UPLOADS = "SELECT id, session_key FROM chat_file WHERE id = ANY($1::text[]) AND message_id IS NULL ORDER BY id FOR UPDATE";

export const clientKey = (room: string, clientId: string): string => `${room}\u0000${clientId}`;

/** The rows already stored under the batch's (room, clientId) pairs, by clientKey. */
export async function findByClientIds(client: pg.PoolClient, msgs: readonly NewMessage[]): Promise<Map<string, ChatMessage>> {
  const withId = msgs.filter((m): m is NewMessage & { clientId: string } => m.clientId !== undefined);
  const found = new Map<string, ChatMessage>();
  if (withId.length === 0) return found;
  const { rows } = await client.query<MessageRow<string>>(SQL_BY_CLIENT_IDS, [withId.map((m) => m.room), withId.map((m) => m.clientId)]);
  for (const m of await withAttachments(rows.map(toMessage), (ids) => loadFileRows(client, ids))) found.set(clientKey(m.room, m.clientId ?? ""), m);
  return found;
}

/** `count` fresh ids, ascending, drawn while this transaction holds the rooms' locks. */
export async function nextIds(client: pg.PoolClient, count: number): Promise<number[]> {
  const { rows } = await client.query<{ id: string }>(SQL_NEXT_IDS, [count]);
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Each send of the batch: a repeat of a stored row (its result, duplicate), a repeat of an earlier send in this batch
 * (that send's index, settled from its row once inserted), or fresh (null for now, listed in `fresh`).
 */
export function sortOutRepeats(msgs: readonly NewMessage[], existing: ReadonlyMap<string, ChatMessage>): { results: (AppendOutcome | number | null)[]; fresh: { index: number; msg: NewMessage }[] } {
  const results: (AppendOutcome | number | null)[] = [];
  const fresh: { index: number; msg: NewMessage }[] = [];
  const firstInBatch = new Map<string, number>();
  for (const [index, msg] of msgs.entries()) {
    const key = msg.clientId === undefined ? null : clientKey(msg.room, msg.clientId);
    const earlier = key === null ? undefined : existing.get(key);
    const sameBatch = key === null ? undefined : firstInBatch.get(key);
    if (earlier) {
      results.push({ message: earlier, duplicate: true });
    } else if (sameBatch !== undefined) {
      results.push(sameBatch);
    } else {
      if (key !== null) firstInBatch.set(key, index);
      fresh.push({ index, msg });
      results.push(null);
    }
  }
  return { results, fresh };
}

/** A repeat within one batch (sortOutRepeats' index) answers as its first send did: that row as a duplicate, or the same refusal. */
export function repeatOf(first: AppendOutcome): AppendOutcome {
  return first instanceof Error ? first : { message: first.message, duplicate: true };
}

/** Each room's latest move away (DISTINCT ON keeps the first row of each room in this order): one index seek per room. */
export const SQL_LATEST_MOVES = `SELECT DISTINCT ON (from_room) from_room, to_room, moved_at FROM room_move
  WHERE from_room = ANY($1::text[]) ORDER BY from_room, moved_at DESC`;

/**
 * Before the INSERT, under the batch's room locks: the fresh sends whose room still takes them from their sender,
 * every other one refused alone, in `results`: a room moved away since the sender joined it (refuseMoves), then a
 * room a ban or a kick has closed to the sender (postgres-sender-checks.ts). Both are the checks made against a room
 * the sender joined, done again where nothing can change them before the COMMIT.
 */
export async function refuseStaleSends(client: pg.ClientBase, fresh: { index: number; msg: NewMessage }[], results: (AppendOutcome | number | null)[]): Promise<{ index: number; msg: NewMessage }[]> {
  return refuseClosedRooms(client, await refuseMoves(client, fresh, results), results);
}

/**
 * The fresh sends whose room has not moved away since their sender joined it (room-moves.ts says why). A move takes
 * the same locks (postgres-access.ts), so it committed before this read, or waits for the batch to commit. One query
 * for the batch's rooms, one index seek each, and none when no send carries memberSince.
 */
async function refuseMoves(client: pg.ClientBase, fresh: { index: number; msg: NewMessage }[], results: (AppendOutcome | number | null)[]): Promise<{ index: number; msg: NewMessage }[]> {
  const rooms = [...new Set(fresh.flatMap((f) => (f.msg.memberSince === undefined ? [] : [f.msg.room])))];
  if (rooms.length === 0) return fresh;
  const { rows } = await client.query<MoveRow & { from_room: string }>(SQL_LATEST_MOVES, [rooms]);
  if (rows.length === 0) return fresh;
  const latest = new Map(rows.map((r) => [r.from_room, r]));
  return fresh.filter(({ index, msg }) => {
    const refusal = msg.memberSince === undefined ? null : refusalOf(latest.get(msg.room), msg.memberSince);
    if (refusal !== null) results[index] = refusal;
    return refusal === null;
  });
}

/**
 * Issue 18, before the INSERT: the fresh sends whose uploads are all still unattached uploads of their sender, in
 * batch order (an earlier send of the batch takes a file first); every other one is refused alone, in `results`.
 * FOR UPDATE holds those files until COMMIT: another node's batch naming one waits, then finds it taken.
 */
export async function claimUploads(client: pg.ClientBase, fresh: { index: number; msg: NewMessage }[], results: (AppendOutcome | number | null)[]): Promise<{ index: number; msg: NewMessage }[]> {
  const named = [...new Set(fresh.flatMap((f) => f.msg.attachments ?? []))];
  if (named.length === 0) return fresh;
  const { rows } = await client.query<{ id: string; session_key: string }>(SQL_LOCK_FREE_UPLOADS, [named]);
  const ownerOf = new Map(rows.map((r) => [r.id, r.session_key]));
  const claimed: { index: number; msg: NewMessage }[] = [];
  for (const send of fresh) {
    const uploads = send.msg.attachments ?? [];
    const isFree = new Set(uploads).size === uploads.length && uploads.every((id) => send.msg.ownerKey !== undefined && ownerOf.get(id) === send.msg.ownerKey);
    if (!isFree) {
      results[send.index] = new AttachmentUnavailableError();
      continue;
    }
    for (const id of uploads) ownerOf.delete(id); // this send takes them: a later send of the batch naming one is refused
    claimed.push(send);
  }
  return claimed;
}

/** Issue 18, inside the batch's transaction, after claimUploads: each new message's uploads join it, and the results carry them. */
export async function attachFiles(client: pg.ClientBase, msgs: NewMessage[], ids: number[], resultOf: (i: number) => AppendResult): Promise<void> {
  const wanted = msgs.flatMap((m, i) =>
    m.attachments !== undefined && m.attachments.length > 0 && m.ownerKey !== undefined ? [{ id: ids[i] as number, room: m.room, sessionKey: m.ownerKey, uploads: m.attachments, i }] : [],
  );
  if (wanted.length === 0) return;
  const attached = await attachUploads(client, wanted);
  // claimUploads locked every one of them: a shortfall is a bug, and storing a message without its files would hide it.
  const named = wanted.reduce((n, w) => n + w.uploads.length, 0);
  if (attached !== named) throw new Error(`attached ${attached} of the batch's ${named} files`);
  const messages = wanted.map((w) => Object.assign(resultOf(w.i).message, { fileCount: 1 }));
  await withAttachments(messages, (found) => loadFileRows(client, found));
}
