import { statSync } from "node:fs";
import Database from "better-sqlite3";
import type { Logger } from "../log.js";
import { LATEST_VERSION, migrate } from "./migrations.js";
import {
  StorageUnavailableError,
  type AppendResult,
  type ChatMessage,
  type HistoryPage,
  type MessageRepository,
  type NewMessage,
  type PageQuery,
} from "./repository.js";
import { fromStoredTimestamp, toStoredTimestamp } from "./timestamps.js";

const COLUMNS = "id, chat_room, sender, content, timestamp, client_id";
// Both walk ix_chat_message_room_id from one end of the room's range: cost is the page size, not the room size.
// INDEXED BY pins that plan: once ANALYZE has stats (better-sqlite3 builds with STAT4), SQLite picks a rowid
// range scan for a room holding many of the rows, which reads every newer row of every other room first.
// https://sqlite.org/lang_indexedby.html: meant to fail loudly rather than let the plan of a timed query drift.
const PAGE_FROM = "FROM chat_message INDEXED BY ix_chat_message_room_id";
export const SQL_PAGE_BEFORE = `SELECT ${COLUMNS} ${PAGE_FROM} WHERE chat_room = ? AND id < ? ORDER BY id DESC LIMIT ?`;
export const SQL_PAGE_AFTER = `SELECT ${COLUMNS} ${PAGE_FROM} WHERE chat_room = ? AND id > ? ORDER BY id ASC LIMIT ?`;
const SQL_INSERT = "INSERT INTO chat_message (chat_room, sender, content, timestamp, client_id) VALUES (?, ?, ?, ?, ?)";
const SQL_BY_CLIENT_ID = `SELECT ${COLUMNS} FROM chat_message WHERE chat_room = ? AND client_id = ?`;

interface Row {
  id: number;
  chat_room: string | null;
  sender: string | null;
  content: string | null;
  timestamp: string | null;
  client_id: string | null;
}

interface Pending {
  msg: NewMessage;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

interface Statements {
  before: Database.Statement<[string, number, number], Row>;
  after: Database.Statement<[string, number, number], Row>;
  insert: Database.Statement<[string, string, string, string, string | null]>;
  byClientId: Database.Statement<[string, string], Row>;
}

export interface SqliteOptions {
  busyTimeoutMs: number;
  log: Logger;
  /** Called after each committed batch: how many rows, and how long the transaction took. */
  onCommit?: (rows: number, ms: number) => void;
}

const toMessage = (r: Row): ChatMessage => ({
  id: r.id,
  room: r.chat_room ?? "",
  sender: r.sender ?? "",
  content: r.content ?? "",
  sentAt: fromStoredTimestamp(r.timestamp),
  clientId: r.client_id,
});

/** Where the file lives on disk, so a deleted or replaced database is noticed instead of written into the void. */
function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * better-sqlite3 behind the async MessageRepository. Writes are group-committed: every append that arrives in
 * one turn of the event loop goes into one transaction, and each promise settles only after that COMMIT.
 * synchronous=FULL stays on (WAL + NORMAL can lose the last commits on power loss, and acked means kept).
 */
export class SqliteMessageRepository implements MessageRepository {
  private db: Database.Database | null = null;
  private stmts: Statements | null = null;
  private identity: string | null = null;
  private queue: Pending[] = [];
  private isFlushScheduled = false;
  /** The last write failed: unhealthy until one succeeds. */
  private lastWriteError: Error | null = null;
  /** A write has succeeded on this connection. Until then health is proven by a write (a read-only file opens fine). */
  private isWriteProven = false;
  private isClosed = false;

  constructor(
    private readonly path: string,
    private readonly opts: SqliteOptions,
  ) {
    this.open(); // at start-up a database that cannot be opened is fatal, so let it throw
  }

  /** `mustExist`: after start-up a missing file means it was deleted; making a new empty one would restart ids at 1. */
  private open(mustExist = false): void {
    const db = new Database(this.path, { timeout: this.opts.busyTimeoutMs, fileMustExist: mustExist && this.path !== ":memory:" });
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      const version = migrate(db);
      if (version < LATEST_VERSION) throw new Error(`database schema is at version ${version}, expected ${LATEST_VERSION}`);
      this.stmts = {
        before: db.prepare(SQL_PAGE_BEFORE),
        after: db.prepare(SQL_PAGE_AFTER),
        insert: db.prepare(SQL_INSERT),
        byClientId: db.prepare(SQL_BY_CLIENT_ID),
      };
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.isWriteProven = false;
    this.identity = this.path === ":memory:" ? null : fileIdentity(this.path);
  }

  /** Drops a connection that cannot write any more (read-only open, file gone) and opens the path again. */
  private reopen(): void {
    this.closeConnection();
    this.open(true); // a deleted database stays unavailable until a file (say, a backup) is back at the path
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
  }

  private hasFileMoved(): boolean {
    return this.path !== ":memory:" && fileIdentity(this.path) !== this.identity;
  }

  /** A usable connection, reopening if the last one broke in a way only a new connection can fix. */
  private ready(): Statements {
    if (this.isClosed) throw new StorageUnavailableError("the database is closed");
    if (this.stmts === null) {
      try {
        this.reopen();
      } catch (err) {
        throw new StorageUnavailableError("the database cannot be opened", { cause: err });
      }
    }
    if (this.hasFileMoved()) {
      // Writing on would go to an unlinked inode and vanish at restart: refuse until the file is back.
      this.closeConnection();
      throw new StorageUnavailableError("the database file was removed or replaced");
    }
    return this.stmts as Statements;
  }

  append(msg: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
      if (!this.isFlushScheduled) {
        this.isFlushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.isFlushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let results: AppendResult[];
    const started = performance.now();
    try {
      const stmts = this.ready();
      results = (this.db as Database.Database).transaction(() => batch.map((p) => this.writeOne(stmts, p.msg)))();
    } catch (err) {
      this.noteWriteFailure(err);
      const failure = err instanceof StorageUnavailableError ? err : new StorageUnavailableError("the database cannot be written", { cause: err });
      for (const p of batch) p.reject(failure);
      return;
    }
    this.noteWriteSuccess();
    this.opts.onCommit?.(batch.length, performance.now() - started);
    batch.forEach((p, i) => p.resolve(results[i] as AppendResult));
  }

  private writeOne(stmts: Statements, msg: NewMessage): AppendResult {
    if (msg.clientId !== undefined) {
      const existing = stmts.byClientId.get(msg.room, msg.clientId);
      if (existing) return { message: toMessage(existing), duplicate: true };
    }
    const info = stmts.insert.run(msg.room, msg.sender, msg.content, toStoredTimestamp(msg.sentAt), msg.clientId ?? null);
    return {
      message: { id: Number(info.lastInsertRowid), room: msg.room, sender: msg.sender, content: msg.content, sentAt: msg.sentAt, clientId: msg.clientId ?? null },
      duplicate: false,
    };
  }

  private noteWriteFailure(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const cause = err instanceof StorageUnavailableError ? err.cause : err;
    const causeCode = (cause as { code?: unknown } | undefined)?.code;
    if (this.lastWriteError === null) this.opts.log.error("db_write_failed", { err, code: code ?? causeCode });
    this.lastWriteError = err instanceof Error ? err : new Error(String(err));
    // Busy clears by itself; a read-only handle, a full disk or a vanished file need a fresh connection.
    const sqliteCode = String(causeCode ?? code ?? "");
    if (sqliteCode !== "" && !sqliteCode.startsWith("SQLITE_BUSY")) this.closeConnection();
  }

  private noteWriteSuccess(): void {
    if (this.lastWriteError !== null) this.opts.log.info("db_write_recovered", {});
    this.lastWriteError = null;
    this.isWriteProven = true;
  }

  page(room: string, query: PageQuery): Promise<HistoryPage> {
    try {
      const stmts = this.ready();
      if ("after" in query) {
        const rows = stmts.after.all(room, query.after, query.limit + 1);
        const hasMore = rows.length > query.limit;
        return Promise.resolve({ messages: rows.slice(0, query.limit).map(toMessage), hasMore });
      }
      const rows = stmts.before.all(room, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1);
      const hasMore = rows.length > query.limit;
      return Promise.resolve({ messages: rows.slice(0, query.limit).reverse().map(toMessage), hasMore });
    } catch (err) {
      if (err instanceof StorageUnavailableError) return Promise.reject(err);
      return Promise.reject(new StorageUnavailableError("the database cannot be read", { cause: err }));
    }
  }

  isHealthy(): Promise<boolean> {
    try {
      this.ready();
      const db = this.db as Database.Database;
      if (this.lastWriteError !== null || !this.isWriteProven) {
        // Probe with a real committed write (the schema version, rewritten as it is).
        db.transaction(() => db.pragma(`user_version = ${LATEST_VERSION}`))();
        this.noteWriteSuccess();
      } else {
        db.prepare("SELECT 1").get();
      }
      return Promise.resolve(true);
    } catch (err) {
      this.noteWriteFailure(err);
      return Promise.resolve(false);
    }
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.flush(); // in-flight appends are committed (or rejected), never dropped
    this.isClosed = true;
    try {
      // Fold the WAL into the main file so the Flask app, or a copy of the file alone, sees every row.
      this.db?.pragma("wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.opts.log.warn("db_checkpoint_failed", { err });
    }
    this.closeConnection();
    return Promise.resolve();
  }
}
