// Which of some messages of a room were edited or deleted (a rejoin's `shown`, chat/shown-states.ts), the same SQL
// shape for both stores: four small columns by primary key, never the text, files or mentions.
import type { EditState } from "./repository.js";

export interface EditStateRow {
  id: number | string;
  is_edited: number | boolean;
  is_deleted: number | boolean;
  reply_to: number | string | null;
}

/** A message a rejoin's `shown` must hear about: edited, deleted, or answering another (its quote follows the original). */
export const NOTABLE_MESSAGE = "edited_at IS NOT NULL OR deleted_at IS NOT NULL OR reply_to IS NOT NULL";

export const selectStates = (idsIn: string, room: string) =>
  `SELECT id, edited_at IS NOT NULL AS is_edited, deleted_at IS NOT NULL AS is_deleted, reply_to FROM chat_message WHERE chat_room = ${room} AND id IN (${idsIn}) ORDER BY id`;

/** PostgreSQL: $1 the room, $2 the ids as a bigint[]. */
export const EDIT_STATES_SQL = selectStates("SELECT unnest($2::bigint[])", "$1");

/** better-sqlite3 gives 0/1 and numbers, pg booleans and bigint strings: both read the same here. */
export const toEditState = (r: EditStateRow): EditState => ({
  id: Number(r.id),
  isEdited: r.is_edited === true || r.is_edited === 1,
  isDeleted: r.is_deleted === true || r.is_deleted === 1,
  ...(r.reply_to !== null ? { replyTo: Number(r.reply_to) } : {}),
});
