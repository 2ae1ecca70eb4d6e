// The records of files on PostgreSQL (migration 7): the same tables and answers as sqlite-files.ts. Attaching
// files to new messages happens inside the send batch's transaction (postgres.ts).
import type pg from "pg";
import type { FileRecord, FileRecords, NewUpload } from "./files.js";
import { FILE_COLUMNS, toFileRecord, uploadValues, type FileRow } from "./sqlite-files.js";

type Query = <T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write") => Promise<T[]>;
type Transaction = <T>(work: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

const UNREFERENCED = `NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.thumb_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM chat_file f WHERE f.display_sha256 = b.sha256)`;

/** The attachments of these messages, for withAttachments. */
export async function loadFileRows(client: Pick<pg.ClientBase, "query">, ids: number[]): Promise<FileRow[]> {
  return (await client.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM chat_file WHERE message_id = ANY($1::bigint[]) ORDER BY message_id, position`, [ids.map(String)])).rows;
}

/**
 * Inside a send batch's transaction: attaches each new message's uploads (its session's, still unattached), in
 * order, and counts them on the message. An id that is not (or no longer) such an upload is skipped: the answer
 * is how many were attached, for the caller to check.
 */
export async function attachUploads(client: pg.ClientBase, messages: readonly { id: number; room: string; sessionKey: string; uploads: readonly string[] }[]): Promise<number> {
  const rows = messages.flatMap((m) => m.uploads.map((upload, position) => ({ upload, id: m.id, room: m.room, position, sessionKey: m.sessionKey })));
  if (rows.length === 0) return 0;
  const attached = await client.query(
    `UPDATE chat_file f SET message_id = x.mid, room = x.room, position = x.pos
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[]) AS x(id, mid, room, pos, owner)
     WHERE f.id = x.id AND f.session_key = x.owner AND f.message_id IS NULL`,
    [rows.map((r) => r.upload), rows.map((r) => String(r.id)), rows.map((r) => r.room), rows.map((r) => r.position), rows.map((r) => r.sessionKey)],
  );
  await client.query(
    `UPDATE chat_message m SET files = c.n FROM (SELECT message_id, count(*)::int AS n FROM chat_file WHERE message_id = ANY($1::bigint[]) GROUP BY message_id) c WHERE m.id = c.message_id`,
    [[...new Set(rows.map((r) => String(r.id)))]],
  );
  return attached.rowCount ?? 0;
}

/** Inside an edit's or a delete's transaction: the message keeps only `keep` (all when undefined; none for a delete). */
export async function keepFiles(client: pg.ClientBase, messageId: number, keep: readonly string[] | undefined): Promise<void> {
  if (keep === undefined) return;
  await client.query("DELETE FROM chat_file WHERE message_id = $1 AND NOT (id = ANY($2::text[]))", [messageId, [...keep]]);
  await client.query("UPDATE chat_message SET files = (SELECT nullif(count(*), 0)::int FROM chat_file WHERE message_id = $1) WHERE id = $1", [messageId]);
}

export class PostgresFileRecords implements FileRecords {
  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
  ) {}

  touchBlobs(blobs: readonly { sha256: string; size: number }[], at: Date): Promise<void> {
    return this.transaction(async (client) => {
      for (const b of blobs) {
        await client.query("INSERT INTO file_blob (sha256, size, touched_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET touched_at = excluded.touched_at", [b.sha256, b.size, at.toISOString()]);
      }
    });
  }

  async addUpload(upload: NewUpload): Promise<void> {
    await this.query(
      "INSERT INTO chat_file (id, session_key, name, type, size, sha256, width, height, thumb_sha256, display_sha256, created_at, animated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      [...uploadValues(upload), upload.animated === true],
      "write",
    );
  }

  async upload(id: string): Promise<FileRecord | null> {
    const [row] = await this.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM chat_file WHERE id = $1`, [id], "read");
    return row === undefined ? null : toFileRecord(row);
  }

  async ownUploads(sessionKey: string, ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM chat_file WHERE session_key = $1 AND id = ANY($2::text[])`, [sessionKey, [...ids]], "read");
    const byId = new Map(rows.map((r) => [r.id, toFileRecord(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async storedBytes(): Promise<number> {
    const [row] = await this.query<{ n: string }>("SELECT coalesce(sum(size), 0)::text AS n FROM file_blob", [], "read");
    return Number(row?.n ?? 0);
  }

  async removeUnattached(before: Date): Promise<string[]> {
    const gone = await this.query<{ sha256: string; thumb_sha256: string | null; display_sha256: string | null }>(
      "DELETE FROM chat_file WHERE message_id IS NULL AND created_at < $1 RETURNING sha256, thumb_sha256, display_sha256",
      [before.toISOString()],
      "write",
    );
    return [...new Set(gone.flatMap((r) => [r.sha256, r.thumb_sha256, r.display_sha256].filter((s): s is string => s !== null)))];
  }

  async releaseBlobs(candidates: readonly string[], before: Date): Promise<string[]> {
    if (candidates.length === 0) return [];
    const released = await this.query<{ sha256: string }>(
      `DELETE FROM file_blob b WHERE b.sha256 = ANY($1::text[]) AND b.touched_at < $2 AND ${UNREFERENCED} RETURNING sha256`,
      [[...candidates], before.toISOString()],
      "write",
    );
    return released.map((r) => r.sha256);
  }

  async unreferencedBlobs(before: Date): Promise<string[]> {
    return (await this.query<{ sha256: string }>(`SELECT sha256 FROM file_blob b WHERE b.touched_at < $1 AND ${UNREFERENCED}`, [before.toISOString()], "read")).map((r) => r.sha256);
  }

  async messagesWithFileNames(room: string, matches: (name: string) => boolean, opts: { before: number; limit: number; scanLimit: number }): Promise<number[]> {
    const rows = await this.query<{ message_id: string; name: string }>(
      "SELECT message_id::text, name FROM chat_file WHERE room = $1 AND message_id IS NOT NULL AND message_id < $2 ORDER BY message_id DESC LIMIT $3",
      [room, opts.before, opts.scanLimit],
      "read",
    );
    const ids: number[] = [];
    for (const r of rows) {
      if (ids.length > opts.limit) break;
      const id = Number(r.message_id);
      if (ids[ids.length - 1] !== id && matches(r.name)) ids.push(id);
    }
    return ids;
  }
}
