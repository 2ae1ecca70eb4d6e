// The SQL of search on SQLite: the FTS5 index of migration 5, joined to chat_message for the room and the
// page. User text never becomes FTS5 syntax: every token is quoted here (tokens hold only letters, digits
// and private-use characters, see chat/search-query.ts, so they cannot contain a quote).
import type Database from "better-sqlite3";
import { SEARCH_TABLE } from "./migrations.js";
import { SENDER_KEY_INDEX } from "./sender-keys.js";
import type { MessageRow, SearchQuery, SearchTerm } from "./repository.js";
import { nameKey } from "../shared/names.js";
import { matchesAllTerms } from "../shared/search-query.js";

// The same columns as sqlite.ts reads (issue 12 added owner, edit and delete times; issue 13 mentions; issue 18
// files, without which a hit found here came without its attachments).
const COLUMNS = "m.id, m.chat_room, m.sender, m.content, m.timestamp, m.client_id, m.owner_key, m.edited_at, m.deleted_at, m.mentions, m.files, m.reply_to";

/** `"one"  "two words"  "pref"*`: each term a quoted phrase (implicit AND), the prefix term with FTS5's `*`. */
export function ftsMatchExpression(terms: readonly SearchTerm[]): string {
  return terms.map((t) => `"${t.tokens.join(" ").replaceAll('"', '""')}"${t.prefix ? "*" : ""}`).join(" ");
}

/** The named parameters every search statement takes (better-sqlite3 binds an object to `@name`). */
export interface SearchParams {
  room: string;
  before: number;
  take: number;
  /** The sender's name key, for from:. */
  key?: string;
  /** The FTS5 expression, for words. */
  match?: string;
}

// A room's rows of one sender, newest first, through migration 15's index. Two arms, each stopping at the page:
// the keyed rows, and the rows nobody has keyed yet (the Flask app's, until the indexer reaches them: few, and
// only those call name_key). One `sender_key = @key OR (sender_key IS NULL AND ...)` would not do: SQLite then
// reads the whole room (through either index, 65–230 ms for a room of 900,000 rows) to sort it.
const SENDER_ROWS = `FROM chat_message m INDEXED BY ${SENDER_KEY_INDEX} WHERE m.chat_room = @room AND m.id < @before`;
const SQL_FROM_ONLY = `SELECT * FROM (SELECT ${COLUMNS} ${SENDER_ROWS} AND m.sender_key = @key ORDER BY m.id DESC LIMIT @take)
  UNION ALL SELECT * FROM (SELECT ${COLUMNS} ${SENDER_ROWS} AND m.sender_key IS NULL AND name_key(m.sender) = @key ORDER BY m.id DESC LIMIT @take)
  ORDER BY id DESC LIMIT @take`;
/** How many of the sender's keyed rows in the room lie below the cursor, counting no further than @take (index only). */
const SQL_SENDER_ROWS_UP_TO = `SELECT count(*) AS n FROM (SELECT 1 ${SENDER_ROWS} AND m.sender_key = @key LIMIT @take)`;
// The key stored with the row, or for a row not keyed yet the key computed from its sender.
const FROM_FILTER = " AND (m.sender_key = @key OR (m.sender_key IS NULL AND name_key(m.sender) = @key))";

/**
 * With words, the FTS index walks the words' rows newest first and stops after `take` rows of the room (and the
 * sender, with from:); from: alone reads the sender's rows. No bm25() here: it reads every row holding each term
 * to weigh it (75 ms for "the" in a million rows), so the page is ranked afterwards, in TypeScript.
 */
export function searchSql(opts: { withTerms: boolean; withFrom: boolean }): string {
  if (!opts.withTerms) return SQL_FROM_ONLY;
  return `SELECT ${COLUMNS} FROM ${SEARCH_TABLE} JOIN chat_message m ON m.id = ${SEARCH_TABLE}.rowid
    WHERE ${SEARCH_TABLE} MATCH @match AND ${SEARCH_TABLE}.rowid < @before AND m.chat_room = @room${opts.withFrom ? FROM_FILTER : ""}
    ORDER BY ${SEARCH_TABLE}.rowid DESC LIMIT @take`;
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

/** Every statement a search reads with, prepared once per connection. */
export interface SearchStatements extends SmallRoomStatements {
  search: Database.Statement<[SearchParams], MessageRow<number>>;
  searchFrom: Database.Statement<[SearchParams], MessageRow<number>>;
  fromOnly: Database.Statement<[SearchParams], MessageRow<number>>;
  senderRowsUpTo: Database.Statement<[SearchParams], { n: number }>;
}

/** `roomRowsSql`: the store's page of a room below a cursor (sqlite.ts's SQL_PAGE_BEFORE), read by the small-room path. */
export function prepareSearchStatements(db: Database.Database, roomRowsSql: string): SearchStatements {
  // For rows not keyed yet (sender-keys.ts): from: compares name keys, as name ownership does. Only queries call
  // it, so the Flask app never needs it.
  db.function("name_key", { deterministic: true }, (name: unknown) => (typeof name === "string" ? nameKey(name) : null));
  return {
    search: db.prepare(searchSql({ withTerms: true, withFrom: false })),
    searchFrom: db.prepare(searchSql({ withTerms: true, withFrom: true })),
    fromOnly: db.prepare(searchSql({ withTerms: false, withFrom: true })),
    senderRowsUpTo: db.prepare(SQL_SENDER_ROWS_UP_TO),
    roomSizeUpTo: db.prepare(SQL_ROOM_SIZE_UP_TO),
    roomRows: db.prepare(roomRowsSql),
  };
}

/**
 * The newest `take` matches below `before`, newest first: from: alone through the room's rows, a small room read
 * and matched here, anything else through the FTS index (which walks its doclists from the top and stops at the page).
 */
export function searchRows(stmts: SearchStatements, room: string, query: SearchQuery, before: number, take: number, scanRows: number): MessageRow<number>[] {
  const key = query.from === undefined ? undefined : nameKey(query.from);
  if (key !== undefined) {
    if (query.terms.length === 0) return stmts.fromOnly.all({ room, before, key, take });
    const few = fewRowsOfSender(stmts, room, key, before, scanRows);
    if (few !== undefined) return few.filter((r) => matchesAllTerms(r.content ?? "", query)).slice(0, take);
  }
  if (isSmallRoom(stmts, room, before, scanRows)) return searchSmallRoom(stmts, room, query, before, key, take, scanRows);
  const match = ftsMatchExpression(query.terms);
  return key === undefined ? stmts.search.all({ room, before, match, take }) : stmts.searchFrom.all({ room, before, match, key, take });
}

/**
 * All of the sender's rows in the room below `before` when there are at most `most` (newest first), else undefined.
 * With words, a sender with few rows is matched here: the FTS index would walk the words' rows of every sender
 * and room looking for theirs (a common word and a name that never wrote: the word's every row).
 */
function fewRowsOfSender(stmts: SearchStatements, room: string, key: string, before: number, most: number): MessageRow<number>[] | undefined {
  // Counted first in the index (0.03 ms): reading 501 rows only to learn there are more took 1.7 ms.
  if (most <= 0 || (stmts.senderRowsUpTo.get({ room, before, key, take: most + 1 })?.n ?? 0) > most) return undefined;
  const rows = stmts.fromOnly.all({ room, before, key, take: most + 1 });
  return rows.length <= most ? rows : undefined; // rows not keyed yet may be more
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
