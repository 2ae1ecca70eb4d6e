// A message's reactions grouped per emoji (issue 22), the same statement and reading in both stores.
import { REACTION_NAMES, type ReactionGroup } from "./repository.js";

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
