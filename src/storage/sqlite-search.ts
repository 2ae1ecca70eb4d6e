// The SQL of search on SQLite: the FTS5 index of migration 5, joined to chat_message for the room and the
// page. User text never becomes FTS5 syntax: every token is quoted here (tokens hold only letters, digits
// and private-use characters, see chat/search-query.ts, so they cannot contain a quote).
import type Database from "better-sqlite3";
import { SEARCH_TABLE } from "./migrations.js";
import type { MessageRow, SearchQuery, SearchTerm } from "./repository.js";
import { nameKey } from "../shared/names.js";
import { matchesAllTerms } from "../shared/search-query.js";

// The same columns as sqlite.ts reads (issue 12 added owner, edit and delete times; issue 13 mentions).
const COLUMNS = "m.id, m.chat_room, m.sender, m.content, m.timestamp, m.client_id, m.owner_key, m.edited_at, m.deleted_at, m.mentions, m.reply_to";

/** `"one"  "two words"  "pref"*`: each term a quoted phrase (implicit AND), the prefix term with FTS5's `*`. */
export function ftsMatchExpression(terms: readonly SearchTerm[]): string {
  return terms.map((t) => `"${t.tokens.join(" ").replaceAll('"', '""')}"${t.prefix ? "*" : ""}`).join(" ");
}

/**
 * Parameters in order: with terms (match, before, room[, from key], limit); from-only (room, before, from key, limit).
 * The terms walk the index newest first and stop after `limit` rows of the room; from-only walks the room's rows.
 * No bm25() here: it reads every row holding each term to weigh it (75 ms for "the" in a million rows), so
 * the page is ranked afterwards, in TypeScript.
 */
export function searchSql(opts: { withTerms: boolean; withFrom: boolean }): string {
  const from = opts.withFrom ? " AND name_key(m.sender) = ?" : "";
  if (!opts.withTerms) {
    return `SELECT ${COLUMNS} FROM chat_message m INDEXED BY ix_chat_message_room_id
      WHERE m.chat_room = ? AND m.id < ?${from} ORDER BY m.id DESC LIMIT ?`;
  }
  return `SELECT ${COLUMNS} FROM ${SEARCH_TABLE} JOIN chat_message m ON m.id = ${SEARCH_TABLE}.rowid
    WHERE ${SEARCH_TABLE} MATCH ? AND ${SEARCH_TABLE}.rowid < ? AND m.chat_room = ?${from}
    ORDER BY ${SEARCH_TABLE}.rowid DESC LIMIT ?`;
}

/**
 * Up to this many rows below the cursor, a room is searched by reading them (newest first) instead of through
 * the index: cheaper than walking a common word's rows across every other room (a room of 100 among a
 * million rows: 140 ms for "the" through the index, 2 ms read here). Reading 2,000 took 30 ms: hence 500.
 */
export const SMALL_ROOM_ROWS = 500;
/** How many of the room's rows lie below the cursor, counting no further than the third parameter. */
export const SQL_ROOM_SIZE_UP_TO = `SELECT count(*) AS n FROM (SELECT 1 FROM chat_message INDEXED BY ix_chat_message_room_id
  WHERE chat_room = ? AND id < ? LIMIT ?)`;

/** The statements the small-room path reads with: the room's size below the cursor, and its rows below it. */
export interface SmallRoomStatements {
  roomSizeUpTo: Database.Statement<[string, number, number], { n: number }>;
  roomRows: Database.Statement<[string, number, number], MessageRow<number>>;
}

/**
 * A room with at most `most` rows below `before` in a big file: the index would walk the term's rows of every
 * room (a common word in a room of 100 among a million rows: 140 ms), so its rows are read and matched in
 * searchSmallRoom instead, with the folding the highlights use. `most` 0 turns the path off.
 */
export function isSmallRoom(stmts: SmallRoomStatements, room: string, before: number, most: number): boolean {
  return most > 0 && (stmts.roomSizeUpTo.get(room, before, most + 1)?.n ?? 0) <= most;
}

export function searchSmallRoom(stmts: SmallRoomStatements, room: string, query: SearchQuery, before: number, from: string | undefined, take: number, most: number): MessageRow<number>[] {
  const rows = stmts.roomRows.all(room, before, most);
  return rows.filter((r) => (from === undefined || nameKey(r.sender ?? "") === from) && matchesAllTerms(r.content ?? "", query)).slice(0, take);
}
