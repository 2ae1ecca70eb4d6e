// Reactions in SQLite (issue 22): the SQL of message_reaction, run inside the store's transactions.
import type Database from "better-sqlite3";
import { REACTION_NAMES, type ReactionChange, type ReactionGroup, type ReactionOutcome } from "./repository.js";

/** A reaction row as the grouping query answers it: one per listed name, with its group's count and whether the viewer is in it. */
export interface GroupRow {
  message_id: number | string;
  emoji: string;
  name: string;
  n: number | string;
  mine: number | boolean;
}

/**
 * Each message's emoji in the order they first appeared, each with its count, whether `viewer` reacted, and its
 * first names in reaction order: one pass over the messages' rows (the unique index leads with message_id).
 * `ids` and `viewer` are placeholders the caller fills ($n for PostgreSQL, ? for SQLite).
 */
export function groupingSql(ids: string, viewer: string): string {
  return `SELECT message_id, emoji, name, n, mine FROM (
  SELECT message_id, emoji, name, seq,
    row_number() OVER (PARTITION BY message_id, emoji ORDER BY seq) AS rn,
    count(*) OVER (PARTITION BY message_id, emoji) AS n,
    max(CASE WHEN session_key = ${viewer} THEN 1 ELSE 0 END) OVER (PARTITION BY message_id, emoji) AS mine,
    min(seq) OVER (PARTITION BY message_id, emoji) AS first_seq
  FROM message_reaction WHERE message_id IN (${ids})
) AS r WHERE rn <= ${REACTION_NAMES} ORDER BY message_id, first_seq, rn`;
}

/** The grouping query's rows as groups per message, in the order the rows come. */
export function toGroups(rows: readonly GroupRow[]): Map<number, ReactionGroup[]> {
  const byMessage = new Map<number, ReactionGroup[]>();
  for (const r of rows) {
    const id = Number(r.message_id);
    let groups = byMessage.get(id);
    if (groups === undefined) byMessage.set(id, (groups = []));
    const last = groups[groups.length - 1];
    if (last !== undefined && last.emoji === r.emoji) last.names.push(r.name);
    else groups.push({ emoji: r.emoji, count: Number(r.n), names: [r.name], isMine: r.mine === true || Number(r.mine) === 1 });
  }
  return byMessage;
}

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
