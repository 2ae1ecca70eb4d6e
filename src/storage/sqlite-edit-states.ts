// Which of some messages of a room were edited or deleted, in SQLite (the SQL for one read by id: edit-states.ts).
//
// A rejoin lists up to 500 ids, nearly always a run of the room's messages one after another, and almost every one
// is plain (not edited, not deleted, no reply). Searching each id and building a row for each cost about 315 µs
// per rejoin in a room of 20,000 (bench/rejoin-shown.ts), more than half of what a rejoin costs. So the run is
// walked instead, from the highest listed id down, in the (chat_room, id) index alone, at most twice as many rows
// as were listed (a bound a made-up list cannot stretch), the ids coming back as one string; and the notable
// messages of the stretch walked come from their partial index (migration 17). Only the listed ids the walk did not
// reach (a list with gaps wider than the bound) are searched one by one.
import type Database from "better-sqlite3";
import { NOTABLE_MESSAGE, selectStates, toEditState, type EditStateRow } from "./edit-states.js";
import type { EditState } from "./repository.js";
import { paddedIds } from "./sqlite-reactions.js";
import { prepared } from "./sqlite-statements.js";

/** selectStates's columns in order: id, is_edited, is_deleted, reply_to. */
type RawEditStateRow = [EditStateRow["id"], EditStateRow["is_edited"], EditStateRow["is_deleted"], EditStateRow["reply_to"]];

/** How many of the room's rows the walk may visit per listed id. */
const WALK_ROWS_PER_ID = 2;

/** The room's ids from the highest listed down to the lowest, at most the bound (room, low, high, bound): one string, where it stopped, how many. */
const WALK = `SELECT group_concat(id) AS ids, min(id) AS lowest, count(*) AS visited
  FROM (SELECT id FROM chat_message WHERE chat_room = ? AND id BETWEEN ? AND ? ORDER BY id DESC LIMIT ?)`;

/** The notable messages of the room between two ids (room, low, high), from the partial index. */
const NOTABLE = `SELECT id, edited_at IS NOT NULL, deleted_at IS NOT NULL, reply_to FROM chat_message
  WHERE chat_room = ? AND id BETWEEN ? AND ? AND (${NOTABLE_MESSAGE})`;

interface Walk {
  ids: string | null;
  lowest: number | null;
  visited: number;
}

/** SQLite: the states of the listed ids that are messages of `room`, oldest first. */
export function loadEditStates(db: Database.Database, room: string, ids: readonly number[]): EditState[] {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const [low, high] = [Math.min(...wanted), Math.max(...wanted)];
  const bound = wanted.length * WALK_ROWS_PER_ID;
  const walk = prepared(db, WALK).get(room, low, high, bound) as Walk;
  const inRoom = new Set(walk.ids === null ? [] : walk.ids.split(",").map(Number));
  const notable = new Map<number, EditState>();
  if (walk.lowest !== null) for (const row of prepared(db, NOTABLE).raw(true).all(room, walk.lowest, high) as RawEditStateRow[]) add(notable, row);
  // The walk stopped at its bound above `low`: the listed ids below where it stopped are searched by id.
  const stoppedAt = walk.visited < bound ? null : walk.lowest;
  if (stoppedAt !== null) for (const row of byId(db, room, wanted.filter((id) => id < stoppedAt))) add(notable, row);
  const states: EditState[] = [];
  for (const id of wanted.sort((a, b) => a - b)) {
    const state = notable.get(id) ?? (inRoom.has(id) ? { id, isEdited: false, isDeleted: false } : undefined);
    if (state !== undefined) states.push(state);
  }
  return states;
}

function add(states: Map<number, EditState>, [id, isEdited, isDeleted, replyTo]: RawEditStateRow): void {
  states.set(Number(id), toEditState({ id, is_edited: isEdited, is_deleted: isDeleted, reply_to: replyTo }));
}

/** One search per id, one statement per size class of the id list (paddedIds), kept with the connection. */
function byId(db: Database.Database, room: string, ids: readonly number[]): RawEditStateRow[] {
  if (ids.length === 0) return [];
  const padded = paddedIds(ids);
  // The comment in the SQL keeps this raw statement apart from any other use of the same SQL in the statement cache.
  return prepared(db, `${selectStates(padded.map(() => "?").join(", "), "?")} -- raw`).raw(true).all(room, ...padded) as RawEditStateRow[];
}
