// Files (issue 18) copied from SQLite into PostgreSQL by migrate-db, after the messages: the records (uploads,
// blobs) and the bytes themselves, from the SQLite mode's folder (FILES_PATH) into PostgreSQL's chunks, so every
// node can serve them. Idempotent: a blob whose bytes are there, or a record already there, is skipped. A blob
// whose bytes are missing from the folder is reported and left out (its files answer 404, as they did before).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type pg from "pg";
import type { FileStore } from "./files.js";
import { hasTable } from "./copy-moderation.js";
import { FILE_COLUMNS, type FileRow } from "./sqlite-files.js";

export interface FileCounts {
  files: number;
  blobs: number;
  /** Blobs whose bytes were not in the folder. */
  missing: number;
}

// A message's files follow the version of it PostgreSQL keeps (copy-message-changes.ts): a file goes in unless its
// message is there with every file its row counts (files), which is so once copied, and for a message deleted on
// PostgreSQL (none), or edited there to drop a file, since the last copy. Resuming a copy that stopped half-way
// through a message's files still adds the rest.
const SQL_INSERT_FILE = `INSERT INTO chat_file (${FILE_COLUMNS})
  SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint, $6::text, $7::int, $8::int, $9::text, $10::text, $11::boolean, $12::text, $13::bigint, $14::text, $15::int
  WHERE NOT EXISTS (SELECT 1 FROM chat_message m WHERE m.id = $13::bigint AND (SELECT count(*) FROM chat_file f WHERE f.message_id = m.id) >= coalesce(m.files, 0))
  ON CONFLICT (id) DO NOTHING`;

export async function copyFiles(source: Database.Database, filesPath: string, target: pg.Client, store: FileStore): Promise<FileCounts> {
  const counts: FileCounts = { files: 0, blobs: 0, missing: 0 };
  if (!hasTable(source, "chat_file")) return counts;
  const blobs = source.prepare("SELECT sha256, size, touched_at FROM file_blob ORDER BY sha256").all() as { sha256: string; size: number; touched_at: string }[];
  for (const blob of blobs) {
    const path = join(filesPath, blob.sha256.slice(0, 2), blob.sha256);
    if (!existsSync(path)) {
      counts.missing++;
      continue;
    }
    if (!(await store.has(blob.sha256))) {
      await store.put(blob.sha256, path, blob.size);
      counts.blobs++;
    }
    await target.query("INSERT INTO file_blob (sha256, size, touched_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING", [blob.sha256, blob.size, blob.touched_at]);
  }
  const rows = source.prepare(`SELECT ${FILE_COLUMNS} FROM chat_file ORDER BY created_at, id`).all() as FileRow[];
  for (const r of rows) {
    const inserted = await target.query(
      SQL_INSERT_FILE,
      [r.id, r.session_key, r.name, r.type, r.size, r.sha256, r.width, r.height, r.thumb_sha256, r.display_sha256, r.animated === 1 || r.animated === true, r.created_at, r.message_id, r.room, r.position ?? null],
    );
    counts.files += inserted.rowCount ?? 0;
  }
  return counts;
}
