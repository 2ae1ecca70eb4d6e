// Reactions (issue 22) copied from SQLite into PostgreSQL by migrate-db, after the messages they belong to. In
// the order they were made (seq), so PostgreSQL's own seq keeps that order: the tooltip's names and the order of a
// message's emoji stay as they were. Idempotent: a reaction already there (same message, emoji, session) is skipped.
// Reactions are the union of both sides', except on a deleted message (docs/migrating.md, "Running it again").
import type Database from "better-sqlite3";
import type pg from "pg";
import { asText, hasTable } from "./copy-moderation.js";

const BATCH = 5000;

interface SourceReaction {
  seq: number;
  message_id: unknown;
  emoji: unknown;
  session_key: unknown;
  name: unknown;
  reacted_at: unknown;
}

// A message deleted on PostgreSQL since the last copy has no reactions there, and gets none back from the file.
const SQL_INSERT = `INSERT INTO message_reaction (message_id, emoji, session_key, name, reacted_at)
  SELECT s.* FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(message_id, emoji, session_key, name, reacted_at)
  WHERE NOT EXISTS (SELECT 1 FROM chat_message m WHERE m.id = s.message_id AND m.deleted_at IS NOT NULL)
  ON CONFLICT (message_id, emoji, session_key) DO NOTHING`;

/** Copies message_reaction in one transaction; returns how many rows were new. A file without the table copies nothing. */
export async function copyReactions(source: Database.Database, target: pg.Client): Promise<number> {
  if (!hasTable(source, "message_reaction")) return 0;
  const select = source.prepare<[number, number], SourceReaction>("SELECT seq, message_id, emoji, session_key, name, reacted_at FROM message_reaction WHERE seq > ? ORDER BY seq LIMIT ?");
  let copied = 0;
  await target.query("BEGIN");
  try {
    for (let after = 0; ; ) {
      const rows = select.all(after, BATCH);
      if (rows.length === 0) break;
      const column = (pick: (r: SourceReaction) => unknown): (string | null)[] => rows.map((r) => asText(pick(r)));
      const res = await target.query(SQL_INSERT, [column((r) => r.message_id), column((r) => r.emoji), column((r) => r.session_key), column((r) => r.name), column((r) => r.reacted_at)]);
      copied += res.rowCount ?? 0;
      after = (rows[rows.length - 1] as SourceReaction).seq;
    }
    await target.query("COMMIT");
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return copied;
}
