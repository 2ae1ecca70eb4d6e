// A message migrate-db copied before and changed since, on either side (docs/migrating.md, "Running it again"). A
// message is known by what never changes once it is written: its id, room, sender, original time, client id, owner
// and the message it answers. Its state (text, edit time, deletion, mentions, files) may change on either side
// after a copy: a node on PostgreSQL, or the Flask app or the port in SQLite mode still running. The rule:
// - a deletion is final on either side: PostgreSQL's stays, SQLite's is carried over (with the message's files and
//   reactions, as a delete on a node removes them);
// - otherwise the later edit (edited_at) wins; on a tie, or when PostgreSQL's is the later, PostgreSQL's is kept.
// Compared a batch at a time with the rows the batch's INSERT skipped: no query per row.
import type pg from "pg";
import type Database from "better-sqlite3";
import { hasTable } from "./copy-moderation.js";

/** The columns that change after a message is written, as text (migrate-db's Values order, see STATE). */
export interface MessageState {
  content: string | null;
  editedAt: string | null;
  deletedAt: string | null;
  mentions: string | null;
  files: string | null;
}

/** What a re-run does with a message both sides hold. */
export type Settlement = "unchanged" | "carry_deletion" | "carry_edit" | "keep_postgres";

export interface ChangeCounts {
  /** Deletions made in SQLite since the last copy, carried over. */
  deletions: number;
  /** Edits made in SQLite since the last copy (and later than any on PostgreSQL), carried over. */
  edits: number;
  /** Rows whose PostgreSQL version differs and wins (edited or deleted by a node, or the later edit): left as they are. */
  keptInPostgres: number;
}

export const noChanges = (): ChangeCounts => ({ deletions: 0, edits: 0, keptInPostgres: 0 });

const sameState = (a: MessageState, b: MessageState): boolean =>
  a.content === b.content && a.editedAt === b.editedAt && a.deletedAt === b.deletedAt && a.mentions === b.mentions && a.files === b.files;

/**
 * The rule, for one message both sides hold under one identity. Edit times are ISO text in UTC (toISOString on
 * both stores), so comparing them as strings compares the times; a message never edited (NULL) loses to any edit.
 */
export function settle(sqlite: MessageState, postgres: MessageState): Settlement {
  if (sameState(sqlite, postgres)) return "unchanged";
  if (postgres.deletedAt !== null) return "keep_postgres";
  if (sqlite.deletedAt !== null) return "carry_deletion";
  return (sqlite.editedAt ?? "") > (postgres.editedAt ?? "") ? "carry_edit" : "keep_postgres";
}

/** A message whose SQLite state goes into PostgreSQL: its id and state as text. */
export interface Carried {
  id: string;
  state: MessageState;
}

// The state columns in one UPDATE for the batch; sender_key and the search vector follow (generated or unchanged).
const SQL_CARRY = `UPDATE chat_message t SET content = s.content, edited_at = s.edited_at, deleted_at = s.deleted_at, mentions = s.mentions, files = s.files
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) AS s(id, content, edited_at, deleted_at, mentions, files)
  WHERE t.id = s.id`;

/**
 * Writes the carried states in the batch's transaction. A deletion takes the message's reactions and files with it,
 * as erase does on a node (the stored bytes nothing else uses are freed by the nodes' file sweep); an edit keeps
 * only the files SQLite's version still has, as an edit that drops a file does.
 */
export async function carryChanges(source: Database.Database, target: pg.ClientBase, deletions: Carried[], edits: Carried[]): Promise<void> {
  const carried = [...deletions, ...edits];
  if (carried.length === 0) return;
  const column = (pick: (s: MessageState) => string | null): (string | null)[] => carried.map((c) => pick(c.state));
  await target.query(SQL_CARRY, [carried.map((c) => c.id), column((s) => s.content), column((s) => s.editedAt), column((s) => s.deletedAt), column((s) => s.mentions), column((s) => s.files)]);
  if (deletions.length > 0) {
    const ids = deletions.map((d) => d.id);
    await target.query("DELETE FROM message_reaction WHERE message_id = ANY($1::bigint[])", [ids]);
    await target.query("DELETE FROM chat_file WHERE message_id = ANY($1::bigint[])", [ids]);
  }
  if (edits.length > 0) {
    const ids = edits.map((e) => e.id);
    await target.query("DELETE FROM chat_file WHERE message_id = ANY($1::bigint[]) AND NOT (id = ANY($2::text[]))", [ids, filesStillAttached(source, ids)]);
  }
}

/** The ids of the files SQLite's messages still have (none when the file is older than files in messages). */
function filesStillAttached(source: Database.Database, messageIds: string[]): string[] {
  if (!hasTable(source, "chat_file")) return [];
  const rows = source.prepare("SELECT id FROM chat_file WHERE message_id IN (SELECT value FROM json_each(?))").all(JSON.stringify(messageIds.map(Number))) as { id: string }[];
  return rows.map((r) => r.id);
}
