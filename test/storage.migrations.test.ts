// Schema changes are numbered migrations tracked by PRAGMA user_version: append-only, idempotent, transactional,
// and every step keeps the Flask app's INSERT and SELECT working.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { applyMigration, LATEST_VERSION, migrate, migrations, SchemaTooNewError } from "../src/storage/migrations.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { indexAllPending } from "../src/storage/sqlite-search-index.js";
import { nameKey } from "../src/shared/names.js";
import { SQL_LATEST_MOVE_SQLITE } from "../src/storage/room-moves.js";
import { SQL_DIRECT_MEMBERS_FROM_SQLITE } from "../src/storage/sqlite-access.js";
import { tempDatabase } from "./helpers/app.js";
import { spawnChildServer } from "./helpers/child-server.js";
import { createFlaskDatabase, FLASK_INSERT, FLASK_SELECT, withFlaskConnection } from "./helpers/flask-db.js";

// The schema each shipped version leaves on an empty file. A step may learn to check before it changes
// (re-runnable), but what it leaves must not change: every database already at that version has exactly this.
const TABLE_V1 = "CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME)";
const IX = "CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)";
const UX = "CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL";
const SHIPPED_SCHEMAS: Record<number, string[]> = {
  1: [`table chat_message ${TABLE_V1}`],
  2: [`index ix_chat_message_room_id ${IX}`, `table chat_message ${TABLE_V1}`],
  3: [
    `index ix_chat_message_room_id ${IX}`,
    `index ux_chat_message_room_client ${UX}`,
    "table chat_message CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME , client_id TEXT)",
  ],
  4: [
    `index ix_chat_message_room_id ${IX}`,
    `index ux_chat_message_room_client ${UX}`,
    'table chat_message CREATE TABLE "chat_message" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT)',
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
  ],
  5: [
    `index ix_chat_message_room_id ${IX}`,
    `index ux_chat_message_room_client ${UX}`,
    'table chat_message CREATE TABLE "chat_message" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT)',
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_insert CREATE TRIGGER chat_message_fts_insert AFTER INSERT ON chat_message BEGIN INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
  ],  6: [
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index sqlite_autoindex_moderator_session_1",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_insert CREATE TRIGGER chat_message_fts_insert AFTER INSERT ON chat_message BEGIN INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
  ],
  7: [
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index sqlite_autoindex_moderator_session_1",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_insert CREATE TRIGGER chat_message_fts_insert AFTER INSERT ON chat_message BEGIN INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) VALUES (new.id, new.content); END",
  ],
  8: [
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index sqlite_autoindex_moderator_session_1",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table search_state CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) SELECT new.id, new.content WHERE new.id <= (SELECT indexed_upto FROM search_state WHERE id = 1); END",
  ],
  9: [
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index ix_room_invite_room CREATE INDEX ix_room_invite_room ON room_invite (room, id)",
    "index ix_room_member_session CREATE INDEX ix_room_member_session ON room_member (session_key)",
    "index ix_room_record_creator CREATE INDEX ix_room_record_creator ON room_record (creator_key)",
    "index sqlite_autoindex_moderator_session_1",
    "index sqlite_autoindex_room_invite_1",
    "index sqlite_autoindex_room_member_1",
    "index sqlite_autoindex_room_record_1",
    "index sqlite_autoindex_room_record_2",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table room_invite CREATE TABLE room_invite (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_by_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked_at TEXT)",
    "table room_member CREATE TABLE room_member (room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, session_key TEXT NOT NULL, name TEXT, admitted_at TEXT NOT NULL, closed_upto INTEGER, PRIMARY KEY (room, session_key))",
    "table room_record CREATE TABLE room_record (room TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('private', 'direct')), creator_key TEXT, members_can_invite INTEGER NOT NULL DEFAULT 0, origin_room TEXT, pair_key TEXT UNIQUE, created_at TEXT NOT NULL)",
    "table search_state CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) SELECT new.id, new.content WHERE new.id <= (SELECT indexed_upto FROM search_state WHERE id = 1); END",
  ],
  10: [
    "index ix_chat_file_display CREATE INDEX ix_chat_file_display ON chat_file (display_sha256) WHERE display_sha256 IS NOT NULL",
    "index ix_chat_file_message CREATE INDEX ix_chat_file_message ON chat_file (message_id, position) WHERE message_id IS NOT NULL",
    "index ix_chat_file_room CREATE INDEX ix_chat_file_room ON chat_file (room, message_id) WHERE message_id IS NOT NULL",
    "index ix_chat_file_sha CREATE INDEX ix_chat_file_sha ON chat_file (sha256)",
    "index ix_chat_file_thumb CREATE INDEX ix_chat_file_thumb ON chat_file (thumb_sha256) WHERE thumb_sha256 IS NOT NULL",
    "index ix_chat_file_unattached CREATE INDEX ix_chat_file_unattached ON chat_file (created_at) WHERE message_id IS NULL",
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index ix_room_invite_room CREATE INDEX ix_room_invite_room ON room_invite (room, id)",
    "index ix_room_member_session CREATE INDEX ix_room_member_session ON room_member (session_key)",
    "index ix_room_record_creator CREATE INDEX ix_room_record_creator ON room_record (creator_key)",
    "index sqlite_autoindex_chat_file_1",
    "index sqlite_autoindex_file_blob_1",
    "index sqlite_autoindex_moderator_session_1",
    "index sqlite_autoindex_room_invite_1",
    "index sqlite_autoindex_room_member_1",
    "index sqlite_autoindex_room_record_1",
    "index sqlite_autoindex_room_record_2",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_file CREATE TABLE chat_file (id TEXT PRIMARY KEY, session_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, thumb_sha256 TEXT, display_sha256 TEXT, animated INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, message_id INTEGER, room TEXT, position INTEGER)",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT, files INTEGER)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table file_blob CREATE TABLE file_blob (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, touched_at TEXT NOT NULL)",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table room_invite CREATE TABLE room_invite (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_by_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked_at TEXT)",
    "table room_member CREATE TABLE room_member (room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, session_key TEXT NOT NULL, name TEXT, admitted_at TEXT NOT NULL, closed_upto INTEGER, PRIMARY KEY (room, session_key))",
    "table room_record CREATE TABLE room_record (room TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('private', 'direct')), creator_key TEXT, members_can_invite INTEGER NOT NULL DEFAULT 0, origin_room TEXT, pair_key TEXT UNIQUE, created_at TEXT NOT NULL)",
    "table search_state CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) SELECT new.id, new.content WHERE new.id <= (SELECT indexed_upto FROM search_state WHERE id = 1); END",
  ],
  11: [
    "index ix_chat_file_display CREATE INDEX ix_chat_file_display ON chat_file (display_sha256) WHERE display_sha256 IS NOT NULL",
    "index ix_chat_file_message CREATE INDEX ix_chat_file_message ON chat_file (message_id, position) WHERE message_id IS NOT NULL",
    "index ix_chat_file_room CREATE INDEX ix_chat_file_room ON chat_file (room, message_id) WHERE message_id IS NOT NULL",
    "index ix_chat_file_sha CREATE INDEX ix_chat_file_sha ON chat_file (sha256)",
    "index ix_chat_file_thumb CREATE INDEX ix_chat_file_thumb ON chat_file (thumb_sha256) WHERE thumb_sha256 IS NOT NULL",
    "index ix_chat_file_unattached CREATE INDEX ix_chat_file_unattached ON chat_file (created_at) WHERE message_id IS NULL",
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index ix_room_invite_room CREATE INDEX ix_room_invite_room ON room_invite (room, id)",
    "index ix_room_member_session CREATE INDEX ix_room_member_session ON room_member (session_key)",
    "index ix_room_record_creator CREATE INDEX ix_room_record_creator ON room_record (creator_key)",
    "index sqlite_autoindex_chat_file_1",
    "index sqlite_autoindex_file_blob_1",
    "index sqlite_autoindex_moderator_session_1",
    "index sqlite_autoindex_room_invite_1",
    "index sqlite_autoindex_room_member_1",
    "index sqlite_autoindex_room_record_1",
    "index sqlite_autoindex_room_record_2",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_file CREATE TABLE chat_file (id TEXT PRIMARY KEY, session_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, thumb_sha256 TEXT, display_sha256 TEXT, animated INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, message_id INTEGER, room TEXT, position INTEGER)",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT, files INTEGER)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table file_blob CREATE TABLE file_blob (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, touched_at TEXT NOT NULL)",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table presence_snapshot CREATE TABLE presence_snapshot (room TEXT NOT NULL, name TEXT NOT NULL, owner_key TEXT NOT NULL, saved_at TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table room_invite CREATE TABLE room_invite (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_by_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked_at TEXT)",
    "table room_member CREATE TABLE room_member (room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, session_key TEXT NOT NULL, name TEXT, admitted_at TEXT NOT NULL, closed_upto INTEGER, PRIMARY KEY (room, session_key))",
    "table room_record CREATE TABLE room_record (room TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('private', 'direct')), creator_key TEXT, members_can_invite INTEGER NOT NULL DEFAULT 0, origin_room TEXT, pair_key TEXT UNIQUE, created_at TEXT NOT NULL)",
    "table search_state CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) SELECT new.id, new.content WHERE new.id <= (SELECT indexed_upto FROM search_state WHERE id = 1); END",
  ],
  12: [
    "index ix_chat_file_display CREATE INDEX ix_chat_file_display ON chat_file (display_sha256) WHERE display_sha256 IS NOT NULL",
    "index ix_chat_file_message CREATE INDEX ix_chat_file_message ON chat_file (message_id, position) WHERE message_id IS NOT NULL",
    "index ix_chat_file_room CREATE INDEX ix_chat_file_room ON chat_file (room, message_id) WHERE message_id IS NOT NULL",
    "index ix_chat_file_sha CREATE INDEX ix_chat_file_sha ON chat_file (sha256)",
    "index ix_chat_file_thumb CREATE INDEX ix_chat_file_thumb ON chat_file (thumb_sha256) WHERE thumb_sha256 IS NOT NULL",
    "index ix_chat_file_unattached CREATE INDEX ix_chat_file_unattached ON chat_file (created_at) WHERE message_id IS NULL",
    "index ix_chat_message_room_id CREATE INDEX ix_chat_message_room_id ON chat_message (chat_room, id)",
    "index ix_room_ban_room_name CREATE INDEX ix_room_ban_room_name ON room_ban (room, name_key, until)",
    "index ix_room_ban_room_session CREATE INDEX ix_room_ban_room_session ON room_ban (room, session_key, until)",
    "index ix_room_invite_room CREATE INDEX ix_room_invite_room ON room_invite (room, id)",
    "index ix_room_member_session CREATE INDEX ix_room_member_session ON room_member (session_key)",
    "index ix_room_record_creator CREATE INDEX ix_room_record_creator ON room_record (creator_key)",
    "index sqlite_autoindex_chat_file_1",
    "index sqlite_autoindex_file_blob_1",
    "index sqlite_autoindex_message_reaction_1",
    "index sqlite_autoindex_moderator_session_1",
    "index sqlite_autoindex_room_invite_1",
    "index sqlite_autoindex_room_member_1",
    "index sqlite_autoindex_room_record_1",
    "index sqlite_autoindex_room_record_2",
    "index ux_chat_message_room_client CREATE UNIQUE INDEX ux_chat_message_room_client ON chat_message (chat_room, client_id) WHERE client_id IS NOT NULL",
    "table chat_file CREATE TABLE chat_file (id TEXT PRIMARY KEY, session_key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, thumb_sha256 TEXT, display_sha256 TEXT, animated INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, message_id INTEGER, room TEXT, position INTEGER)",
    "table chat_message CREATE TABLE \"chat_message\" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT, files INTEGER, reply_to INTEGER)",
    "table chat_message_fts CREATE VIRTUAL TABLE chat_message_fts USING fts5(content, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "table chat_message_fts_config CREATE TABLE 'chat_message_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID",
    "table chat_message_fts_data CREATE TABLE 'chat_message_fts_data'(id INTEGER PRIMARY KEY, block BLOB)",
    "table chat_message_fts_docsize CREATE TABLE 'chat_message_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB)",
    "table chat_message_fts_idx CREATE TABLE 'chat_message_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
    "table file_blob CREATE TABLE file_blob (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, touched_at TEXT NOT NULL)",
    "table message_reaction CREATE TABLE message_reaction (seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL REFERENCES chat_message (id) ON DELETE CASCADE, emoji TEXT NOT NULL, session_key TEXT NOT NULL, name TEXT NOT NULL, reacted_at TEXT NOT NULL, UNIQUE (message_id, emoji, session_key))",
    "table moderation_audit CREATE TABLE moderation_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, moderator TEXT NOT NULL, action TEXT NOT NULL, room TEXT, target TEXT, message_id INTEGER, detail TEXT)",
    "table moderator_session CREATE TABLE moderator_session (session_key TEXT PRIMARY KEY, since TEXT NOT NULL)",
    "table presence_snapshot CREATE TABLE presence_snapshot (room TEXT NOT NULL, name TEXT NOT NULL, owner_key TEXT NOT NULL, saved_at TEXT NOT NULL)",
    "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)",
    "table room_invite CREATE TABLE room_invite (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, created_by_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked_at TEXT)",
    "table room_member CREATE TABLE room_member (room TEXT NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, session_key TEXT NOT NULL, name TEXT, admitted_at TEXT NOT NULL, closed_upto INTEGER, PRIMARY KEY (room, session_key))",
    "table room_record CREATE TABLE room_record (room TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('private', 'direct')), creator_key TEXT, members_can_invite INTEGER NOT NULL DEFAULT 0, origin_room TEXT, pair_key TEXT UNIQUE, created_at TEXT NOT NULL)",
    "table search_state CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "table sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)",
    "trigger chat_message_fts_delete CREATE TRIGGER chat_message_fts_delete AFTER DELETE ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "trigger chat_message_fts_update CREATE TRIGGER chat_message_fts_update AFTER UPDATE OF id, content ON chat_message WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1) BEGIN INSERT INTO chat_message_fts (chat_message_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO chat_message_fts (rowid, content) SELECT new.id, new.content WHERE new.id <= (SELECT indexed_upto FROM search_state WHERE id = 1); END",
  ],
};
// Version 13 (issue 23): version 12's schema and the push tables.
const PUSH_SCHEMA_13 = [
  "index ix_push_room_room CREATE INDEX ix_push_room_room ON push_room (room)",
  "index ix_push_subscription_session CREATE INDEX ix_push_subscription_session ON push_subscription (session_key, created_at)",
  "index sqlite_autoindex_push_room_1",
  "index sqlite_autoindex_push_subscription_1",
  "table push_room CREATE TABLE push_room (session_key text NOT NULL, room text NOT NULL, name text, level text, updated_at text NOT NULL, PRIMARY KEY (session_key, room))",
  "table push_subscription CREATE TABLE push_subscription (endpoint text PRIMARY KEY, session_key text NOT NULL, p256dh text NOT NULL, auth text NOT NULL, expires_at text, created_at text NOT NULL, failed_at text, failures integer NOT NULL DEFAULT 0)",
  "table push_vapid CREATE TABLE push_vapid (id integer PRIMARY KEY CHECK (id = 1), public_key text NOT NULL, private_key text NOT NULL, created_at text NOT NULL)",
];
SHIPPED_SCHEMAS[13] = [...(SHIPPED_SCHEMAS[12] as string[]), ...PUSH_SCHEMA_13].sort();
// Version 14 (files follow their message's room) changes rows only: version 13's schema.
SHIPPED_SCHEMAS[14] = SHIPPED_SCHEMAS[13];
// Version 15: chat_message.sender_key and the (chat_room, sender_key, id) index that from: reads.
const TABLE_V12 =
  'table chat_message CREATE TABLE "chat_message" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT, files INTEGER, reply_to INTEGER)';
SHIPPED_SCHEMAS[15] = [
  ...(SHIPPED_SCHEMAS[14] as string[]).filter((o) => o !== TABLE_V12),
  'table chat_message CREATE TABLE "chat_message" (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME, client_id TEXT , owner_key TEXT, edited_at TEXT, deleted_at TEXT, mentions TEXT, files INTEGER, reply_to INTEGER, sender_key TEXT)',
  "index ix_chat_message_room_sender CREATE INDEX ix_chat_message_room_sender ON chat_message (chat_room, sender_key, id)",
].sort();
// Version 16: where rooms moved from, and when (a send racing a move is refused).
SHIPPED_SCHEMAS[16] = [
  ...(SHIPPED_SCHEMAS[15] as string[]),
  "index ix_room_move_from CREATE INDEX ix_room_move_from ON room_move (from_room, moved_at)",
  "table room_move CREATE TABLE room_move (from_room text NOT NULL, to_room text NOT NULL, moved_at text NOT NULL)",
].sort();
// Version 17: the partial index of edited, deleted and answering messages a rejoin's `shown` reads.
SHIPPED_SCHEMAS[17] = [
  ...(SHIPPED_SCHEMAS[16] as string[]),
  "index ix_chat_message_room_notable CREATE INDEX ix_chat_message_room_notable ON chat_message (chat_room, id) WHERE edited_at IS NOT NULL OR deleted_at IS NOT NULL OR reply_to IS NOT NULL",
].sort();
// Version 18: room_record by origin_room (a ban's and a move's look-up of the conversations opened from a room).
SHIPPED_SCHEMAS[18] = [...(SHIPPED_SCHEMAS[17] as string[]), "index ix_room_record_origin CREATE INDEX ix_room_record_origin ON room_record (origin_room)"].sort();
// Version 19: room_ban.name, the banned name as typed (list_bans shows it).
const ROOM_BAN_V6 =
  "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL)";
SHIPPED_SCHEMAS[19] = [
  ...(SHIPPED_SCHEMAS[18] as string[]).filter((o) => o !== ROOM_BAN_V6),
  "table room_ban CREATE TABLE room_ban (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, name_key TEXT NOT NULL, session_key TEXT, until TEXT NOT NULL, moderator TEXT NOT NULL, created_at TEXT NOT NULL , name TEXT)",
].sort();
SHIPPED_SCHEMAS[20] = [
  ...(SHIPPED_SCHEMAS[19] as string[]),
  "index sqlite_autoindex_room_kick_1",
  "table room_kick CREATE TABLE room_kick (room text NOT NULL REFERENCES room_record (room) ON DELETE CASCADE, session_key text NOT NULL, last_invite_id bigint NOT NULL, PRIMARY KEY (room, session_key))",
].sort();
const squash = (sql: string): string => sql.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim();

function tempFile(): string {
  const db = tempDatabase();
  onTestFinished(db.remove);
  return db.path;
}

function open(path: string): Database.Database {
  const db = new Database(path);
  onTestFinished(() => void db.close());
  return db;
}

/** The schema as SQLite stores it, for before/after comparisons. */
function schemaOf(db: Database.Database): { type: string; name: string; sql: string | null }[] {
  return db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all() as never;
}

/** Applies the migrations up to `version` by hand, as a database last opened by that release would be. */
function migrateTo(db: Database.Database, version: number): void {
  for (const m of migrations.filter((step) => step.version <= version)) {
    applyMigration(db, m);
    db.pragma(`user_version = ${m.version}`);
  }
}

const squashedSchema = (db: Database.Database): string[] => schemaOf(db).map((o) => squash(`${o.type} ${o.name} ${o.sql ?? ""}`));

describe("the migration list", () => {
  it("is numbered 1, 2, 3... with LATEST_VERSION the last", () => {
    const expected = Array.from({ length: LATEST_VERSION }, (_, i) => i + 1);
    expect(migrations.map((m) => m.version)).toEqual(expected);
    expect(LATEST_VERSION).toBe(migrations.at(-1)?.version);
  });

  it.each(Object.keys(SHIPPED_SCHEMAS).map(Number))("is append-only: shipped version %i still leaves the schema it shipped with", (version) => {
    const db = open(tempFile());
    migrateTo(db, version);
    expect(squashedSchema(db)).toEqual(SHIPPED_SCHEMAS[version]);
  });
});

describe("migrate()", () => {
  it("builds the whole schema on an empty file", () => {
    const db = open(tempFile());
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    expect(squashedSchema(db)).toEqual(SHIPPED_SCHEMAS[LATEST_VERSION]);
  });

  it("is idempotent: a second run changes nothing", () => {
    const db = open(tempFile());
    migrate(db);
    const once = schemaOf(db);
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db)).toEqual(once);
  });

  it("adopts the Flask app's file (user_version 0) with its rows untouched", () => {
    const path = tempFile();
    createFlaskDatabase(path, [
      { room: "lobby", sender: "ana", content: "one", timestamp: "2024-01-01 10:00:00.000001" },
      { room: "lobby", sender: "ben", content: "two", timestamp: "2024-01-01 10:00:01.000002" },
    ]);
    const db = open(path);
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    const before = db.prepare("SELECT * FROM chat_message ORDER BY id").all();
    expect(migrate(db)).toBe(LATEST_VERSION);
    const after = db.prepare("SELECT id, chat_room, sender, content, timestamp FROM chat_message ORDER BY id").all();
    expect(after).toEqual(before);
    // The original's columns, names, types and order kept; the id now AUTOINCREMENT (version 4), its sequence at the largest id.
    const columns = (db.pragma("table_info(chat_message)") as { name: string; type: string; pk: number }[]).map((c) => `${c.name} ${c.type}${c.pk ? " pk" : ""}`);
    expect(columns).toEqual([
      "id INTEGER pk",
      "chat_room VARCHAR(50)",
      "sender VARCHAR(50)",
      "content VARCHAR(500)",
      "timestamp DATETIME",
      "client_id TEXT",
      "owner_key TEXT", // version 6 (issue 12): nullable, so the original's rows belong to nobody
      "edited_at TEXT",
      "deleted_at TEXT",
      "mentions TEXT", // version 7 (issue 13)
      "files INTEGER", // version 10 (issue 18): nullable, so the original's rows have no files
      "reply_to INTEGER", // version 12 (issue 22): nullable, so the original's rows answer nothing
      "sender_key TEXT", // version 15: nullable, so the original's INSERT (which does not name it) still works
    ]);
    expect(schemaOf(db).find((o) => o.name === "chat_message")?.sql).toMatch(/id INTEGER PRIMARY KEY AUTOINCREMENT/);
    expect(db.prepare("SELECT name, seq FROM sqlite_sequence").all()).toEqual([{ name: "chat_message", seq: 2 }]);
  });

  it("runs only the steps above the recorded version", () => {
    const db = open(tempFile());
    migrateTo(db, 2);
    db.exec("DROP INDEX ix_chat_message_room_id"); // were step 2 run again, it would come back
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db).map((o) => o.name)).not.toContain("ix_chat_message_room_id");
    expect(schemaOf(db).map((o) => o.name)).toContain("ux_chat_message_room_client");
  });

  it("rolls a failing step back whole and keeps the version before it", () => {
    const db = open(tempFile());
    migrateTo(db, 3);
    db.exec("INSERT INTO chat_message (chat_room, content) VALUES ('lobby', 'kept')");
    // A view on the table makes step 4 fail after it has dropped the old table (the RENAME checks the schema).
    db.exec("CREATE VIEW lobby_only AS SELECT * FROM chat_message WHERE chat_room = 'lobby'");
    const before = squashedSchema(db);
    expect(() => migrate(db)).toThrow(/error in view lobby_only/);
    expect(db.pragma("user_version", { simple: true })).toBe(3);
    expect(squashedSchema(db)).toEqual(before);
    expect(db.prepare("SELECT content FROM chat_message").all()).toEqual([{ content: "kept" }]);
  });

  it.each(Array.from({ length: LATEST_VERSION + 1 }, (_, v) => [v]))("keeps the Flask app's INSERT and SELECT working at version %i", (version) => {
    const path = tempFile();
    createFlaskDatabase(path, [{ room: "lobby", sender: "ana", content: "before", timestamp: "2024-01-01 10:00:00.000000" }]);
    withFlaskConnection(path, (db) => migrateTo(db, version));
    const rows = withFlaskConnection(path, (db) => {
      db.prepare(FLASK_INSERT).run("lobby", "ben", "after", "2024-01-01 10:00:01.000000");
      return db.prepare(FLASK_SELECT).all("lobby") as { chat_message_content: string }[];
    });
    expect(rows.map((r) => r.chat_message_content)).toEqual(["before", "after"]);
  });
});

describe("re-running migrations (a restored dump that lost user_version)", () => {
  it.each(Array.from({ length: LATEST_VERSION + 1 }, (_, v) => [v]))(
    "brings a file built to version %i and marked 0 to the latest schema, with its rows and ids",
    (version) => {
      const fresh = open(tempFile());
      migrate(fresh);
      const path = tempFile();
      createFlaskDatabase(path, [
        { room: "lobby", sender: "ana", content: "one", timestamp: "2024-01-01 10:00:00.000001" },
        { room: "lobby", sender: "ben", content: "two", timestamp: "2024-01-01 10:00:01.000002" },
      ]);
      const db = open(path);
      migrateTo(db, version);
      db.pragma("user_version = 0"); // what `sqlite3 .dump` and many restore paths leave
      expect(migrate(db)).toBe(LATEST_VERSION);
      expect(squashedSchema(db)).toEqual(squashedSchema(fresh));
      expect(db.prepare("SELECT id, content FROM chat_message ORDER BY id").all()).toEqual([
        { id: 1, content: "one" },
        { id: 2, content: "two" },
      ]);
    },
  );

  it("opens such a file through the repository, where it failed with 'duplicate column name: client_id'", async () => {
    const path = tempFile();
    const first = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    const sent = await first.append({ room: "lobby", sender: "ana", content: "before the restore", sentAt: new Date() });
    await first.close();
    withFlaskConnection(path, (db) => db.pragma("user_version = 0"));

    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    const next = await repo.append({ room: "lobby", sender: "ana", content: "after the restore", sentAt: new Date() });
    expect(next.message.id).toBeGreaterThan(sent.message.id);
    expect((await repo.page("lobby", { limit: 10 })).messages.map((m) => m.content)).toEqual(["before the restore", "after the restore"]);
  });
});

describe("version 5: the search index", () => {
  const matches = (db: Database.Database, word: string): number[] =>
    (db.prepare("SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH ? ORDER BY rowid").all(`"${word}"`) as { rowid: number }[]).map((r) => r.rowid);

  it("indexes the rows already there, and the Flask app's later INSERT, UPDATE and DELETE through the triggers", () => {
    const path = tempFile();
    createFlaskDatabase(path, [
      { room: "lobby", sender: "ana", content: "Bonjour café", timestamp: "2024-01-01 10:00:00.000001" },
      { room: "lobby", sender: "ben", content: null, timestamp: null },
    ]);
    const db = open(path);
    migrate(db);
    expect(matches(db, "cafe")).toEqual([1]);
    withFlaskConnection(path, (flask) => {
      flask.prepare(FLASK_INSERT).run("lobby", "ana", "another cafe", "2024-01-01 10:00:02.000000");
      flask.prepare("UPDATE chat_message SET content = 'edited text' WHERE id = 1").run();
      flask.prepare("DELETE FROM chat_message WHERE id = 3").run();
    });
    expect(matches(db, "cafe")).toEqual([]);
    expect(matches(db, "edited")).toEqual([1]);
    expect(db.prepare("INSERT INTO chat_message_fts (chat_message_fts, rank) VALUES ('integrity-check', 1)").run().changes).toBeGreaterThanOrEqual(0);
  });

  it("is rebuilt when a re-run finds it incomplete (a trigger missing), and left alone when complete", () => {
    const db = open(tempFile());
    migrate(db);
    db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES ('r', 'a', 'kept word', '2024-01-01 10:00:00')").run();
    db.exec("DROP TRIGGER chat_message_fts_delete");
    db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES ('r', 'a', 'missed word', '2024-01-01 10:00:01')").run();
    expect(matches(db, "missed")).toEqual([]);
    db.pragma("user_version = 4");
    migrate(db);
    expect(matches(db, "missed")).toEqual([2]);
    expect(matches(db, "word")).toEqual([1, 2]);
    const once = schemaOf(db);
    db.pragma("user_version = 4");
    migrate(db);
    expect(schemaOf(db)).toEqual(once);
  });
});

describe("version 8: the search index filled from a watermark", () => {
  const matches = (db: Database.Database, word: string): number[] =>
    (db.prepare("SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH ? ORDER BY rowid").all(`"${word}"`) as { rowid: number }[]).map((r) => r.rowid);
  // rank 1 also compares the index with chat_message, which only holds once every row is indexed; rank 0 checks
  // the index alone (https://sqlite.org/fts5.html#the_integrity_check_command).
  const integrityCheck = (db: Database.Database, withContent = true): void =>
    void db.prepare("INSERT INTO chat_message_fts (chat_message_fts, rank) VALUES ('integrity-check', ?)").run(withContent ? 1 : 0);
  const upto = (db: Database.Database): number => (db.prepare("SELECT indexed_upto AS n FROM search_state").get() as { n: number }).n;

  it("starts at the newest row of a file indexed by version 5's trigger, and indexes later rows only when asked", () => {
    const path = tempFile();
    createFlaskDatabase(path, [
      { room: "lobby", sender: "ana", content: "old cafe", timestamp: "2024-01-01 10:00:00.000001" },
      { room: "lobby", sender: "ben", content: "old tea", timestamp: "2024-01-01 10:00:01.000001" },
    ]);
    const db = open(path);
    migrate(db);
    expect(upto(db)).toBe(2);
    expect(matches(db, "cafe")).toEqual([1]);
    withFlaskConnection(path, (flask) => flask.prepare(FLASK_INSERT).run("lobby", "ana", "new cafe", "2024-01-01 10:00:02.000000"));
    expect(matches(db, "cafe")).toEqual([1]); // no INSERT trigger: the send's transaction does not touch the index
    expect(indexAllPending(db)).toBe(1);
    expect(matches(db, "cafe")).toEqual([1, 3]);
    expect(upto(db)).toBe(3);
    expect(indexAllPending(db)).toBe(0);
  });

  it("keeps the index consistent when the Flask app updates or deletes rows on both sides of the watermark", () => {
    const path = tempFile();
    createFlaskDatabase(path, [{ room: "lobby", sender: "ana", content: "indexed cafe", timestamp: "2024-01-01 10:00:00.000001" }]);
    const db = open(path);
    migrate(db);
    withFlaskConnection(path, (flask) => {
      flask.prepare(FLASK_INSERT).run("lobby", "ana", "pending cafe", "2024-01-01 10:00:02.000000");
      flask.prepare(FLASK_INSERT).run("lobby", "ana", "pending gone", "2024-01-01 10:00:03.000000");
      flask.prepare("UPDATE chat_message SET content = 'indexed tea' WHERE id = 1").run();
      flask.prepare("UPDATE chat_message SET content = 'pending tea' WHERE id = 2").run();
      flask.prepare("DELETE FROM chat_message WHERE id = 3").run();
    });
    integrityCheck(db, false);
    indexAllPending(db);
    integrityCheck(db);
    expect(matches(db, "cafe")).toEqual([]);
    expect(matches(db, "tea")).toEqual([1, 2]);
    expect(matches(db, "gone")).toEqual([]);
    withFlaskConnection(path, (flask) => {
      flask.prepare("UPDATE chat_message SET content = 'edited again' WHERE id = 2").run();
      flask.prepare("DELETE FROM chat_message WHERE id = 1").run();
    });
    integrityCheck(db);
    expect(matches(db, "tea")).toEqual([]);
    expect(matches(db, "edited")).toEqual([2]);
  });

  it("keeps the watermark when it runs again on a file with rows still to index", () => {
    const db = open(tempFile());
    migrate(db);
    db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES ('r', 'a', 'indexed word', '2024-01-01 10:00:00')").run();
    indexAllPending(db);
    db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES ('r', 'a', 'pending word', '2024-01-01 10:00:01')").run();
    db.pragma("user_version = 7");
    migrate(db);
    expect(upto(db)).toBe(1);
    indexAllPending(db);
    expect(matches(db, "word")).toEqual([1, 2]);
    integrityCheck(db);
  });
});

describe("version 15: the sender's name key", () => {
  const keys = (db: Database.Database): unknown[] => db.prepare("SELECT sender, sender_key FROM chat_message ORDER BY id").all();

  it("keys the rows already there the way the room keys names (look-alikes fold to one key; no sender, no key) and indexes them", () => {
    const path = tempFile();
    // "Ana" in Latin letters, and with a Cyrillic "а" (U+0430) that looks the same: one name in the room.
    const cyrillicAna = "\u0430na";
    createFlaskDatabase(path, [
      { room: "lobby", sender: "Ana", content: "one", timestamp: "2024-01-01 10:00:00.000001" },
      { room: "lobby", sender: cyrillicAna, content: "two", timestamp: "2024-01-01 10:00:01.000001" },
      { room: "lobby", sender: "ＢＥＮ  Smith", content: "three", timestamp: "2024-01-01 10:00:02.000001" },
      { room: "lobby", sender: null, content: "four", timestamp: "2024-01-01 10:00:03.000001" },
    ]);
    const db = open(path);
    migrateTo(db, 14);
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(keys(db)).toEqual([
      { sender: "Ana", sender_key: "ana" },
      { sender: cyrillicAna, sender_key: "ana" },
      { sender: "ＢＥＮ  Smith", sender_key: nameKey("ben smith") },
      { sender: null, sender_key: null },
    ]);
    expect(nameKey(cyrillicAna)).toBe(nameKey("Ana"));
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM chat_message WHERE chat_room = 'lobby' AND sender_key = 'ana' ORDER BY id DESC").all() as { detail: string }[];
    expect(plan.map((r) => r.detail)).toEqual(["SEARCH chat_message USING COVERING INDEX ix_chat_message_room_sender (chat_room=? AND sender_key=?)"]);
  });

  it("logs its progress on a big table and runs again without changing a key", () => {
    const db = open(tempFile());
    migrateTo(db, 14);
    const insert = db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES ('r', ?, 'x', '2024-01-01 10:00:00')");
    db.transaction(() => {
      for (let i = 0; i < 150_001; i++) insert.run(`User${i % 7}`);
    })();
    const progress: [number, number, number][] = [];
    migrate(db, { onProgress: (version, done, total) => progress.push([version, done, total]) });
    expect(progress).toEqual([
      [15, 100_000, 150_001],
      [15, 150_001, 150_001],
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM chat_message WHERE sender_key IS NULL").get()).toEqual({ n: 0 });
    // Digits fold too ("0" looks like "O"): the keys are nameKey's, whatever it makes of them.
    expect(db.prepare("SELECT DISTINCT sender_key FROM chat_message ORDER BY 1").pluck().all()).toEqual(Array.from({ length: 7 }, (_, i) => nameKey(`User${i}`)).sort());
    db.prepare("UPDATE chat_message SET sender_key = NULL WHERE id = 1").run();
    db.pragma("user_version = 14");
    const once = schemaOf(db);
    migrate(db);
    expect(schemaOf(db)).toEqual(once);
    expect(db.prepare("SELECT sender_key FROM chat_message WHERE id IN (1, 2) ORDER BY id").pluck().all()).toEqual([nameKey("User0"), nameKey("User1")]);
  });
});

describe("version 16: where rooms moved from", () => {
  it("adds room_move to a version 15 file, rows untouched, and the append's lookup is one seek of its index", () => {
    const path = tempFile();
    createFlaskDatabase(path, [{ room: "lobby", sender: "ana", content: "kept", timestamp: "2024-01-01 10:00:00.000001" }]);
    const db = open(path);
    migrateTo(db, 15);
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(db.prepare("SELECT chat_room, content FROM chat_message").all()).toEqual([{ chat_room: "lobby", content: "kept" }]);
    expect(db.prepare("SELECT count(*) AS n FROM room_move").get()).toEqual({ n: 0 });
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${SQL_LATEST_MOVE_SQLITE}`).all("lobby") as { detail: string }[];
    expect(plan.map((r) => r.detail)).toEqual(["SEARCH room_move USING INDEX ix_room_move_from (from_room=?)"]);
  });
});

describe("a database from a newer build", () => {
  it("is refused by migrate() and left as it is, not marked older", () => {
    const path = tempFile();
    const db = open(path);
    migrate(db);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    const schema = squashedSchema(db);
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    expect(() => migrate(db)).toThrow(`its schema version ${LATEST_VERSION + 1} is newer than this build's ${LATEST_VERSION}`);
    expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION + 1);
    expect(squashedSchema(db)).toEqual(schema);
  });

  it("stops the server with exit 1 and one line naming the file and both versions", async () => {
    const path = tempFile();
    // An empty file, as fileMustExist wants one; a newer build's schema is unknown here, only its version matters.
    new Database(path).close();
    withFlaskConnection(path, (db) => db.pragma(`user_version = ${LATEST_VERSION + 3}`));
    const server = await spawnChildServer({ databasePath: path });
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const lines = server.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `cannot open database ${path} (DATABASE_PATH): its schema version ${LATEST_VERSION + 3} is newer than this build's ${LATEST_VERSION}; run the newer build or restore a backup made for this one`,
    );
    withFlaskConnection(path, (db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION + 3);
      expect(db.pragma("journal_mode", { simple: true })).toBe("delete"); // not even switched to WAL
    });
  });
});

describe("opening the repository", () => {
  it("migrates on open and opens an up-to-date file again without error", async () => {
    const path = tempFile();
    createFlaskDatabase(path, []);
    for (let i = 0; i < 2; i++) {
      const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
      await repo.append({ room: "lobby", sender: "ana", content: `open ${i}`, sentAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)) });
      await repo.close();
    }
    withFlaskConnection(path, (db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect((db.prepare(FLASK_SELECT).all("lobby") as { chat_message_content: string }[]).map((r) => r.chat_message_content)).toEqual(["open 0", "open 1"]);
    });
  });
});

describe("version 18: room_record by origin_room", () => {
  it("a ban's look-up of the conversations opened from a room seeks the index, and a move's re-pointing of them too", () => {
    const db = open(tempFile());
    migrateTo(db, 17);
    const planOf = (sql: string, ...params: string[]): string[] => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    expect(planOf(SQL_DIRECT_MEMBERS_FROM_SQLITE, "lobby")).toContain("SCAN r");
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(planOf(SQL_DIRECT_MEMBERS_FROM_SQLITE, "lobby")).toEqual([
      "SEARCH r USING INDEX ix_room_record_origin (origin_room=?)",
      "SEARCH m USING INDEX sqlite_autoindex_room_member_1 (room=?)",
    ]);
    expect(planOf("UPDATE room_record SET origin_room = ? WHERE origin_room = ?", "~new", "lobby")).toEqual(["SEARCH room_record USING INDEX ix_room_record_origin (origin_room=?)"]);
  });
});

describe("version 19: the banned name as typed", () => {
  const UNTIL = "2099-01-01T00:00:00.000Z";
  const AT = "2025-06-01T12:00:00.000Z";

  interface Version18Writers {
    ban: Database.Statement;
    audit: Database.Statement;
    move: Database.Statement;
  }

  /** A version 18 file (the banned name only in the audit, as that release wrote it), with what `write` puts in it. */
  function atVersion18(write: (w: Version18Writers) => void): string {
    const path = tempFile();
    createFlaskDatabase(path, []);
    withFlaskConnection(path, (db) => {
      migrateTo(db, 18);
      write({
        ban: db.prepare("INSERT INTO room_ban (room, name_key, session_key, until, moderator, created_at) VALUES (?, ?, NULL, ?, 'mod', ?)"),
        audit: db.prepare("INSERT INTO moderation_audit (at, moderator, action, room, target) VALUES (?, 'mod', ?, ?, ?)"),
        move: db.prepare("INSERT INTO room_move (from_room, to_room, moved_at) VALUES (?, ?, ?)"),
      });
    });
    return path;
  }

  /** Bans and ban audit lines in three rooms. */
  function version18File(): string {
    return atVersion18(({ ban, audit }) => {
      ban.run("lobby", nameKey("Mod"), UNTIL, AT);
      audit.run(AT, "ban", "lobby", "MOD");
      audit.run(AT, "kick", "lobby", "mod!"); // not a ban: never a ban's name
      audit.run(AT, "ban", "lobby", "Mod"); // the newest spelling wins, as list_bans showed it
      ban.run("lobby", nameKey("Ana"), UNTIL, AT);
      audit.run(AT, "ban", "elsewhere", "Ana"); // another room's line names nothing here
      // A room made private before its moves were recorded: its bans moved, its audit lines stayed under "general".
      ban.run("~moved", nameKey("Troll"), UNTIL, AT);
      audit.run(AT, "ban", "general", "Troll");
    });
  }

  const names = (db: Database.Database): unknown[] => db.prepare("SELECT room, name_key, name FROM room_ban ORDER BY id").all();

  it("adds the column to a version 18 file and names each ban from its room's newest ban audit line; a ban with none keeps NULL", () => {
    const db = open(version18File());
    expect(migrate(db)).toBe(LATEST_VERSION);
    expect(names(db)).toEqual([
      { room: "lobby", name_key: nameKey("Mod"), name: "Mod" },
      { room: "lobby", name_key: nameKey("Ana"), name: null },
      { room: "~moved", name_key: nameKey("Troll"), name: null },
    ]);
    // Run again (a restored dump that lost user_version): a ban already named keeps its name.
    db.prepare("UPDATE room_ban SET name = 'M0d' WHERE room = 'lobby' AND name IS NOT NULL").run();
    db.pragma("user_version = 18");
    const once = schemaOf(db);
    migrate(db);
    expect(schemaOf(db)).toEqual(once);
    expect((names(db)[0] as { name: string }).name).toBe("M0d");
  });

  it("list_bans' store answer shows the upgraded bans by name, and by key where no name was found", async () => {
    const path = version18File();
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    const now = new Date(AT);
    expect((await repo.activeBans("lobby", now, 10)).map((b) => b.name).sort()).toEqual([nameKey("Ana"), "Mod"].sort());
    expect((await repo.activeBans("~moved", now, 10)).map((b) => b.name)).toEqual([nameKey("Troll")]);
    expect((await repo.activeBan("lobby", nameKey("Mod"), null, now))?.name).toBe("Mod");
  });

  it("follows a room's recorded moves: a ban made in a room later made private (or back) is named from the old address's audit line", async () => {
    const path = atVersion18(({ ban, audit, move }) => {
      // "r" made private as the app does it: the ban moved to "~xyz", its audit line stayed at "r", the move recorded.
      ban.run("~xyz", nameKey("Troll"), UNTIL, "2025-06-01T12:00:00.000Z");
      audit.run("2025-06-01T12:00:00.000Z", "ban", "r", "Troll");
      audit.run("2025-06-01T13:00:00.000Z", "make_private", "r", null);
      move.run("r", "~xyz", "2025-06-01T13:00:00.000Z");
      // The fresh public "r" afterwards: its own ban of a look-alike, named from the later line, not the moved one.
      ban.run("r", nameKey("TROLL"), UNTIL, "2025-06-01T14:00:00.000Z");
      audit.run("2025-06-01T14:00:00.000Z", "ban", "r", "TROLL");
      // Two moves: "c" made private, then public again; its ban is back at "c" with its name.
      ban.run("c", nameKey("Ana"), UNTIL, "2025-06-01T12:00:00.000Z");
      audit.run("2025-06-01T12:00:00.000Z", "ban", "c", "Ana");
      move.run("c", "~c1", "2025-06-01T13:00:00.000Z");
      move.run("~c1", "c", "2025-06-01T15:00:00.000Z");
    });
    const db = open(path);
    migrate(db);
    expect(names(db)).toEqual([
      { room: "~xyz", name_key: nameKey("Troll"), name: "Troll" },
      { room: "r", name_key: nameKey("TROLL"), name: "TROLL" },
      { room: "c", name_key: nameKey("Ana"), name: "Ana" },
    ]);
    db.close();
    const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
    onTestFinished(() => repo.close());
    expect((await repo.activeBans("~xyz", new Date(AT), 10)).map((b) => b.name)).toEqual(["Troll"]);
  });
});
