// The files of the chat (issue 18): turning a spooled upload into stored bytes and a record (images processed
// first), the storage quota, and removing what nothing needs any more (uploads never attached within
// UPLOAD_TTL_MS; the bytes of deleted messages' files once no file points at them). Below chat/ and http/: both
// use it; it uses the stores.
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import type { FileSettings } from "../config.js";
import type { Logger } from "../log.js";
import { FileMissingError, type FileRecords, type FileStore, type NewUpload, type StoredAttachment } from "../storage/files.js";
import { ImageRefusedError, processImage, WorkLine } from "./images.js";
import { sniff } from "./sniff.js";
import { KeyedTurns } from "../shared/keyed-turns.js";

/** A blob's bytes are removed only once untouched this long: an upload storing the same bytes anew is never raced. */
export const BLOB_GRACE_MS = 60_000;
/** How often the sweep looks for expired uploads and unreferenced bytes. */
const SWEEP_MS = 60_000;
/** How long the storage total may be reused before it is read again. */
const TOTAL_TTL_MS = 5_000;

/** An upload spooled to disk while it arrived: its path, size, SHA-256 and first bytes (for sniffing). */
export interface Spooled {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
}

export type UploadRefusal = { code: "file_type_refused" | "image_refused"; message: string };

const sha256Of = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
export const newUploadId = (): string => randomBytes(16).toString("base64url");

export interface FileLibraryDeps {
  settings: FileSettings;
  records: FileRecords;
  store: FileStore;
  log: Logger;
  clock: Clock;
}

export class FileLibrary {
  private readonly images: WorkLine;
  /** Per blob: its store-then-record and its release-then-delete never interleave on this node. */
  private readonly blobLocks = new KeyedTurns();
  private total: { bytes: number; atMs: number } | null = null;
  /** Bytes held by uploads being read or stored on this node (reserve). */
  private reserved = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: FileLibraryDeps) {
    this.images = new WorkLine(deps.settings.imageConcurrency);
  }

  /** Images being processed or waiting (the bench reads it). */
  get imageQueue(): number {
    return this.images.depth;
  }


  /**
   * Holds `bytes` of MAX_STORAGE_BYTES for an upload while it is read and stored, or null when they would go over
   * it (the stored total is re-read every few seconds). Uploads in flight count against the limit together, so many
   * sent at once cannot each pass a check that sees only what is stored; call the returned release once the upload
   * is stored (its bytes are in the total then) or refused. Per node: each node holds only its own uploads.
   */
  async reserve(bytes: number): Promise<(() => void) | null> {
    const now = this.deps.clock.monotonicMs();
    if (this.total === null || now - this.total.atMs > TOTAL_TTL_MS) this.total = { bytes: await this.deps.records.storedBytes(), atMs: now };
    // From here to the return nothing awaits: concurrent reservations see each other's.
    if (this.total.bytes + this.reserved + bytes > this.deps.settings.maxStorageBytes) return null;
    this.reserved += bytes;
    let isHeld = true;
    return () => {
      if (isHeld) this.reserved -= bytes;
      isHeld = false;
    };
  }

  /** Touches the blob, then stores its bytes: a release racing this leaves them (see BLOB_GRACE_MS). */
  private keep(sha256: string, source: string | Buffer, size: number): Promise<void> {
    return this.blobLocks.run(sha256, async () => {
      await this.deps.records.touchBlobs([{ sha256, size }], this.deps.clock.now());
      await this.deps.store.put(sha256, source, size);
      if (this.total !== null) this.total.bytes += size;
    });
  }

  /**
   * Stores a spooled upload of `sessionKey`: its type from its bytes, an image processed (thumbnail, display
   * size, metadata removed), then the bytes, then the record. The attachment, or why it was refused.
   */
  async add(spooled: Spooled, name: string, sessionKey: string): Promise<StoredAttachment | UploadRefusal> {
    const { type, image } = await sniff(spooled.head);
    if (this.deps.settings.refusedTypes.includes(type)) return { code: "file_type_refused", message: `Files of this type (${type}) cannot be shared here.` };
    const upload: NewUpload = { id: newUploadId(), sessionKey, name, type, size: spooled.size, sha256: spooled.sha256, createdAt: this.deps.clock.now() };
    if (image === null) {
      await this.keep(spooled.sha256, spooled.path, spooled.size);
    } else {
      let processed;
      try {
        processed = await this.images.run(() => processImage(spooled.path, image, { maxPixels: this.deps.settings.imageMaxPixels }));
      } catch (err) {
        if (!(err instanceof ImageRefusedError)) throw err;
        if (err.detail !== undefined) this.deps.log.info("image_unreadable", { type: image, detail: err.detail });
        return { code: "image_refused", message: err.message };
      }
      const original = sha256Of(processed.original);
      const thumb = sha256Of(processed.thumb);
      const display = sha256Of(processed.display);
      await this.keep(original, processed.original, processed.original.length);
      await this.keep(thumb, processed.thumb, processed.thumb.length);
      await this.keep(display, processed.display, processed.display.length);
      Object.assign(upload, { sha256: original, size: processed.original.length, width: processed.width, height: processed.height, thumbSha256: thumb, displaySha256: display });
      if (processed.animated) upload.animated = true;
    }
    await this.deps.records.addUpload(upload);
    return upload;
  }

  /** The bytes of these blobs go, unless something still points at them (or touched them within the grace). */
  async release(candidates: readonly string[]): Promise<void> {
    const before = new Date(this.deps.clock.now().getTime() - BLOB_GRACE_MS);
    for (const sha256 of new Set(candidates)) {
      await this.blobLocks.run(sha256, async () => {
        const released = await this.deps.records.releaseBlobs([sha256], before);
        for (const gone of released) await this.deps.store.delete(gone);
        if (released.length > 0) this.total = null;
      });
    }
  }

  /** The blobs of these attachments (a deleted message's, or the ones an edit removed). */
  static blobsOf(files: readonly StoredAttachment[]): string[] {
    return files.flatMap((f) => [f.sha256, f.thumbSha256, f.displaySha256].filter((s): s is string => s !== undefined));
  }

  /** Uploads never attached within UPLOAD_TTL_MS go, and every blob nothing points at. */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const expired = await this.deps.records.removeUnattached(new Date(now - this.deps.settings.uploadTtlMs));
    await this.release(expired);
    await this.release(await this.deps.records.unreferencedBlobs(new Date(now - BLOB_GRACE_MS)));
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.deps.log.warn("file_sweep_failed", { err: (err as Error).message }));
    }, Math.min(SWEEP_MS, this.deps.settings.uploadTtlMs));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The bytes of a blob, whole or a range; null when they are gone. */
  async open(sha256: string, range?: { start: number; end: number }) {
    try {
      return await this.deps.store.read(sha256, range);
    } catch (err) {
      if (err instanceof FileMissingError) return null;
      throw err;
    }
  }
}
