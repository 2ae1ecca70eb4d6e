// The message statements of the SQLite store (sqlite.ts): their SQL, their types, and preparing them on a
// connection (sqlite-connection.ts prepares them again after it reopens).
import type Database from "better-sqlite3";
import type { MessageRow } from "./repository.js";
import { prepareSearchStatements, type SearchStatements } from "./sqlite-search.js";
import { createSearchIndexer, type SearchIndexer } from "./sqlite-search-index.js";

export const COLUMNS = "id, chat_room, sender, content, timestamp, client_id, owner_key, edited_at, deleted_at, mentions, files, reply_to";
// Both walk ix_chat_message_room_id from one end of the room's range: cost is the page size, not the room size.
// INDEXED BY pins that plan: once ANALYZE has stats (better-sqlite3 builds with STAT4), SQLite picks a rowid
// range scan for a room holding many of the rows, which reads every newer row of every other room first.
// https://sqlite.org/lang_indexedby.html: meant to fail loudly rather than let the plan of a timed query drift.
const PAGE_FROM = "FROM chat_message INDEXED BY ix_chat_message_room_id";
export const SQL_PAGE_BEFORE = `SELECT ${COLUMNS} ${PAGE_FROM} WHERE chat_room = ? AND id < ? ORDER BY id DESC LIMIT ?`;
export const SQL_PAGE_AFTER = `SELECT ${COLUMNS} ${PAGE_FROM} WHERE chat_room = ? AND id > ? ORDER BY id ASC LIMIT ?`;
// sender_key (migration 15): the sender's name key, which from: finds rows by (sqlite-search.ts).
export const SQL_INSERT = "INSERT INTO chat_message (chat_room, sender, sender_key, content, timestamp, client_id, owner_key, mentions, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const SQL_BY_CLIENT_ID = `SELECT ${COLUMNS} FROM chat_message WHERE chat_room = ? AND client_id = ?`;
const SQL_FIND = `SELECT ${COLUMNS} FROM chat_message WHERE id = ? AND chat_room = ?`;
// The ids as one JSON array, so one statement serves every count (an IN list of ? needs one per count). SQLite
// builds the list from json_each, then searches each id by the primary key in ascending order: no sort, no scan.
// The + keeps chat_room a check on the row found: without stats (no ANALYZE yet) SQLite cannot tell how long the
// list is and took ix_chat_message_room_id instead, two searches per id where the key needs one.
export const SQL_BY_IDS = `SELECT ${COLUMNS} FROM chat_message WHERE +chat_room = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`;
// Only a live row changes: an edit racing a delete can never bring the erased text back.
const SQL_EDIT = `UPDATE chat_message SET content = ?, edited_at = ?, mentions = ? WHERE id = ? AND chat_room = ? AND deleted_at IS NULL RETURNING ${COLUMNS}`;
// A tombstone mentions nobody: the names would tell what the erased text said.
const SQL_ERASE = `UPDATE chat_message SET content = '', mentions = NULL, deleted_at = ? WHERE id = ? AND chat_room = ? AND deleted_at IS NULL RETURNING ${COLUMNS}`;

/** A chat_message row as the driver returns it (better-sqlite3 gives ids as numbers, pg bigints as strings). */
export type Row = MessageRow<number>;

export interface Statements extends SearchStatements {
  before: Database.Statement<[string, number, number], Row>;
  after: Database.Statement<[string, number, number], Row>;
  insert: Database.Statement<[string, string, string, string, string, string | null, string | null, string | null, number | null]>;
  byClientId: Database.Statement<[string, string], Row>;
  find: Database.Statement<[number, string], Row>;
  /** (room, JSON array of ids) */
  byIds: Database.Statement<[string, string], Row>;
  edit: Database.Statement<[string, string, string | null, number, string], Row>;
  findAny: Database.Statement<[number], Row>;
  erase: Database.Statement<[string, number, string], Row>;
  dataVersion: Database.Statement<[], number>;
  indexer: SearchIndexer;
}

/** Every statement of the store, prepared on `db`. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    before: db.prepare(SQL_PAGE_BEFORE),
    after: db.prepare(SQL_PAGE_AFTER),
    insert: db.prepare(SQL_INSERT),
    byClientId: db.prepare(SQL_BY_CLIENT_ID),
    ...prepareSearchStatements(db, SQL_PAGE_BEFORE),
    find: db.prepare(SQL_FIND),
    byIds: db.prepare(SQL_BY_IDS),
    edit: db.prepare(SQL_EDIT),
    findAny: db.prepare(`SELECT ${COLUMNS} FROM chat_message WHERE id = ?`),
    erase: db.prepare(SQL_ERASE),
    dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
    indexer: createSearchIndexer(db),
  };
}
