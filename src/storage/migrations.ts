import type Database from "better-sqlite3";
import { nameBansFromAuditSqlite } from "./ban-names.js";
import { NOTABLE_MESSAGE } from "./edit-states.js";
import { PUSH_DDL } from "./push-sql.js";
import { createSearchIndex, DEFERRED_SEARCH_DDL } from "./search-index-migrations.js";
import { keyExistingSenders } from "./sender-keys.js";
import { ROOM_KICK_DDL } from "./room-kicks.js";
import { ROOM_MOVE_DDL } from "./room-moves.js";

export { SEARCH_TABLE } from "./search-index-migrations.js";

// The Flask app's table, to the letter. IF NOT EXISTS: a chat_history.db written by the Flask app is adopted as it is.
export const LEGACY_DDL = `CREATE TABLE IF NOT EXISTS chat_message (
  id INTEGER PRIMARY KEY,
  chat_room VARCHAR(50),
  sender VARCHAR(50),
  content VARCHAR(500),
  timestamp DATETIME
)`;

// Moderation state (issue 12). Times are ISO 8601 text: compared as strings, they sort as times.
const MODERATION_DDL = `
CREATE TABLE IF NOT EXISTS moderator_session (
  session_key TEXT PRIMARY KEY,
  since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS room_ban (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL,
  name_key TEXT NOT NULL,
  session_key TEXT,
  until TEXT NOT NULL,
  moderator TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_room_ban_room_name ON room_ban (room, name_key, until);
CREATE INDEX IF NOT EXISTS ix_room_ban_room_session ON room_ban (room, session_key, until);
CREATE TABLE IF NOT EXISTS moderation_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  moderator TEXT NOT NULL,
  action TEXT NOT NULL,
  room TEXT,
  target TEXT,
  message_id INTEGER,
  detail TEXT
);`;

/** Migration 18 (PostgreSQL's 13): the direct conversations opened from a room, found by their origin. */
export const ROOM_RECORD_ORIGIN_INDEX = "CREATE INDEX IF NOT EXISTS ix_room_record_origin ON room_record (origin_room)";

// Private rooms, invite links and direct conversations (issue 17). Tables of their own, so the Flask app's
// chat_message is untouched; members are session keys (the cookie is never stored), invites token hashes.
export const ROOM_ACCESS_DDL = `
CREATE TABLE IF NOT EXISTS room_record (
  room TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('private', 'direct')),
  creator_key TEXT,
  members_can_invite INTEGER NOT NULL DEFAULT 0,
  origin_room TEXT,
  pair_key TEXT UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_room_record_creator ON room_record (creator_key);
CREATE TABLE IF NOT EXISTS room_member (
  room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE,
  session_key TEXT NOT NULL,
  name TEXT,
  admitted_at TEXT NOT NULL,
  closed_upto INTEGER,
  PRIMARY KEY (room, session_key)
);
CREATE INDEX IF NOT EXISTS ix_room_member_session ON room_member (session_key);
CREATE TABLE IF NOT EXISTS room_invite (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  max_uses INTEGER,
  uses INTEGER NOT NULL DEFAULT 0,
  revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_room_invite_room ON room_invite (room, id);`;

// Files in messages (issue 18): uploads and the blobs of their bytes (the bytes themselves are on disk in
// FILES_PATH). chat_message.files counts a message's files (NULL: none), so a page of history looks for files
// only when one of its messages has some; nullable, so the Flask app's INSERTs still work.
export const FILES_DDL = `
CREATE TABLE IF NOT EXISTS file_blob (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  touched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_file (
  id TEXT PRIMARY KEY,
  session_key TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  width INTEGER,
  height INTEGER,
  thumb_sha256 TEXT,
  display_sha256 TEXT,
  animated INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  message_id INTEGER,
  room TEXT,
  position INTEGER
);
CREATE INDEX IF NOT EXISTS ix_chat_file_message ON chat_file (message_id, position) WHERE message_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_chat_file_unattached ON chat_file (created_at) WHERE message_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_chat_file_room ON chat_file (room, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_chat_file_sha ON chat_file (sha256);
CREATE INDEX IF NOT EXISTS ix_chat_file_thumb ON chat_file (thumb_sha256) WHERE thumb_sha256 IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_chat_file_display ON chat_file (display_sha256) WHERE display_sha256 IS NOT NULL;`;

// Migration 14: every attached file under its message's room (what moveRoom now keeps so).
const FILES_FOLLOW_MESSAGES_SQLITE = `
UPDATE chat_file SET room = (SELECT m.chat_room FROM chat_message m WHERE m.id = chat_file.message_id)
WHERE message_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM chat_message m WHERE m.id = chat_file.message_id AND m.chat_room IS NOT chat_file.room);`;

// One node's presence as it last saved it (issue 19), by session key (never the cookie), and when.
export const PRESENCE_SNAPSHOT_DDL = `
CREATE TABLE IF NOT EXISTS presence_snapshot (
  room TEXT NOT NULL,
  name TEXT NOT NULL,
  owner_key TEXT NOT NULL,
  saved_at TEXT NOT NULL
);`;

// Reactions (issue 22): one row per browser session, emoji and message, with the name it reacted under and when.
// seq is the order of reacting (the tooltip's names, the order of a message's emoji); a message's reactions go
// with its row (ON DELETE CASCADE), and a delete (a tombstone, no DELETE) removes them itself.
export const REACTIONS_DDL = `
CREATE TABLE IF NOT EXISTS message_reaction (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id INTEGER NOT NULL REFERENCES chat_message (id) ON DELETE CASCADE,
  emoji TEXT NOT NULL,
  session_key TEXT NOT NULL,
  name TEXT NOT NULL,
  reacted_at TEXT NOT NULL,
  UNIQUE (message_id, emoji, session_key)
);`;

export interface ColumnToAdd {
  table: string;
  column: string;
  type: string;
}

export interface MigrationContext {
  /** Progress of a long step, for the log: rows done of total. */
  onProgress?: (version: number, done: number, total: number) => void;
}

/**
 * One schema step. Every part checks what exists before it changes anything, so a step can run again on a
 * file that already has it (a restored dump that lost user_version): columns through `pragma table_info`,
 * tables and indexes through IF NOT EXISTS, a rebuild through the table's own definition.
 */
export interface Migration {
  version: number;
  /** Added in this order, each only when the table lacks it (SQLite has no ADD COLUMN IF NOT EXISTS). */
  addColumns?: readonly ColumnToAdd[];
  /** Statements safe to run again, run after addColumns. */
  sql?: string;
  /** Work that SQL alone cannot make re-runnable; must check for itself whether it is already done. */
  run?: (db: Database.Database, ctx: MigrationContext) => void;
}

/** Append only; never change what a shipped step does. Each keeps the file readable and writable by the Flask app. */
export const migrations: readonly Migration[] = [
  { version: 1, sql: LEGACY_DDL },
  // Keyset paging of a room's history: join and fetch_history read a few index entries, whatever the room's size.
  { version: 2, sql: "CREATE INDEX IF NOT EXISTS ix_chat_message_room_id ON chat_message (chat_room, id)" },
  // Idempotent sends. Nullable, so the Flask app's INSERTs (which do not name it) still work.
  {
    version: 3,
    addColumns: [{ table: "chat_message", column: "client_id", type: "TEXT" }],
    sql: "CREATE UNIQUE INDEX IF NOT EXISTS ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL;",
  },
  // Ids are never handed out twice, even after the newest rows are deleted: see rebuildWithAutoincrement.
  { version: 4, run: (db, ctx) => rebuildWithAutoincrement(db, ctx, 4) },
  // Full-text search (issue 12): an FTS5 index over chat_message.content, kept in step by triggers.
  { version: 5, run: (db, ctx) => createSearchIndex(db, ctx, 5) },
  // Version 5 is full-text search (branch `search`). Version 6, editing, deleting and moderation (issue 12):
  // nullable columns, so the Flask app's INSERTs (which do not name them) still work and its rows belong to nobody.
  {
    version: 6,
    addColumns: [
      { table: "chat_message", column: "owner_key", type: "TEXT" },
      { table: "chat_message", column: "edited_at", type: "TEXT" },
      { table: "chat_message", column: "deleted_at", type: "TEXT" },
    ],
    sql: MODERATION_DDL,
  },
  // Mentions (issue 13): the names a message mentions, as a JSON array of text; NULL for none, so the Flask
  // app's INSERTs (which do not name it) still work. Added only when missing, so the step runs again safely.
  { version: 7, addColumns: [{ table: "chat_message", column: "mentions", type: "TEXT" }] },
  // The search index filled from a watermark instead of by the INSERT trigger (see sqlite-search-index.ts).
  { version: 8, sql: DEFERRED_SEARCH_DDL },
  // Private rooms, their members and invite links, direct conversations (issue 17).
  { version: 9, sql: ROOM_ACCESS_DDL },
  // Files and images in messages (issue 18).
  { version: 10, addColumns: [{ table: "chat_message", column: "files", type: "INTEGER" }], sql: FILES_DDL },
  // Who was in which room when the server last wrote it down (issue 19): a restart gives them their names back.
  { version: 11, sql: PRESENCE_SNAPSHOT_DDL },
  // Replies and reactions (issue 22): the message a reply answers (nullable, so the Flask app's INSERTs still
  // work; no foreign key, a reply outlives nothing) and the reactions' own table.
  { version: 12, addColumns: [{ table: "chat_message", column: "reply_to", type: "INTEGER" }], sql: REACTIONS_DDL },
  // Web Push (issue 23): subscriptions tied to a browser session, a session's name and level per room, and the
  // VAPID key pair generated on first start (push-sql.ts, shared with PostgreSQL's migration 10).
  { version: 13, sql: PUSH_DDL },
  // Files follow their message's room (2026-12-07): a room made private or public before then moved its messages
  // but not their files, and a file's room is what decides who may fetch it. Shared with PostgreSQL's 11.
  { version: 14, sql: FILES_FOLLOW_MESSAGES_SQLITE },
  // The sender's name key and an index on (chat_room, sender_key, id), as PostgreSQL's version 5, so from: reads
  // the sender's rows instead of every row of the room (sender-keys.ts). Nullable, so the Flask app's INSERTs
  // (which do not name it) still work; the search indexer keys its rows.
  { version: 15, addColumns: [{ table: "chat_message", column: "sender_key", type: "TEXT" }], run: (db, ctx) => keyExistingSenders(db, ctx, 15) },
  // Where rooms moved from and when (room-moves.ts), so a send racing a room's move to private or public is refused
  // instead of stored under the old address (2026-12-07 review). Shared with PostgreSQL's 12. A table of its own: the
  // Flask app's never sees it.
  { version: 16, sql: ROOM_MOVE_DDL },
  // The messages that were edited, deleted or answer another, by room and id: a rejoin's `shown` (up to 500 ids)
  // asks which of its messages are such, and with this reads only them instead of every listed row
  // (sqlite-edit-states.ts). Partial: a plain message, most of them, is never in it.
  { version: 17, sql: `CREATE INDEX IF NOT EXISTS ix_chat_message_room_notable ON chat_message (chat_room, id) WHERE ${NOTABLE_MESSAGE}` },
  // The direct conversations opened from a room: a ban reads them (directMembersFrom) and a move re-points them
  // (moveRoom), and both scanned every room_record row. An index only, on a table the Flask app never sees.
  // Shared with PostgreSQL's 13.
  { version: 18, sql: ROOM_RECORD_ORIGIN_INDEX },
  // The banned name as typed, beside its key, so list_bans reads it from the ban (which moves with a room made
  // private) instead of the audit (which does not). Bans already there are named from their audit lines
  // (ban-names.ts); one with none keeps NULL and is listed by its key. A table the Flask app never sees.
  // Shared with PostgreSQL's 14.
  { version: 19, addColumns: [{ table: "room_ban", column: "name", type: "TEXT" }], run: nameBansFromAuditSqlite },
  // Which browsers a private room took out, up to which invite link (room-kicks.ts): a kicked browser may not walk
  // back in with the link it was let in by (access review, 2026-12-07). Shared with PostgreSQL's 15.
  { version: 20, sql: ROOM_KICK_DDL },
];

export const LATEST_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);

/** The file was written by a newer build: this one does not know its schema and must not mark it older. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly latest: number,
  ) {
    super(`its schema version ${found} is newer than this build's ${latest}; run the newer build or restore a backup made for this one`);
    this.name = "SchemaTooNewError";
  }
}

export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

function addMissingColumns(db: Database.Database, columns: readonly ColumnToAdd[]): void {
  for (const c of columns) {
    if (!columnsOf(db, c.table).includes(c.column)) db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.type}`);
  }
}

/** One step's changes, without the transaction or the version mark (migrate() adds both). */
export function applyMigration(db: Database.Database, m: Migration, ctx: MigrationContext = {}): void {
  if (m.addColumns) addMissingColumns(db, m.addColumns);
  if (m.sql) db.exec(m.sql);
  m.run?.(db, ctx);
}

/** Throws SchemaTooNewError for a file from a newer build; call before changing anything (even journal_mode). */
export function assertKnownVersion(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > LATEST_VERSION) throw new SchemaTooNewError(current, LATEST_VERSION);
}

/** Brings the file to LATEST_VERSION, one IMMEDIATE transaction per step; refuses a file from a newer build. */
export function migrate(db: Database.Database, ctx: MigrationContext = {}): number {
  assertKnownVersion(db);
  const current = db.pragma("user_version", { simple: true }) as number;
  for (const m of migrations.filter((step) => step.version > current)) {
    // IMMEDIATE: take the write lock first, so another writer (the Flask app) makes this wait instead of fail.
    db.transaction(() => {
      applyMigration(db, m, ctx);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return db.pragma("user_version", { simple: true }) as number;
}

// Version 4: the same columns, with AUTOINCREMENT on the id.
const AUTOINCREMENT_DDL = `CREATE TABLE chat_message_rebuild (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_room VARCHAR(50),
  sender VARCHAR(50),
  content VARCHAR(500),
  timestamp DATETIME,
  client_id TEXT
)`;
const REBUILD_COLUMNS = ["id", "chat_room", "sender", "content", "timestamp", "client_id"];
const REBUILD_CHUNK_ROWS = 100_000;

/**
 * Without AUTOINCREMENT SQLite gives a new row max(id) + 1, so deleting the newest rows hands their ids out
 * again and clients that saw them hide the new messages. With it, SQLite keeps the high-water mark in
 * sqlite_sequence and applies it to every INSERT, the Flask app's too (its INSERT does not name id).
 * SQLite cannot add AUTOINCREMENT in place: this is its documented rebuild (https://sqlite.org/lang_altertable.html,
 * "other kinds of table schema changes"): new table, copy, drop, rename, the old indexes again. Copying with
 * explicit ids sets sqlite_sequence to the largest id kept; ids deleted before this ran cannot be known.
 */
function rebuildWithAutoincrement(db: Database.Database, ctx: MigrationContext, version: number): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'chat_message'").get() as { sql: string } | undefined;
  if (table === undefined) throw new Error("chat_message is missing");
  if (/\bAUTOINCREMENT\b/i.test(table.sql)) return; // rebuilt already (a restored dump of a rebuilt file)
  const columns = columnsOf(db, "chat_message");
  const unknown = columns.filter((c) => !REBUILD_COLUMNS.includes(c));
  if (unknown.length > 0) throw new Error(`chat_message has columns this build does not know (${unknown.join(", ")}); refusing to rebuild it`);
  const indexes = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chat_message' AND sql IS NOT NULL")
    .all() as { sql: string }[];

  db.exec("DROP TABLE IF EXISTS chat_message_rebuild");
  db.exec(AUTOINCREMENT_DDL);
  const total = (db.prepare("SELECT count(*) AS n FROM chat_message").get() as { n: number }).n;
  // In id order and in chunks, so a large table logs its progress and the copy stays append-only in the new b-tree.
  const copy = db.prepare(
    `INSERT INTO chat_message_rebuild (${REBUILD_COLUMNS.join(", ")})
     SELECT ${REBUILD_COLUMNS.join(", ")} FROM chat_message WHERE id > ? ORDER BY id LIMIT ${REBUILD_CHUNK_ROWS}`,
  );
  const lastCopied = db.prepare("SELECT max(id) AS id FROM chat_message_rebuild");
  let done = 0;
  for (let after = -Infinity; done < total; ) {
    const copied = copy.run(after).changes;
    if (copied === 0) break;
    done += copied;
    after = (lastCopied.get() as { id: number }).id;
    if (total > REBUILD_CHUNK_ROWS) ctx.onProgress?.(version, done, total);
  }
  db.exec("DROP TABLE chat_message");
  db.exec("ALTER TABLE chat_message_rebuild RENAME TO chat_message");
  for (const index of indexes) db.exec(index.sql);
}
