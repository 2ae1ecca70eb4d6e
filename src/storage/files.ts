// Files in messages (issue 18), as the stores keep them. Two parts: the bytes (FileStore: content-addressed by
// SHA-256, on disk beside an SQLite database or in PostgreSQL), and the records (FileRecords: which upload is
// whose, what it is, which message it belongs to), kept in the same database as the messages.
import { basename, dirname, extname, join } from "node:path";
import type { Readable } from "node:stream";

/** Where the SQLite mode keeps files unless FILES_PATH says otherwise: beside the database (chat_history.db: chat_history-files/). */
export function defaultFilesPath(databasePath: string): string {
  return join(dirname(databasePath), `${basename(databasePath, extname(databasePath))}-files`);
}

/** What a message carries of one of its files. */
export interface StoredAttachment {
  id: string;
  name: string;
  /** Sniffed from the bytes (file-type); application/octet-stream when they say nothing. */
  type: string;
  size: number;
  width?: number;
  height?: number;
  /** The stored (metadata-stripped) original's bytes. */
  sha256: string;
  thumbSha256?: string;
  displaySha256?: string;
  animated?: true;
}

/** An upload as recorded: the attachment, its uploader, and the message it was attached to (null until then). */
export interface FileRecord extends StoredAttachment {
  sessionKey: string;
  createdAt: Date;
  messageId: number | null;
  room: string | null;
}

export type NewUpload = Omit<FileRecord, "messageId" | "room">;

/** The bytes of files, by SHA-256. One contract suite runs over every implementation (test/helpers/file-store-contract.ts). */
export interface FileStore {
  /**
   * Keeps the bytes (a temporary file's path, moved or copied in, or a buffer) under their SHA-256, which the
   * caller computed. All or nothing: a crash leaves no partial file readable. Storing bytes already there is a no-op.
   */
  put(sha256: string, source: string | Buffer, size: number): Promise<void>;
  /** The bytes from `start` to `end` (inclusive), or all of them; rejects with FileMissingError when there are none. */
  read(sha256: string, range?: { start: number; end: number }): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /** Gone, or never there: both fine. */
  delete(sha256: string): Promise<void>;
  /** Where uploads are spooled while they arrive: on the store's own file system when it has one, so put() can move them. */
  spoolDir(): string;
}

export class FileMissingError extends Error {
  constructor(sha256: string) {
    super(`no stored file ${sha256}`);
    this.name = "FileMissingError";
  }
}

/** The records of uploads and of their bytes, in the messages' database. */
export interface FileRecords {
  /**
   * Records blobs about to be stored (or stored again), touched now: a sweep leaves a blob touched within its grace
   * alone, so bytes being stored for an upload are never removed before the upload's record points at them.
   */
  touchBlobs(blobs: readonly { sha256: string; size: number }[], at: Date): Promise<void>;
  /** Records an upload whose blobs were touched and stored. */
  addUpload(upload: NewUpload): Promise<void>;
  upload(id: string): Promise<FileRecord | null>;
  /** The uploads of `sessionKey` among `ids` (sent or not), in the order given; missing or foreign ones are left out. */
  ownUploads(sessionKey: string, ids: readonly string[]): Promise<FileRecord[]>;
  /** All blobs' bytes together (the storage quota). */
  storedBytes(): Promise<number>;
  /** Removes uploads never attached and created before `before`; the blobs they used. */
  removeUnattached(before: Date): Promise<string[]>;
  /** Of these blobs, the ones nothing references and nobody touched since `before`: their records are removed and their hashes returned, for the bytes to go. */
  releaseBlobs(candidates: readonly string[], before: Date): Promise<string[]>;
  /** Every blob nothing references, untouched since `before` (the periodic sweep). */
  unreferencedBlobs(before: Date): Promise<string[]>;
  /**
   * Messages of the room whose files' names match (per `matches`), newest first, below `before`, at most `limit`
   * (+1 to tell if there are more): search by file name. `scanLimit` bounds the files looked at.
   */
  messagesWithFileNames(room: string, matches: (name: string) => boolean, opts: { before: number; limit: number; scanLimit: number }): Promise<number[]>;
}

/** Messages whose files must be loaded: they say how many they have (the chat_message.files column). */
export interface FileCounted {
  id: number;
  fileCount: number;
}
