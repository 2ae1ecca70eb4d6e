// Which of some messages of a room were edited or deleted, in SQLite (the SQL: edit-states.ts).
import type Database from "better-sqlite3";
import { selectStates, toEditState, type EditStateRow } from "./edit-states.js";
import type { EditState } from "./repository.js";
import { paddedIds } from "./sqlite-reactions.js";
import { prepared } from "./sqlite-statements.js";

/** selectStates's columns in order: id, is_edited, is_deleted, reply_to. */
type RawEditStateRow = [EditStateRow["id"], EditStateRow["is_edited"], EditStateRow["is_deleted"], EditStateRow["reply_to"]];

/** SQLite: one statement per size class of the id list (paddedIds), kept with the connection. */
export function loadEditStates(db: Database.Database, room: string, ids: readonly number[]): EditState[] {
  if (ids.length === 0) return [];
  const padded = paddedIds(ids);
  // Rows as arrays (raw): building 500 row objects cost more than the 500 index searches (about 390 µs against
  // 565 µs for 512 ids, bench/rejoin-shown.ts's room). The comment in the SQL keeps this raw statement apart from
  // any other use of the same SQL in the connection's statement cache.
  const statement = prepared(db, `${selectStates(padded.map(() => "?").join(", "), "?")} -- raw`).raw(true);
  const rows = statement.all(room, ...padded) as RawEditStateRow[];
  return rows.map(([id, isEdited, isDeleted, replyTo]) => toEditState({ id, is_edited: isEdited, is_deleted: isDeleted, reply_to: replyTo }));
}
