// The records of files on SQLite (migration 10): uploads, the blobs of their bytes, and which message a file
// belongs to. The repository lends the connection (the same IMMEDIATE transactions, busy retry and health
// bookkeeping as the sends); attaching files to a new message happens inside the send's own transaction.
import type Database from "better-sqlite3";
import type { ChatMessage } from "./repository.js";
import type { FileRecord, FileRecords, NewUpload, StoredAttachment } from "./files.js";

type Use = <T>(work: (db: Database.Database) => T) => Promise<T>;

/** A chat_file row, the same columns in both stores (PostgreSQL gives bigints as strings and booleans as such). */
export interface FileRow {
  id: string;
  session_key: string;
  name: string;
  type: string;
  size: number | string;
  sha256: string;
  width: number | null;
  height: number | null;
  thumb_sha256: string | null;
  display_sha256: string | null;
  animated: number | boolean;
  created_at: string;
  message_id: number | string | null;
  room: string | null;
  position?: number | null;
}

export const FILE_COLUMNS = "id, session_key, name, type, size, sha256, width, height, thumb_sha256, display_sha256, animated, created_at, message_id, room, position";

export function toAttachment(r: FileRow): StoredAttachment {
  const a: StoredAttachment = { id: r.id, name: r.name, type: r.type, size: Number(r.size), sha256: r.sha256 };
  if (r.width !== null && r.height !== null) Object.assign(a, { width: Number(r.width), height: Number(r.height) });
  if (r.thumb_sha256 !== null) a.thumbSha256 = r.thumb_sha256;
  if (r.display_sha256 !== null) a.displaySha256 = r.display_sha256;
  if (r.animated === true || r.animated === 1) a.animated = true;
  return a;
}

export function toFileRecord(r: FileRow): FileRecord {
  return {
    ...toAttachment(r),
    sessionKey: r.session_key,
    createdAt: new Date(r.created_at),
    messageId: r.message_id === null ? null : Number(r.message_id),
    room: r.room,
  };
}

/** The values of a new upload's chat_file row, in FILE_COLUMNS order up to created_at. */
export function uploadValues(u: NewUpload): unknown[] {
  return [u.id, u.sessionKey, u.name, u.type, u.size, u.sha256, u.width ?? null, u.height ?? null, u.thumbSha256 ?? null, u.displaySha256 ?? null, u.createdAt.toISOString()];
}

/**
 * Messages read with a `fileCount` get their attachments (one query for the page), in their order; the count
 * itself is not part of a message. Messages without files are left as they are.
 */
export function withAttachments(messages: ChatMessage[], load: (ids: number[]) => FileRow[]): ChatMessage[];
export function withAttachments(messages: ChatMessage[], load: (ids: number[]) => Promise<FileRow[]>): Promise<ChatMessage[]>;
export function withAttachments(messages: ChatMessage[], load: (ids: number[]) => FileRow[] | Promise<FileRow[]>): ChatMessage[] | Promise<ChatMessage[]> {
  const ids = messages.filter((m) => (m.fileCount ?? 0) > 0).map((m) => m.id);
  for (const m of messages) delete m.fileCount;
  if (ids.length === 0) return messages;
  const place = (rows: FileRow[]): ChatMessage[] => {
    const byMessage = new Map<number, StoredAttachment[]>();
    for (const row of rows) {
      const id = Number(row.message_id);
      const list = byMessage.get(id) ?? [];
      list.push(toAttachment(row));
      byMessage.set(id, list);
    }
    for (const m of messages) {
      const files = byMessage.get(m.id);
      if (files !== undefined) m.attachments = files;
    }
    return messages;
  };
  const rows = load(ids);
  return rows instanceof Promise ? rows.then(place) : place(rows);
}

const SQL_FILES_OF = (n: number) => `SELECT ${FILE_COLUMNS} FROM chat_file WHERE message_id IN (${Array(n).fill("?").join(", ")}) ORDER BY message_id, position`;

/** The attachments of these messages, for withAttachments (synchronous: inside a read or a write of the repository). */
export function loadFileRows(db: Database.Database, ids: number[]): FileRow[] {
  return db.prepare(SQL_FILES_OF(ids.length)).all(...ids) as FileRow[];
}

/**
 * Inside the send's transaction, before its INSERT: whether every id is still an unattached upload of the session
 * (an earlier send of the same batch, or another tab's, may have taken one). A send that fails this is refused.
 */
export function canAttachAll(db: Database.Database, sessionKey: string | undefined, ids: readonly string[]): boolean {
  if (sessionKey === undefined) return false;
  const free = db.prepare(`SELECT count(*) AS n FROM chat_file WHERE session_key = ? AND message_id IS NULL AND id IN (${ids.map(() => "?").join(", ")})`).get(sessionKey, ...ids) as { n: number };
  return free.n === ids.length;
}

/**
 * Inside the send's transaction, after canAttachAll: attaches the session's unattached uploads to the new message,
 * in order, and counts them on the message.
 */
export function attachUploads(db: Database.Database, messageId: number, room: string, sessionKey: string, ids: readonly string[]): number {
  const attach = db.prepare("UPDATE chat_file SET message_id = ?, room = ?, position = ? WHERE id = ? AND session_key = ? AND message_id IS NULL");
  let position = 0;
  for (const id of ids) if (attach.run(messageId, room, position, id, sessionKey).changes > 0) position++;
  if (position > 0) db.prepare("UPDATE chat_message SET files = ? WHERE id = ?").run(position, messageId);
  return position;
}

/** Inside an edit's or a delete's transaction: the message keeps only `keep` (all when undefined; none for a delete). */
export function keepFiles(db: Database.Database, messageId: number, keep: readonly string[] | undefined): void {
  if (keep === undefined) return;
  const marks = keep.map(() => "?").join(", ");
  db.prepare(`DELETE FROM chat_file WHERE message_id = ?${keep.length > 0 ? ` AND id NOT IN (${marks})` : ""}`).run(messageId, ...keep);
  const left = (db.prepare("SELECT count(*) AS n FROM chat_file WHERE message_id = ?").get(messageId) as { n: number }).n;
  db.prepare("UPDATE chat_message SET files = ? WHERE id = ?").run(left > 0 ? left : null, messageId);
}

const UNREFERENCED = `NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.thumb_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.display_sha256 = b.sha256)`;

export class SqliteFileRecords implements FileRecords {
  constructor(
    private readonly read: Use,
    private readonly write: Use,
  ) {}

  async touchBlobs(blobs: readonly { sha256: string; size: number }[], at: Date): Promise<void> {
    await this.write((db) => {
      const blob = db.prepare("INSERT INTO file_blob (sha256, size, touched_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET touched_at = excluded.touched_at");
      for (const b of blobs) blob.run(b.sha256, b.size, at.toISOString());
    });
  }

  async addUpload(upload: NewUpload): Promise<void> {
    await this.write((db) => {
      db.prepare(`INSERT INTO chat_file (id, session_key, name, type, size, sha256, width, height, thumb_sha256, display_sha256, created_at, animated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        ...uploadValues(upload),
        upload.animated ? 1 : 0,
      );
    });
  }

  upload(id: string): Promise<FileRecord | null> {
    return this.read((db) => {
      const row = db.prepare(`SELECT ${FILE_COLUMNS} FROM chat_file WHERE id = ?`).get(id) as FileRow | undefined;
      return row === undefined ? null : toFileRecord(row);
    });
  }

  ownUploads(sessionKey: string, ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.read((db) => {
      const rows = db.prepare(`SELECT ${FILE_COLUMNS} FROM chat_file WHERE session_key = ? AND id IN (${ids.map(() => "?").join(", ")})`).all(sessionKey, ...ids) as FileRow[];
      const byId = new Map(rows.map((r) => [r.id, toFileRecord(r)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    });
  }

  storedBytes(): Promise<number> {
    return this.read((db) => (db.prepare("SELECT coalesce(sum(size), 0) AS n FROM file_blob").get() as { n: number }).n);
  }

  removeUnattached(before: Date): Promise<string[]> {
    return this.write((db) => {
      const gone = db.prepare("DELETE FROM chat_file WHERE message_id IS NULL AND created_at < ? RETURNING sha256, thumb_sha256, display_sha256").all(before.toISOString()) as {
        sha256: string;
        thumb_sha256: string | null;
        display_sha256: string | null;
      }[];
      return [...new Set(gone.flatMap((r) => [r.sha256, r.thumb_sha256, r.display_sha256].filter((s): s is string => s !== null)))];
    });
  }

  releaseBlobs(candidates: readonly string[], before: Date): Promise<string[]> {
    if (candidates.length === 0) return Promise.resolve([]);
    return this.write((db) => {
      const release = db.prepare(`DELETE FROM file_blob AS b WHERE b.sha256 = ? AND b.touched_at < ? AND ${UNREFERENCED} RETURNING sha256`);
      return candidates.filter((sha) => release.get(sha, before.toISOString()) !== undefined);
    });
  }

  unreferencedBlobs(before: Date): Promise<string[]> {
    return this.read((db) => (db.prepare(`SELECT sha256 FROM file_blob AS b WHERE b.touched_at < ? AND ${UNREFERENCED}`).all(before.toISOString()) as { sha256: string }[]).map((r) => r.sha256));
  }

  messagesWithFileNames(room: string, matches: (name: string) => boolean, opts: { before: number; limit: number; scanLimit: number }): Promise<number[]> {
    return this.read((db) => {
      const rows = db
        .prepare("SELECT message_id, name FROM chat_file WHERE room = ? AND message_id IS NOT NULL AND message_id < ? ORDER BY message_id DESC LIMIT ?")
        .all(room, opts.before, opts.scanLimit) as { message_id: number; name: string }[];
      const ids: number[] = [];
      for (const r of rows) {
        if (ids.length > opts.limit) break;
        if (ids[ids.length - 1] !== r.message_id && matches(r.name)) ids.push(r.message_id);
      }
      return ids;
    });
  }
}
