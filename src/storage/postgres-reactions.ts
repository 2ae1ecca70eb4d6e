// Reactions in PostgreSQL (issue 22): the SQL of message_reaction, as sqlite-reactions.ts does it for SQLite.
import type pg from "pg";
import type { ReactionChange, ReactionOutcome } from "./repository.js";
import { groupingSql, toGroups, type GroupRow } from "./reaction-groups.js";

/** $1 the viewer's session key (or null), $2 the message ids. */
export const REACTIONS_OF_SQL = groupingSql("SELECT unnest($2::bigint[])", "$1");

/**
 * Inside the caller's transaction. FOR UPDATE holds the message's row until COMMIT: reactions to one message, and
 * its delete, take turns, so the cap is checked against what is really there and a delete cannot leave one behind.
 */
export async function applyReaction(client: pg.ClientBase, c: ReactionChange): Promise<ReactionOutcome> {
  const [row] = (await client.query<{ deleted_at: string | null }>("SELECT deleted_at FROM chat_message WHERE id = $1 AND chat_room = $2 FOR UPDATE", [c.id, c.room])).rows;
  if (row === undefined || row.deleted_at !== null) return { state: "not_found" };
  let changes: number;
  if (c.on) {
    const [emoji] = (await client.query<{ n: number; has: boolean | null }>("SELECT count(DISTINCT emoji)::int AS n, bool_or(emoji = $1) AS has FROM message_reaction WHERE message_id = $2", [c.emoji, c.id])).rows;
    if (emoji?.has !== true && (emoji?.n ?? 0) >= c.maxEmoji) return { state: "too_many" };
    const inserted = await client.query(
      "INSERT INTO message_reaction (message_id, emoji, session_key, name, reacted_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id, emoji, session_key) DO NOTHING",
      [c.id, c.emoji, c.sessionKey, c.name, c.at.toISOString()],
    );
    changes = inserted.rowCount ?? 0;
  } else {
    changes = (await client.query("DELETE FROM message_reaction WHERE message_id = $1 AND emoji = $2 AND session_key = $3", [c.id, c.emoji, c.sessionKey])).rowCount ?? 0;
  }
  const groups = toGroups((await client.query<GroupRow>(REACTIONS_OF_SQL, [c.sessionKey, [String(c.id)]])).rows);
  return { state: changes > 0 ? "changed" : "unchanged", reactions: groups.get(c.id) ?? [] };
}

/** A delete takes the message's reactions with its text; how many went. */
export async function removeReactions(client: pg.ClientBase, id: number): Promise<number> {
  return (await client.query("DELETE FROM message_reaction WHERE message_id = $1", [id])).rowCount ?? 0;
}
