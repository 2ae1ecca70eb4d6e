// Reactions in SQLite (issue 22): the SQL of message_reaction, run inside the store's transactions.
import type Database from "better-sqlite3";
import type { ReactionChange, ReactionGroup, ReactionOutcome } from "./repository.js";
import { groupingSql, toGroups, type GroupRow } from "./reaction-groups.js";

export function loadReactions(db: Database.Database, ids: readonly number[], viewerKey: string | null): Map<number, ReactionGroup[]> {
  if (ids.length === 0) return new Map();
  const rows = db.prepare(groupingSql(ids.map(() => "?").join(", "), "?")).all(viewerKey, ...ids) as GroupRow[];
  return toGroups(rows);
}

/** Inside the caller's IMMEDIATE transaction: check, change, read back. */
export function applyReaction(db: Database.Database, c: ReactionChange): ReactionOutcome {
  const row = db.prepare("SELECT deleted_at FROM chat_message WHERE id = ? AND chat_room = ?").get(c.id, c.room) as { deleted_at: string | null } | undefined;
  if (row === undefined || row.deleted_at !== null) return { state: "not_found" };
  let changes: number;
  if (c.on) {
    const emoji = db.prepare("SELECT count(DISTINCT emoji) AS n, max(emoji = ?) AS has FROM message_reaction WHERE message_id = ?").get(c.emoji, c.id) as { n: number; has: number | null };
    if (emoji.has !== 1 && emoji.n >= c.maxEmoji) return { state: "too_many" };
    changes = db
      .prepare("INSERT INTO message_reaction (message_id, emoji, session_key, name, reacted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id, emoji, session_key) DO NOTHING")
      .run(c.id, c.emoji, c.sessionKey, c.name, c.at.toISOString()).changes;
  } else {
    changes = db.prepare("DELETE FROM message_reaction WHERE message_id = ? AND emoji = ? AND session_key = ?").run(c.id, c.emoji, c.sessionKey).changes;
  }
  return { state: changes > 0 ? "changed" : "unchanged", reactions: loadReactions(db, [c.id], c.sessionKey).get(c.id) ?? [] };
}

/** A delete takes the message's reactions with its text; how many went. */
export function removeReactions(db: Database.Database, id: number): number {
  return db.prepare("DELETE FROM message_reaction WHERE message_id = ?").run(id).changes;
}
