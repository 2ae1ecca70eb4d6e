// Before migrate-db writes a row, it checks the whole file against PostgreSQL: a message PostgreSQL holds under one
// of the file's ids (or under a room's client id the file uses) must be the file's message, known by its identity
// (copy-message-rows.ts), whatever happened to its text since. One that is not is a different history: the copy
// stops before writing anything, so a wrong --to never ends up half-mixed. One query per batch, answering only the
// clashes (none, normally): the rows already there are compared inside PostgreSQL, not sent back.
import type pg from "pg";
import { clashError, IDENTITY_COLUMNS, valueOf, type Values } from "./copy-message-rows.js";

const differs = IDENTITY_COLUMNS.map((c) => (c === "reply_to" ? `t.reply_to::text IS DISTINCT FROM s.reply_to` : `t.${c} IS DISTINCT FROM s.${c}`)).join(" OR ");

// The first clash of the batch, by the file's id (bigint, read back as text): under the same id, or under the same room and client id.
const SQL_FIRST_CLASH = `WITH s AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS s(id, chat_room, sender, timestamp, client_id, owner_key, reply_to)
  )
  SELECT s.id AS file_id, true AS same_id, t.id::text, t.chat_room, t.sender, t.timestamp FROM s JOIN chat_message t ON t.id = s.id WHERE ${differs}
  UNION ALL
  SELECT s.id, false, t.id::text, t.chat_room, t.sender, t.timestamp FROM s JOIN chat_message t ON t.chat_room = s.chat_room AND t.client_id = s.client_id AND t.id <> s.id
  ORDER BY 1 LIMIT 1`;

interface ClashRow {
  file_id: string;
  same_id: boolean;
  id: string;
  chat_room: string | null;
  sender: string | null;
  timestamp: string | null;
}

/**
 * Throws the clash error for the batch's first clash; resolves when every row is new or the same message. Only rows
 * that could clash are sent: those at or below PostgreSQL's highest id, and those with a client id (so a first copy
 * into an empty database, or the Flask app's rows above what is there, cost no query).
 */
export async function checkNoClash(target: pg.ClientBase, batch: readonly Values[], highestId: number): Promise<void> {
  const rows = batch.filter((r) => Number(r[0]) <= highestId || valueOf(r, "client_id") !== null);
  if (rows.length === 0) return;
  const params = [rows.map((r) => r[0]), ...IDENTITY_COLUMNS.map((c) => rows.map((r) => valueOf(r, c)))];
  const [clash] = (await target.query<ClashRow>(SQL_FIRST_CLASH, params)).rows;
  if (clash === undefined) return;
  const row = rows.find((r) => r[0] === clash.file_id) as Values;
  throw clashError(row, [clash.id, clash.chat_room, clash.sender, null, clash.timestamp], clash.same_id, "check");
}
