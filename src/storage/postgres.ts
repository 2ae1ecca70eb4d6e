import type pg from "pg";
import { migratePostgres, PG_LATEST_VERSION } from "./postgres-migrations.js";
import { GroupCommit } from "./group-commit.js";
import { warnIfPoolDoesNotFit } from "./postgres-connection-budget.js";
import {
  DEFAULT_HEALTH_PROBE_INTERVAL_MS,
  StorageUnavailableError,
  type AppendOutcome,
  type AppendResult,
  type AuditEntry,
  type ChatStore,
  type RoomBan,
  type ChatMessage,
  type EditState,
  type HistoryPage,
  type NewMessage,
  type PageQuery,
  type SearchOptions,
  type SearchPage,
  type SearchQuery,
  type MessageRow,
  type PresenceRow,
  type ReactionChange,
  type ReactionGroup,
  type ReactionOutcome,
} from "./repository.js";
import { applyReaction, REACTIONS_OF_SQL, removeReactions } from "./postgres-reactions.js";
import { toGroups, type GroupRow } from "./reaction-groups.js";
import { toMentionsColumn } from "./mentions-column.js";
import { MESSAGE_COLUMNS, toMessage } from "./message-state.js";
import { EDIT_STATES_SQL, toEditState, type EditStateRow } from "./edit-states.js";
import { PostgresModeration } from "./postgres-moderation.js";
import { PostgresRoomAccess } from "./postgres-access.js";
import type { RoomAccessStore } from "../access/store.js";
import { PostgresPush } from "./postgres-push.js";
import type { PushStore } from "./push-store.js";
import { connectForMigrations, createPool, describeConnectError, PostgresConnectError, type PoolOptions } from "./postgres-pool.js";
import { searchStatement } from "./postgres-search.js";
import { keepFiles, loadFileRows, PostgresFileRecords } from "./postgres-files.js";
import { withAttachments } from "./sqlite-files.js";
import type { FileRecords, FileStore } from "./files.js";
import { fromSnapshotRows, SQL_SNAPSHOT_READ, type SnapshotRow } from "./presence-snapshot-sql.js";
import { savePresenceRows } from "./postgres-presence-snapshot.js";
import { writeBatch } from "./postgres-batch.js";
import { PostgresFileStore } from "./postgres-file-store.js";
import { PostgresDiskFullWatch } from "./postgres-disk-full.js";

const COLUMNS = MESSAGE_COLUMNS;
const SQL_PAGE_BEFORE = `SELECT ${COLUMNS} FROM chat_message WHERE chat_room = $1 AND id < $2 ORDER BY id DESC LIMIT $3`;
const SQL_PAGE_AFTER = `SELECT ${COLUMNS} FROM chat_message WHERE chat_room = $1 AND id > $2 ORDER BY id ASC LIMIT $3`;
const SQL_FIND = `SELECT ${COLUMNS} FROM chat_message WHERE id = $1 AND chat_room = $2`;
const SQL_BY_CLIENT_ID = `SELECT ${COLUMNS} FROM chat_message WHERE chat_room = $1 AND client_id = $2`;
// Only a live row changes: an edit racing a delete can never bring the erased text back.
const SQL_EDIT = `UPDATE chat_message SET content = $1, edited_at = $2, mentions = $3 WHERE id = $4 AND chat_room = $5 AND deleted_at IS NULL RETURNING ${COLUMNS}`;
// A tombstone mentions nobody: the names would tell what the erased text said.
const SQL_ERASE = `UPDATE chat_message SET content = '', mentions = NULL, deleted_at = $1 WHERE id = $2 AND chat_room = $3 AND deleted_at IS NULL RETURNING ${COLUMNS}`;
/** A standby or a read-only default cannot take writes: that is unhealthy, not just "answers". */
const SQL_HEALTH = "SELECT current_setting('transaction_read_only') = 'off' AS writable";

/** One transaction holds at most this many appends; a longer queue goes in the next one. */
const MAX_BATCH = 1000;

/** A chat_message row as the driver returns it (better-sqlite3 gives ids as numbers, pg bigints as strings). */
type Row = MessageRow<string>;

export interface PostgresOptions extends PoolOptions {
  /** Called after each committed batch: how many rows, and how long the transaction took. */
  onCommit?: (rows: number, ms: number) => void;
  /** After a disk_full refusal, the probe for room runs at most once per interval (HEALTH_PROBE_INTERVAL_MS; default 1 s). */
  healthProbeIntervalMs?: number;
}

/**
 * node-postgres behind the MessageRepository, with the SQLite store's guarantees.
 *
 * Group commit: appends that arrive while no batch is being written go into the next transaction, and each
 * promise settles after that COMMIT. Batches run one at a time per repository, so one client's sends keep
 * their order.
 *
 * Ids in a room become visible in id order. A sequence alone does not give that: with several nodes, id 104
 * can commit after 105, and a reader that saw 105 and asks for `after: 105` never gets 104. So every batch
 * first takes a transaction-scoped advisory lock per room (sorted by key, so batches spanning rooms cannot
 * deadlock) and only then draws its ids: the next transaction in that room draws later ids, after this one
 * committed (PostgreSQL makes a commit visible before it releases the transaction's locks).
 */
export class PostgresMessageRepository implements ChatStore {
  private readonly appends = new GroupCommit((batch) => this.commitBatch(batch), MAX_BATCH);
  private lastError: Error | null = null;
  private isClosing = false;
  private isClosed = false;
  private readonly diskFull: PostgresDiskFullWatch;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresOptions,
  ) {
    this.diskFull = new PostgresDiskFullWatch(pool, opts.healthProbeIntervalMs ?? DEFAULT_HEALTH_PROBE_INTERVAL_MS, opts.log);
  }

  /** Connects and migrates; a server that cannot be reached, or refuses us, throws PostgresConnectError. */
  static async open(opts: PostgresOptions): Promise<PostgresMessageRepository> {
    try {
      const client = await connectForMigrations(opts);
      try {
        const version = await migratePostgres(client);
        if (version < PG_LATEST_VERSION) throw new Error(`schema is at version ${version}, expected ${PG_LATEST_VERSION}`);
        await warnIfPoolDoesNotFit(client, opts.poolSize, opts.log); // one query on the connection start-up has open
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch (err) {
      throw new PostgresConnectError(describeConnectError(err, opts.url, opts.connectTimeoutMs), { cause: err });
    }
    return new PostgresMessageRepository(createPool(opts), opts);
  }

  append(msg: NewMessage): Promise<AppendResult> {
    if (this.isClosing) return Promise.reject(new StorageUnavailableError("the database is closed"));
    return this.appends.add(msg);
  }

  /** One group commit's transaction (group-commit.ts queues the appends; postgres-batch.ts writes them). */
  private async commitBatch(batch: readonly NewMessage[]): Promise<AppendOutcome[]> {
    const started = performance.now();
    let results: AppendOutcome[];
    try {
      results = await writeBatch(this.pool, batch);
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be written", { cause: err });
    }
    this.noteSuccess();
    this.opts.onCommit?.(batch.length, performance.now() - started);
    return results;
  }

  /** Rows as messages, each with its files (one more query, only when one has any). */
  private async messagesOf(rows: Row[]): Promise<ChatMessage[]> {
    try {
      return await withAttachments(rows.map(toMessage), (ids) => loadFileRows(this.pool, ids));
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be read", { cause: err });
    }
  }

  async page(room: string, query: PageQuery): Promise<HistoryPage> {
    if (this.isClosed) throw new StorageUnavailableError("the database is closed");
    const isAfter = "after" in query;
    const bound = isAfter ? query.after : (query.before ?? Number.MAX_SAFE_INTEGER);
    let rows: Row[];
    try {
      rows = (await this.pool.query<Row>(isAfter ? SQL_PAGE_AFTER : SQL_PAGE_BEFORE, [room, bound, query.limit + 1])).rows;
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be read", { cause: err });
    }
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    return { messages: await this.messagesOf(isAfter ? page : page.reverse()), hasMore };
  }

  /** The pool's figures for /metrics. */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async search(room: string, query: SearchQuery, opts: SearchOptions): Promise<SearchPage> {
    if (this.isClosed) throw new StorageUnavailableError("the database is closed");
    let rows: Row[];
    try {
      rows = (await this.pool.query<Row>(searchStatement(COLUMNS, room, query, opts))).rows;
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be read", { cause: err });
    }
    const hasMore = rows.length > opts.limit;
    return { messages: await this.messagesOf(rows.slice(0, opts.limit)), hasMore };
  }

  async find(room: string, id: number): Promise<ChatMessage | null> {
    const rows = await this.query<Row>(SQL_FIND, [id, room], "read");
    return rows[0] === undefined ? null : ((await this.messagesOf(rows))[0] as ChatMessage);
  }

  async findByClientId(room: string, clientId: string): Promise<ChatMessage | null> {
    const rows = await this.query<Row>(SQL_BY_CLIENT_ID, [room, clientId], "read");
    return rows[0] === undefined ? null : ((await this.messagesOf(rows))[0] as ChatMessage);
  }

  async messagesById(room: string, ids: readonly number[]): Promise<ChatMessage[]> {
    if (ids.length === 0) return [];
    return this.messagesOf(await this.query<Row>(`SELECT ${COLUMNS} FROM chat_message WHERE chat_room = $1 AND id = ANY($2::bigint[]) ORDER BY id`, [room, ids.map(String)], "read"));
  }

  async editStatesById(room: string, ids: readonly number[]): Promise<EditState[]> {
    return ids.length === 0 ? [] : (await this.query<EditStateRow>(EDIT_STATES_SQL, [room, ids.map(String)], "read")).map(toEditState);
  }

  edit(room: string, id: number, content: string, editedAt: Date, mentions?: readonly string[], keep?: readonly string[]): Promise<ChatMessage | null> {
    return this.change(id, keep, SQL_EDIT, [content, editedAt.toISOString(), toMentionsColumn(mentions), id, room]);
  }

  /** The text goes, its files (the blobs are released by whoever deleted it: files/library.ts) and its reactions. */
  async erase(room: string, id: number, deletedAt: Date): Promise<ChatMessage | null> {
    let removed = 0;
    const erased = await this.change(id, [], SQL_ERASE, [deletedAt.toISOString(), id, room], async (client) => void (removed = await removeReactions(client, id)));
    return erased === null || removed === 0 ? erased : { ...erased, reactionsRemoved: removed };
  }

  /** Issue 22: the SQL lives in postgres-reactions.ts. */
  react = (change: ReactionChange): Promise<ReactionOutcome> => this.transaction((client) => applyReaction(client, change));
  reactionsOf = async (ids: readonly number[], viewerKey: string | null): Promise<Map<number, ReactionGroup[]>> =>
    ids.length === 0 ? new Map() : toGroups(await this.query<GroupRow>(REACTIONS_OF_SQL, [viewerKey, ids.map(String)], "read"));

  /** The UPDATE, the files kept to `keep` and `also`, in one transaction; the message as it is after COMMIT. */
  private change(id: number, keep: readonly string[] | undefined, sql: string, params: unknown[], also?: (client: pg.ClientBase) => Promise<void>): Promise<ChatMessage | null> {
    return this.transaction(async (client) => {
      const changed = (await client.query<Row>(sql, params)).rows[0];
      if (changed === undefined) return null;
      await keepFiles(client, id, keep);
      await also?.(client);
      const [row] = (await client.query<Row>(`SELECT ${COLUMNS} FROM chat_message WHERE id = $1`, [id])).rows;
      return (await withAttachments([toMessage(row as Row)], (ids) => loadFileRows(client, ids)))[0] as ChatMessage;
    });
  }

  /** One statement on the pool (its own transaction: acked after COMMIT); a failure becomes StorageUnavailableError. */
  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write"): Promise<T[]> {
    if (this.isClosed || (what === "write" && this.isClosing)) throw new StorageUnavailableError("the database is closed");
    try {
      return (await this.pool.query<T>(sql, params)).rows;
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError(`the database cannot be ${what === "read" ? "read" : "written"}`, { cause: err });
    }
  }

  // Moderation state: the SQL lives in postgres-moderation.ts; this class lends it the pool.
  private readonly moderation = new PostgresModeration((sql, params, what) => this.query(sql, params, what));
  isModerator = (sessionKey: string) => this.moderation.isModerator(sessionKey);
  setModerator = (sessionKey: string, isModerator: boolean, at: Date) => this.moderation.setModerator(sessionKey, isModerator, at);
  addBan = (ban: RoomBan) => this.moderation.addBan(ban);
  activeBan = (room: string, nameKey: string, sessionKey: string | null, now: Date) => this.moderation.activeBan(room, nameKey, sessionKey, now);
  endBans = (room: string, nameKey: string, now: Date) => this.moderation.endBans(room, nameKey, now);
  activeBans = (room: string, now: Date, limit: number) => this.moderation.activeBans(room, now, limit);
  audit = (entry: AuditEntry) => this.moderation.audit(entry);
  auditLog = (limit: number) => this.moderation.auditLog(limit);

  /** Issue 19: a single node's presence, written down so a restart gives names back (SQL in postgres-presence-snapshot.ts). */
  savePresence = (entries: readonly PresenceRow[], at: Date): Promise<void> => this.transaction((client) => savePresenceRows(client, entries, at));
  loadPresence = async (): Promise<{ entries: PresenceRow[]; savedAt: Date } | null> => fromSnapshotRows(await this.query<SnapshotRow>(SQL_SNAPSHOT_READ, [], "read"));

  /** Files' records (issue 18): the SQL lives in postgres-files.ts. */
  readonly files: FileRecords = new PostgresFileRecords(
    (sql, params, what) => this.query(sql, params, what),
    (work) => this.transaction(work),
  );

  /** The bytes of files in this database (issue 18): every node serves every file. `spool`: a local folder for arriving uploads. */
  fileStore(spool: string): FileStore {
    return new PostgresFileStore((sql, params, what) => this.query(sql, params, what), (work) => this.transaction(work), spool);
  }

  /** Private rooms, members, invites (issue 17): the SQL lives in postgres-access.ts. */
  readonly access: RoomAccessStore = new PostgresRoomAccess(
    (sql, params, what) => this.query(sql, params, what),
    (work) => this.transaction(work),
  );

  /** Web Push (issue 23): the SQL lives in postgres-push.ts. */
  readonly push: PushStore = new PostgresPush(
    (sql, params, what) => this.query(sql, params, what),
    (work) => this.transaction(work),
  );

  /** `work` in one transaction on one pooled connection; any failure rolls back and becomes StorageUnavailableError. */
  private async transaction<T>(work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    if (this.isClosing) throw new StorageUnavailableError("the database is closed");
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be reached", { cause: err });
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      this.noteSuccess();
      return result;
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      await client.query("ROLLBACK").catch(() => undefined);
      this.noteFailure(err);
      throw new StorageUnavailableError("the database cannot be written", { cause: err });
    } finally {
      client.release(broken); // an error discards the connection: it may be half-dead or mid-statement
    }
  }

  async isHealthy(): Promise<boolean> {
    if (this.isClosed) return false;
    // After disk_full the SELECT below would pass at once: only the probe's insert says there is room again.
    if (!(await this.diskFull.hasRoomAgain())) return false;
    try {
      const { rows } = await this.pool.query<{ writable: boolean }>(SQL_HEALTH);
      if (rows[0]?.writable !== true) throw new Error("PostgreSQL is read-only (a standby, or default_transaction_read_only)");
      this.noteSuccess();
      return true;
    } catch (err) {
      this.noteFailure(err);
      return false;
    }
  }

  /** A write was refused for want of disk space and no probe has found room since (postgres-disk-full.ts). */
  isDiskFull = (): boolean => this.diskFull.isFull();

  private noteFailure(err: unknown): void {
    this.diskFull.noteFailure(err);
    if (this.lastError === null) this.opts.log.error("db_write_failed", { err, code: (err as { code?: unknown }).code });
    this.lastError = err instanceof Error ? err : new Error(String(err));
  }

  private noteSuccess(): void {
    if (this.lastError !== null) this.opts.log.info("db_write_recovered", {});
    this.lastError = null;
  }

  async close(): Promise<void> {
    if (this.isClosing) return;
    this.isClosing = true;
    await this.appends.drain(); // in-flight appends are committed (or rejected), never dropped
    this.isClosed = true;
    await this.pool.end();
  }
}
