// File bytes in PostgreSQL (several nodes): every node serves every file with no shared disk, as Rocket.Chat's
// default GridFS keeps files in its database. The bytes are 1 MiB rows of file_chunk; a file is readable once
// all its chunks are committed in one transaction, so a crash never leaves half a file behind.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type pg from "pg";
import { FileMissingError, type FileStore } from "./files.js";

export const CHUNK_BYTES = 1024 * 1024;

type Query = <T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write") => Promise<T[]>;
type Transaction = <T>(work: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

/** The buffer or the file, CHUNK_BYTES at a time. */
async function* chunksOf(source: string | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let at = 0; at < source.length; at += CHUNK_BYTES) yield source.subarray(at, at + CHUNK_BYTES);
    return;
  }
  for await (const chunk of createReadStream(source, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
}

export class PostgresFileStore implements FileStore {
  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
    private readonly spool: string,
  ) {}

  spoolDir(): string {
    return this.spool;
  }

  async put(sha256: string, source: string | Buffer, size: number): Promise<void> {
    if (await this.has(sha256)) return;
    await this.transaction(async (client) => {
      // Two nodes storing the same bytes at once: the second waits here, then finds them stored.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`file:${sha256}`]);
      if ((await client.query("SELECT 1 FROM file_chunk WHERE sha256 = $1 AND seq = 0", [sha256])).rowCount) return;
      let seq = 0;
      let total = 0;
      for await (const chunk of chunksOf(source)) {
        await client.query("INSERT INTO file_chunk (sha256, seq, data) VALUES ($1, $2, $3)", [sha256, seq++, chunk]);
        total += chunk.length;
      }
      if (seq === 0) await client.query("INSERT INTO file_chunk (sha256, seq, data) VALUES ($1, 0, $2)", [sha256, Buffer.alloc(0)]);
      if (total !== size) throw new Error(`stored ${sha256} has the wrong size`);
    });
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.query("SELECT 1 FROM file_chunk WHERE sha256 = $1 AND seq = 0", [sha256], "read")).length > 0;
  }

  async read(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    if (!(await this.has(sha256))) throw new FileMissingError(sha256);
    const query = this.query;
    const first = range === undefined ? 0 : Math.floor(range.start / CHUNK_BYTES);
    const last = range === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(range.end / CHUNK_BYTES);
    // One chunk in memory at a time, read as the client takes them.
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = first; seq <= last; seq++) {
        const [row] = await query<{ data: Buffer }>("SELECT data FROM file_chunk WHERE sha256 = $1 AND seq = $2", [sha256, seq], "read");
        if (row === undefined) return;
        let data = row.data;
        if (range !== undefined) {
          const base = seq * CHUNK_BYTES;
          data = data.subarray(Math.max(0, range.start - base), Math.min(data.length, range.end - base + 1));
        }
        yield data;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  /** Only bytes no blob record claims: another node that touched the blob again (to store it anew) keeps them. */
  async delete(sha256: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`file:${sha256}`]);
      await client.query("DELETE FROM file_chunk WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM file_blob WHERE sha256 = $1)", [sha256]);
    });
  }
}
