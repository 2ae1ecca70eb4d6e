// Which of some messages of a room were edited or deleted, in SQLite (the SQL: edit-states.ts).
import type Database from "better-sqlite3";
import { selectStates, toEditState, type EditStateRow } from "./edit-states.js";
import type { EditState } from "./repository.js";
import { paddedIds } from "./sqlite-reactions.js";
import { prepared } from "./sqlite-statements.js";

/** SQLite: one statement per size class of the id list (paddedIds), kept with the connection. */
export function loadEditStates(db: Database.Database, room: string, ids: readonly number[]): EditState[] {
  if (ids.length === 0) return [];
  const padded = paddedIds(ids);
  const rows = prepared(db, selectStates(padded.map(() => "?").join(", "), "?")).all(room, ...padded) as EditStateRow[];
  return rows.map(toEditState);
}
