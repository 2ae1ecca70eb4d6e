// The SQLite connection behind the stores: opening and migrating the file, its prepared statements, write
// transactions with the busy retry, reopening after a failure only a new connection fixes, and health. The
// message store (sqlite.ts) and the tables beside it (moderation, rooms) run their SQL through this.
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import type { Logger } from "../log.js";
import { assertKnownVersion, LATEST_VERSION, migrate } from "./migrations.js";
import { DEFAULT_HEALTH_PROBE_INTERVAL_MS, StorageUnavailableError } from "./repository.js";
import { DEFAULT_FULL_RESUME_BYTES, DiskFullWatch } from "./disk-full.js";

export const DEFAULT_WRITE_RETRY_MS = 500;
export { DEFAULT_HEALTH_PROBE_INTERVAL_MS };
/** Retry gaps grow 2, 4, 8... ms up to this, so a lock held for long is polled a few dozen times, not thousands. */
const MAX_RETRY_GAP_MS = 25;
/**
 * A read looks for a removed or replaced file at most this often: a stat per read was 1.2 s of a 10,000-client
 * restart's profile (issue 19). A read in between answers from the file as it was at most this long ago; every
 * write and health check still looks first, so nothing is ever written into a removed file.
 */
const READ_FILE_CHECK_MS = 100;

const isBusy = (err: unknown): boolean => String((err as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_BUSY");
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the file lives on disk, so a deleted or replaced database is noticed instead of written into the void. */
function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

export interface ConnectionOptions {
  /** The longest one write attempt blocks the event loop waiting for another connection's lock. */
  busyTimeoutMs: number;
  /** How long a write keeps retrying a locked database before failing (default 500). */
  writeRetryMs?: number;
  /** A failing or unproven store is probed with a write at most once per this many ms (default 1000). */
  healthProbeIntervalMs?: number;
  /** After SQLITE_FULL, the store is unhealthy until the file system has this many bytes free (default 64 MiB). */
  fullResumeBytes?: number;
  log: Logger;
}

/** One unit of work on the live connection and its statements. */
export type Work<S, T> = (stmts: S, db: Database.Database) => T;

/**
 * Another writer on the file (the Flask app, during a migration) is waited for without freezing the server:
 * write transactions begin IMMEDIATE, so SQLite's busy handler applies (a deferred transaction that read
 * first gets SQLITE_BUSY at once when it upgrades), each attempt waits for the lock at most busyTimeoutMs
 * (better-sqlite3 waits synchronously, blocking every connection), and a busy write is tried again after a
 * short timer, between event-loop turns, until writeRetryMs have passed.
 */
export class SqliteConnection<S> {
  private db: Database.Database | null = null;
  private stmts: S | null = null;
  private identity: string | null = null;
  /** When hasFileMoved last looked at the file (performance.now()). */
  private fileCheckedAt = -Infinity;
  /** The connection's busy_timeout as last set; -1 when unknown (a new connection). */
  private busyTimeoutMs = -1;
  /** The last write failed: unhealthy until one succeeds. */
  private lastWriteError: Error | null = null;
  /** A write has succeeded on this connection. Until then health is proven by a write (a read-only file opens fine). */
  private isWriteProven = false;
  private writeCount = 0;
  private probe: Promise<boolean> | null = null;
  private lastProbeAt = -Infinity;
  private isClosed = false;
  readonly writeRetryMs: number;
  private readonly healthProbeIntervalMs: number;
  private readonly diskFull: DiskFullWatch;

  constructor(
    private readonly path: string,
    private readonly opts: ConnectionOptions,
    /** Prepares the statements of a freshly opened (and migrated) connection. */
    private readonly prepare: (db: Database.Database) => S,
  ) {
    this.writeRetryMs = opts.writeRetryMs ?? DEFAULT_WRITE_RETRY_MS;
    this.healthProbeIntervalMs = opts.healthProbeIntervalMs ?? DEFAULT_HEALTH_PROBE_INTERVAL_MS;
    this.diskFull = new DiskFullWatch(path, opts.fullResumeBytes ?? DEFAULT_FULL_RESUME_BYTES, opts.log);
    // At start-up a database that cannot be opened is fatal, so let it throw. Nothing is served yet, so the
    // migrations may block while they wait their turn behind another writer, up to the whole retry budget.
    this.open(false, Math.max(opts.busyTimeoutMs, this.writeRetryMs));
  }

  /** `mustExist`: after start-up a missing file means it was deleted; making a new empty one would restart ids at 1. */
  private open(mustExist: boolean, startWaitMs: number): void {
    const db = new Database(this.path, { timeout: startWaitMs, fileMustExist: mustExist && this.path !== ":memory:" });
    try {
      assertKnownVersion(db); // a newer build's file is left exactly as it is
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      const found = db.pragma("user_version", { simple: true }) as number;
      const migrationStarted = performance.now();
      const version = migrate(db, {
        onProgress: (step, done, total) => this.opts.log.info("db_migration_progress", { version: step, rows: done, total }),
      });
      if (version < LATEST_VERSION) throw new Error(`database schema is at version ${version}, expected ${LATEST_VERSION}`);
      if (version !== found) {
        // A rebuild leaves the table's new copy in the WAL (135 MB for a million rows): fold it into the main file now.
        db.pragma("wal_checkpoint(TRUNCATE)");
        this.opts.log.info("db_migrated", { from: found, to: version, ms: Math.round(performance.now() - migrationStarted) });
      }
      this.stmts = this.prepare(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.busyTimeoutMs = -1;
    this.setBusyTimeout(this.opts.busyTimeoutMs);
    this.isWriteProven = false;
    this.identity = this.path === ":memory:" ? null : fileIdentity(this.path);
    this.fileCheckedAt = performance.now();
  }

  private setBusyTimeout(ms: number): void {
    if (this.db === null || this.busyTimeoutMs === ms) return;
    this.db.pragma(`busy_timeout = ${ms}`);
    this.busyTimeoutMs = ms;
  }

  /** Drops a connection that cannot write any more (read-only open, file gone) and opens the path again. */
  private reopen(): void {
    this.closeConnection();
    this.open(true, this.opts.busyTimeoutMs); // a deleted database stays unavailable until a file (say, a backup) is back at the path
    this.opts.log.info("db_reopened", { path: this.path });
  }

  private closeConnection(): void {
    try {
      this.db?.close();
    } catch {
      // already broken; nothing more to release
    }
    this.db = null;
    this.stmts = null;
    this.busyTimeoutMs = -1;
  }

  private hasFileMoved(isRead: boolean): boolean {
    if (this.path === ":memory:") return false;
    const now = performance.now();
    if (isRead && now - this.fileCheckedAt < READ_FILE_CHECK_MS) return false;
    this.fileCheckedAt = now;
    return fileIdentity(this.path) !== this.identity;
  }

  /**
   * A usable connection, reopening if the last one broke in a way only a new connection can fix. `purpose`
   * "read": the file's identity was checked at most READ_FILE_CHECK_MS ago (a write always checks).
   */
  ready(purpose: "read" | "write" = "write"): { db: Database.Database; stmts: S } {
    if (this.isClosed) throw new StorageUnavailableError("the database is closed");
    if (this.stmts === null) {
      try {
        this.reopen();
      } catch (err) {
        throw new StorageUnavailableError("the database cannot be opened", { cause: err });
      }
    }
    if (this.hasFileMoved(purpose === "read")) {
      // Writing on would go to an unlinked inode and vanish at restart: refuse until the file is back.
      this.closeConnection();
      throw new StorageUnavailableError("the database file was removed or replaced");
    }
    return { db: this.db as Database.Database, stmts: this.stmts as S };
  }

  /**
   * Runs `work` in an IMMEDIATE transaction. While another connection holds the write lock, each attempt
   * blocks at most `busyMs`, then the event loop runs on and the next attempt comes after a short timer.
   */
  async writeWithRetry<T>(work: Work<S, T>, busyMs = this.opts.busyTimeoutMs): Promise<T> {
    const deadline = performance.now() + this.writeRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const { db, stmts } = this.ready();
        this.setBusyTimeout(busyMs);
        return db.transaction(() => work(stmts, db)).immediate();
      } catch (err) {
        const left = deadline - performance.now();
        if (!isBusy(err) || left <= 0) throw err;
        await delay(Math.min(2 ** attempt, MAX_RETRY_GAP_MS, left));
      }
    }
  }

  /**
   * Transactions begun by write() that may change messages, committed or not: a cache of messages compares it
   * (latest-pages.ts).
   */
  writes(): number {
    return this.writeCount;
  }

  /**
   * A write outside the append queue (edits, moderation, rooms): the retry, then the health bookkeeping.
   * `keepsMessages`: the caller vouches that it changes no message or file row (presence snapshots every 2 s,
   * reactions, push settings), so the kept pages of messages may stay.
   */
  async write<T>(work: Work<S, T>, keepsMessages = false): Promise<T> {
    let result: T;
    try {
      // Counted inside the transaction, before its COMMIT: no read can see the change with the old count.
      result = await this.writeWithRetry((stmts, db) => {
        if (!keepsMessages) this.writeCount++;
        return work(stmts, db);
      });
    } catch (err) {
      this.noteWriteFailure(err);
      throw err instanceof StorageUnavailableError ? err : new StorageUnavailableError("the database cannot be written", { cause: err });
    }
    this.noteWriteSuccess();
    return result;
  }

  read<T>(work: Work<S, T>): Promise<T> {
    try {
      const { db, stmts } = this.ready("read");
      return Promise.resolve(work(stmts, db));
    } catch (err) {
      if (err instanceof StorageUnavailableError) return Promise.reject(err);
      return Promise.reject(new StorageUnavailableError("the database cannot be read", { cause: err }));
    }
  }

  noteWriteFailure(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const cause = err instanceof StorageUnavailableError ? err.cause : err;
    const causeCode = (cause as { code?: unknown } | undefined)?.code;
    if (this.lastWriteError === null) this.opts.log.error("db_write_failed", { err, code: code ?? causeCode });
    this.lastWriteError = err instanceof Error ? err : new Error(String(err));
    // Busy clears by itself; a read-only handle, a full disk or a vanished file need a fresh connection.
    const sqliteCode = String(causeCode ?? code ?? "");
    this.diskFull.noteFailure(sqliteCode);
    if (sqliteCode !== "" && !sqliteCode.startsWith("SQLITE_BUSY")) this.closeConnection();
  }

  noteWriteSuccess(): void {
    if (this.lastWriteError !== null) this.opts.log.info("db_write_recovered", {});
    this.lastWriteError = null;
    this.isWriteProven = true;
  }

  /**
   * Healthy once a write has succeeded and none has failed since: then only a cheap check. Otherwise a write
   * proves it, at most once per healthProbeIntervalMs (callers in between get the last answer, and callers
   * during a probe share it), with a zero busy timeout per attempt: a locked file never blocks the event loop.
   */
  isHealthy(): Promise<boolean> {
    if (this.isClosed || this.isDiskFull()) return Promise.resolve(false);
    if (this.lastWriteError === null && this.isWriteProven) return Promise.resolve(this.canRead());
    if (this.probe !== null) return this.probe;
    if (performance.now() - this.lastProbeAt < this.healthProbeIntervalMs) return Promise.resolve(false);
    this.lastProbeAt = performance.now();
    this.probe = this.probeWrite().finally(() => (this.probe = null));
    return this.probe;
  }

  /** A write failed for want of room and the disk has not had DB_FULL_RESUME_BYTES free since (disk-full.ts). */
  isDiskFull(): boolean {
    return this.diskFull.isFull();
  }

  private canRead(): boolean {
    try {
      this.ready().db.prepare("SELECT 1").get();
      return true;
    } catch (err) {
      this.noteWriteFailure(err);
      return false;
    }
  }

  private async probeWrite(): Promise<boolean> {
    const started = performance.now();
    try {
      // A real committed write that changes nothing: the schema version, rewritten as it is.
      await this.writeWithRetry((_stmts, db) => db.pragma(`user_version = ${Number(db.pragma("user_version", { simple: true }))}`), 0);
      this.noteWriteSuccess();
      this.opts.log.debug("db_health_probe", { ok: true, ms: Math.round(performance.now() - started) });
      return true;
    } catch (err) {
      this.noteWriteFailure(err);
      this.opts.log.debug("db_health_probe", { ok: false, ms: Math.round(performance.now() - started) });
      return false;
    }
  }

  /** The live connection's journal mode and synchronous level (2 = FULL), as SQLite reports them. */
  durability(): { journalMode: string; synchronous: number } {
    const { db } = this.ready();
    return { journalMode: String(db.pragma("journal_mode", { simple: true })), synchronous: Number(db.pragma("synchronous", { simple: true })) };
  }

  /** No more work: folds the WAL into the main file (so the Flask app, or a copy of the file alone, sees every row) and closes. */
  close(): void {
    this.isClosed = true;
    try {
      this.db?.pragma("wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.opts.log.warn("db_checkpoint_failed", { err });
    }
    this.closeConnection();
  }
}
