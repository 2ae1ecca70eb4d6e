import type Database from "better-sqlite3";
import type { Logger } from "../log.js";
import { nameKey } from "../shared/names.js";
import { searchRows, SMALL_ROOM_ROWS } from "./sqlite-search.js";
import {
  AttachmentUnavailableError,
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
  type PresenceRow,
  type ReactionChange,
  type ReactionGroup,
  type ReactionOutcome,
} from "./repository.js";
import { applyReaction, loadReactions, removeReactions } from "./sqlite-reactions.js";
import { SearchIndexRuns } from "./sqlite-search-runs.js";
import { LatestPages, type TakenPage, type PageStamp } from "./latest-pages.js";
import { fromMentionsColumn, toMentionsColumn, withMentions } from "./mentions-column.js";
import { toStoredTimestamp } from "./timestamps.js";
import { SqliteModeration } from "./sqlite-moderation.js";
import { toMessage } from "./message-state.js";
import { loadEditStates } from "./sqlite-edit-states.js";
import { prepareStatements, type Row, type Statements } from "./sqlite-message-statements.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { GroupCommit } from "./group-commit.js";
import { SqliteRoomAccess } from "./sqlite-access.js";
import { attachUploads, canAttachAll, keepFiles, loadFileRows, SqliteFileRecords, withAttachments } from "./sqlite-files.js";
import type { FileRecords } from "./files.js";
import { loadPresenceRows, savePresenceRows } from "./sqlite-presence-snapshot.js";
import type { RoomAccessStore } from "../access/store.js";
import { SqlitePush } from "./sqlite-push.js";
import { sqliteMoveRefusal } from "./room-moves.js";
import { sqliteClosedRefusal, sqliteRoomsWithBans } from "./sender-checks.js";
import type { PushStore } from "./push-store.js";

export interface SqliteOptions {
  /** The longest one write attempt blocks the event loop waiting for another connection's lock. */
  busyTimeoutMs: number;
  /** How long a batch of appends keeps retrying a locked database before failing (default 500). */
  writeRetryMs?: number;
  /** A failing or unproven store is probed with a write at most once per this many ms (default 1000). */
  healthProbeIntervalMs?: number;
  /** After SQLITE_FULL, unhealthy until the disk has this many bytes free (DB_FULL_RESUME_BYTES; default 64 MiB). */
  fullResumeBytes?: number;
  log: Logger;
  /** Called after each committed batch: how many rows, and how long it took (waits for the lock included). */
  onCommit?: (rows: number, ms: number) => void;
  /** A room with at most this many rows below the cursor is searched without the index (default SMALL_ROOM_ROWS; tests set 0). */
  searchScanRows?: number;
  /** How long after a commit the new rows are added to the search index (default 250; a search indexes first). */
  searchIndexDelayMs?: number;
  /** Called after each run of the search indexer with the rows it indexed (tests await it). */
  onIndexed?: (rows: number) => void;
  /** How many rooms' newest page is kept in memory for joins (latest-pages.ts; default DEFAULT_HISTORY_CACHE_ROOMS, 0 = none). */
  historyCacheRooms?: number;
  /** The longest page kept in memory: the join's (HISTORY_LIMIT; default DEFAULT_HISTORY_LIMIT). */
  historyCacheRows?: number;
}

export const DEFAULT_HISTORY_CACHE_ROOMS = 128;
/** For SqliteConnection.write: this write changes no message or file row, so the kept pages stay (latest-pages.ts). */
const KEEPS_MESSAGES = true;
const DEFAULT_HISTORY_LIMIT = 100;

export { DEFAULT_SEARCH_INDEX_DELAY_MS } from "./sqlite-search-runs.js";
export { DEFAULT_HEALTH_PROBE_INTERVAL_MS, DEFAULT_WRITE_RETRY_MS } from "./sqlite-connection.js";

/** Rows as messages, each with its files (one query for all of them, only when one has any). */
function messagesOf(db: Database.Database, rows: readonly Row[]): ChatMessage[] {
  return withAttachments(rows.map(toMessage), (ids) => loadFileRows(db, ids));
}

/**
 * better-sqlite3 behind the async MessageRepository. Writes are group-committed: every append that arrives in
 * one turn of the event loop goes into one transaction, and each promise settles only after that COMMIT.
 * synchronous=FULL stays on (WAL + NORMAL can lose the last commits on power loss, and acked means kept).
 * The connection, its busy retry and its health are sqlite-connection.ts's.
 */
export class SqliteMessageRepository implements ChatStore {
  private readonly conn: SqliteConnection<Statements>;
  private readonly appends = new GroupCommit((batch) => this.commitBatch(batch));
  private closing: Promise<void> | null = null;
  private readonly searchRuns: SearchIndexRuns;
  private readonly latest: LatestPages;

  constructor(
    path: string,
    private readonly opts: SqliteOptions,
  ) {
    this.conn = new SqliteConnection(path, opts, prepareStatements);
    this.latest = new LatestPages(opts.historyCacheRooms ?? DEFAULT_HISTORY_CACHE_ROOMS, opts.historyCacheRows ?? DEFAULT_HISTORY_LIMIT);
    this.searchRuns = new SearchIndexRuns(this.conn, {
      log: opts.log,
      ...(opts.searchIndexDelayMs !== undefined ? { delayMs: opts.searchIndexDelayMs } : {}),
      ...(opts.onIndexed ? { onIndexed: opts.onIndexed } : {}),
    });
  }

  append(msg: NewMessage): Promise<AppendResult> {
    return this.appends.add(msg);
  }

  /** One group commit's transaction (group-commit.ts queues the appends). */
  private async commitBatch(batch: readonly NewMessage[]): Promise<AppendOutcome[]> {
    let results: AppendOutcome[];
    const started = performance.now();
    /** The kept pages of the batch's rooms, out of reach while the rows commit (a retry takes a newer one, if read meanwhile). */
    const taken = new Map<string, TakenPage>();
    try {
      results = await this.conn.writeWithRetry((stmts, db) => {
        // Before the COMMIT, in the same synchronous run: no join can read a kept page without these rows.
        for (const msg of batch) {
          const page = this.latest.take(msg.room);
          if (page !== undefined) taken.set(msg.room, page);
        }
        const withBans = sqliteRoomsWithBans(db, batch);
        return batch.map((msg) => this.writeOne(stmts, db, msg, withBans));
      });
    } catch (err) {
      this.conn.noteWriteFailure(err);
      throw err instanceof StorageUnavailableError ? err : new StorageUnavailableError("the database cannot be written", { cause: err });
    }
    this.conn.noteWriteSuccess();
    this.extendKeptPages(taken, results);
    this.opts.onCommit?.(batch.length, performance.now() - started);
    this.searchRuns.schedule();
    return results;
  }

  /** The committed rows go onto the end of their rooms' kept pages; a room that got a message with files is read again. */
  private extendKeptPages(taken: ReadonlyMap<string, TakenPage>, results: readonly AppendOutcome[]): void {
    if (taken.size === 0) return;
    const added = new Map<string, ChatMessage[]>();
    for (const r of results) {
      if (r instanceof Error || r.duplicate || !taken.has(r.message.room)) continue;
      const rows = added.get(r.message.room);
      if (rows === undefined) added.set(r.message.room, [r.message]);
      else rows.push(r.message);
    }
    for (const [room, page] of taken) {
      const rows = added.get(room) ?? [];
      if (rows.some((m) => m.attachments !== undefined)) continue;
      this.latest.extend(room, page, rows);
    }
  }

  private writeOne(stmts: Statements, db: Database.Database, msg: NewMessage, withBans: ReadonlySet<string>): AppendOutcome {
    if (msg.clientId !== undefined) {
      const existing = stmts.byClientId.get(msg.room, msg.clientId);
      if (existing) return { message: messagesOf(db, [existing])[0] as ChatMessage, duplicate: true };
    }
    // A room moved away (made private or public) since the sender joined it refuses this send alone (room-moves.ts).
    const moved = sqliteMoveRefusal(db, msg);
    if (moved !== null) return moved;
    // So does a room a ban or a kick closed to its sender since its checks (sender-checks.ts).
    const senderKey = nameKey(msg.sender);
    const closed = sqliteClosedRefusal(db, msg, senderKey, withBans);
    if (closed !== null) return closed;
    // Issue 18: a file taken meanwhile (another tab's send, an earlier one of this batch) refuses this send alone.
    if (msg.attachments !== undefined && msg.attachments.length > 0 && !canAttachAll(db, msg.ownerKey, msg.attachments)) return new AttachmentUnavailableError();
    const mentions = toMentionsColumn(msg.mentions);
    const info = stmts.insert.run(msg.room, msg.sender, senderKey, msg.content, toStoredTimestamp(msg.sentAt), msg.clientId ?? null, msg.ownerKey ?? null, mentions, msg.replyTo ?? null);
    const message: ChatMessage = {
      id: Number(info.lastInsertRowid),
      room: msg.room,
      sender: msg.sender,
      content: msg.content,
      sentAt: msg.sentAt,
      clientId: msg.clientId ?? null,
      ...withMentions(fromMentionsColumn(mentions)),
      ...(msg.replyTo !== undefined ? { replyTo: msg.replyTo } : {}),
    };
    if (msg.ownerKey !== undefined) message.ownerKey = msg.ownerKey;
    // Issue 18: the sender's uploads join the message in this same transaction, or not at all.
    if (msg.attachments !== undefined && msg.ownerKey !== undefined && attachUploads(db, message.id, msg.room, msg.ownerKey, msg.attachments) > 0) {
      withAttachments([Object.assign(message, { fileCount: 1 })], (ids) => loadFileRows(db, ids));
    }
    return { message, duplicate: false };
  }

  /** The row a send with this clientId stored in the room (the append's own dedupe lookup), or null. */
  findByClientId(room: string, clientId: string): Promise<ChatMessage | null> {
    return this.conn.read((stmts, db) => {
      const row = stmts.byClientId.get(room, clientId);
      return row === undefined ? null : (messagesOf(db, [row])[0] as ChatMessage);
    });
  }

  /** What a read kept in memory (pages, the banned rooms) must be checked against before it is used. */
  private stamp(stmts = this.conn.ready("read").stmts): PageStamp {
    return { connection: stmts, dataVersion: stmts.dataVersion.get() as number, writes: this.conn.writes() };
  }

  page(room: string, query: PageQuery): Promise<HistoryPage> {
    try {
      const { db, stmts } = this.conn.ready("read");
      this.latest.check(this.stamp(stmts));
      const kept = this.latest.answer(room, query);
      if (kept !== undefined) return Promise.resolve(kept);
      if ("after" in query) {
        // A catch-up into a room with no kept page (every rejoin after a restart is one): keep the room's newest
        // page, and this catch-up and the room's next ones are answered from memory.
        if (this.latest.rowsKept > 0 && !this.latest.has(room)) {
          this.readLatest(db, stmts, room, this.latest.rowsKept);
          const fromLatest = this.latest.answer(room, query);
          if (fromLatest !== undefined) return Promise.resolve(fromLatest);
        }
        const rows = stmts.after.all(room, query.after, query.limit + 1);
        const hasMore = rows.length > query.limit;
        return Promise.resolve({ messages: messagesOf(db, rows.slice(0, query.limit)), hasMore });
      }
      if (query.before === undefined) return Promise.resolve(this.readLatest(db, stmts, room, query.limit));
      const rows = stmts.before.all(room, query.before, query.limit + 1);
      return Promise.resolve({ messages: messagesOf(db, rows.slice(0, query.limit).reverse()), hasMore: rows.length > query.limit });
    } catch (err) {
      if (err instanceof StorageUnavailableError) return Promise.reject(err);
      return Promise.reject(new StorageUnavailableError("the database cannot be read", { cause: err }));
    }
  }

  /** The room's newest `limit` messages, read from the file and kept (latest-pages.ts decides whether a page that long is). */
  private readLatest(db: Database.Database, stmts: Statements, room: string, limit: number): HistoryPage {
    const rows = stmts.before.all(room, Number.MAX_SAFE_INTEGER, limit + 1);
    const page = { messages: messagesOf(db, rows.slice(0, limit).reverse()), hasMore: rows.length > limit };
    return this.latest.put(room, limit, page);
  }

  /** The newest matches below `before`, newest first (sqlite-search.ts picks the way to find them). */
  async search(room: string, query: SearchQuery, opts: SearchOptions): Promise<SearchPage> {
    // Rows stored since the last run of the indexer are indexed first, so a search sees every stored message.
    await this.searchRuns.runNow().catch((err: unknown) => this.opts.log.warn("search_index_failed", { err }));
    try {
      const { db, stmts } = this.conn.ready();
      const before = opts.before ?? Number.MAX_SAFE_INTEGER;
      const rows = searchRows(stmts, room, query, before, opts.limit + 1, this.opts.searchScanRows ?? SMALL_ROOM_ROWS);
      const hasMore = rows.length > opts.limit;
      return { messages: messagesOf(db, rows.slice(0, opts.limit)), hasMore };
    } catch (err) {
      if (err instanceof StorageUnavailableError) throw err;
      throw new StorageUnavailableError("the database cannot be read", { cause: err });
    }
  }

  find(room: string, id: number): Promise<ChatMessage | null> {
    return this.conn.read((stmts, db) => {
      const row = stmts.find.get(id, room);
      return row === undefined ? null : (messagesOf(db, [row])[0] as ChatMessage);
    });
  }

  /** Ids of messages in the room, oldest first (search by file name: the messages its files point to). */
  messagesById(room: string, ids: readonly number[]): Promise<ChatMessage[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.conn.read((stmts, db) => messagesOf(db, stmts.byIds.all(room, JSON.stringify(ids))));
  }

  editStatesById(room: string, ids: readonly number[]): Promise<EditState[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.conn.read((_stmts, db) => loadEditStates(db, room, ids));
  }

  edit(room: string, id: number, content: string, editedAt: Date, mentions?: readonly string[], keep?: readonly string[]): Promise<ChatMessage | null> {
    return this.change(id, keep, (stmts) => stmts.edit.get(content, editedAt.toISOString(), toMentionsColumn(mentions), id, room));
  }

  /** The text goes, its files (the blobs are released by whoever deleted it: files/library.ts) and its reactions. */
  async erase(room: string, id: number, deletedAt: Date): Promise<ChatMessage | null> {
    let removed = 0;
    const erased = await this.change(id, [], (stmts, db) => {
      const row = stmts.erase.get(deletedAt.toISOString(), id, room);
      if (row !== undefined) removed = removeReactions(db, id);
      return row;
    });
    return erased === null || removed === 0 ? erased : { ...erased, reactionsRemoved: removed };
  }

  /** Issue 22: the SQL lives in sqlite-reactions.ts. */
  react = (change: ReactionChange): Promise<ReactionOutcome> => this.conn.write((_stmts, db) => applyReaction(db, change), KEEPS_MESSAGES);
  reactionsOf = (ids: readonly number[], viewerKey: string | null): Promise<Map<number, ReactionGroup[]>> =>
    ids.length === 0 ? Promise.resolve(new Map()) : this.conn.read((_stmts, db) => loadReactions(db, ids, viewerKey));

  /** One UPDATE (and its files kept to `keep`) in its own IMMEDIATE transaction, with the appends' retry and failure handling; settles after COMMIT. */
  private async change(id: number, keep: readonly string[] | undefined, work: (stmts: Statements, db: Database.Database) => Row | undefined): Promise<ChatMessage | null> {
    return this.conn.write((stmts, db) => {
      const row = work(stmts, db);
      if (row === undefined) return null;
      keepFiles(db, id, keep);
      return messagesOf(db, [stmts.findAny.get(id) as Row])[0] as ChatMessage;
    });
  }

  // Moderation state: the SQL lives in sqlite-moderation.ts; this class lends it the connection.
  private readonly moderation = new SqliteModeration(
    (work) => this.conn.read((_stmts, db) => work(db)),
    (work) => this.conn.write((_stmts, db) => work(db)),
    () => this.stamp(),
  );
  isModerator = (sessionKey: string) => this.moderation.isModerator(sessionKey);
  setModerator = (sessionKey: string, isModerator: boolean, at: Date) => this.moderation.setModerator(sessionKey, isModerator, at);
  addBan = (ban: RoomBan) => this.moderation.addBan(ban);
  activeBan = (room: string, nameKey: string, sessionKey: string | null, now: Date) => this.moderation.activeBan(room, nameKey, sessionKey, now);
  endBans = (room: string, nameKey: string, now: Date) => this.moderation.endBans(room, nameKey, now);
  activeBans = (room: string, now: Date, limit: number) => this.moderation.activeBans(room, now, limit);
  audit = (entry: AuditEntry) => this.moderation.audit(entry);
  auditLog = (limit: number) => this.moderation.auditLog(limit);

  /** Issue 19: this node's presence, written down so a restart gives names back (SQL in sqlite-presence-snapshot.ts). */
  savePresence = (entries: readonly PresenceRow[], at: Date): Promise<void> => this.conn.write((_stmts, db) => savePresenceRows(db, entries, at), KEEPS_MESSAGES);
  loadPresence = (): Promise<{ entries: PresenceRow[]; savedAt: Date } | null> => this.conn.read((_stmts, db) => loadPresenceRows(db));

  /** Files' records (issue 18): the SQL lives in sqlite-files.ts. */
  readonly files: FileRecords = new SqliteFileRecords(
    (work) => this.conn.read((_stmts, db) => work(db)),
    (work) => this.conn.write((_stmts, db) => work(db)),
  );

  /** Private rooms, members, invites (issue 17): the SQL lives in sqlite-access.ts. */
  readonly access: RoomAccessStore = new SqliteRoomAccess(
    (work) => this.conn.read((_stmts, db) => work(db)),
    (work) => this.conn.write((_stmts, db) => work(db)),
  );

  /** Web Push (issue 23): the SQL lives in sqlite-push.ts. */
  readonly push: PushStore = new SqlitePush(
    (work) => this.conn.read((_stmts, db) => work(db)),
    (work) => this.conn.write((_stmts, db) => work(db), KEEPS_MESSAGES),
  );

  isHealthy(): Promise<boolean> {
    return this.conn.isHealthy();
  }

  isDiskFull(): boolean {
    return this.conn.isDiskFull();
  }

  /** The live connection's journal mode and synchronous level (2 = FULL), as SQLite reports them. */
  durability(): { journalMode: string; synchronous: number } {
    return this.conn.durability();
  }

  /**
   * Commits the appends queued for the next batch before returning (better-sqlite3 writes synchronously), when the
   * process is about to exit without its drain: stored but unanswered, so a resend with its clientId finds them.
   */
  commitQueuedNow(): void {
    this.appends.startNow();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.appends.drain();
    this.searchRuns.stop();
    // Leaves the file fully indexed (the next start, or a copy of the file, has nothing to catch up).
    await this.searchRuns.runNow().catch((err: unknown) => this.opts.log.warn("search_index_failed", { err }));
    this.conn.close();
  }
}
