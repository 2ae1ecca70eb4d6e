// Reactions in SQLite (issue 22): the SQL of message_reaction, run inside the store's transactions.
import type Database from "better-sqlite3";
import type { ReactionChange, ReactionGroup, ReactionOutcome } from "./repository.js";
import { groupingSql, toGroups, type GroupRow } from "./reaction-groups.js";
import { prepared } from "./sqlite-statements.js";

/**
 * The ids padded with NULLs (which match nothing) to the next power of two: the statement is prepared once per
 * size class and kept with the connection, where one per exact count would grow without bound. Preparing on every
 * call was 1.6 s of a 10,000-client restart's profile (each rejoin's catch-up page reads its reactions).
 */
export function paddedIds(ids: readonly number[]): (number | null)[] {
  let size = 1;
  while (size < ids.length) size *= 2;
  return [...ids, ...new Array<null>(size - ids.length).fill(null)];
}

export function loadReactions(db: Database.Database, ids: readonly number[], viewerKey: string | null): Map<number, ReactionGroup[]> {
  if (ids.length === 0) return new Map();
  const padded = paddedIds(ids);
  const rows = prepared(db, groupingSql(padded.map(() => "?").join(", "), "?")).all(viewerKey, ...padded) as GroupRow[];
  return toGroups(rows);
}

/** Inside the caller's IMMEDIATE transaction: check, change, read back. */
export function applyReaction(db: Database.Database, c: ReactionChange): ReactionOutcome {
  const row = prepared(db, "SELECT deleted_at FROM chat_message WHERE id = ? AND chat_room = ?").get(c.id, c.room) as { deleted_at: string | null } | undefined;
  if (row === undefined || row.deleted_at !== null) return { state: "not_found" };
  let changes: number;
  if (c.on) {
    const emoji = prepared(db, "SELECT count(DISTINCT emoji) AS n, max(emoji = ?) AS has FROM message_reaction WHERE message_id = ?").get(c.emoji, c.id) as { n: number; has: number | null };
    if (emoji.has !== 1 && emoji.n >= c.maxEmoji) return { state: "too_many" };
    changes = prepared(
      db,
      "INSERT INTO message_reaction (message_id, emoji, session_key, name, reacted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id, emoji, session_key) DO NOTHING",
    ).run(c.id, c.emoji, c.sessionKey, c.name, c.at.toISOString()).changes;
  } else {
    changes = prepared(db, "DELETE FROM message_reaction WHERE message_id = ? AND emoji = ? AND session_key = ?").run(c.id, c.emoji, c.sessionKey).changes;
  }
  return { state: changes > 0 ? "changed" : "unchanged", reactions: loadReactions(db, [c.id], c.sessionKey).get(c.id) ?? [] };
}

/** A delete takes the message's reactions with its text; how many went. */
export function removeReactions(db: Database.Database, id: number): number {
  return prepared(db, "DELETE FROM message_reaction WHERE message_id = ?").run(id).changes;
}
