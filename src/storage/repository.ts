// The storage seam: chat/ talks to this interface only, so another store (PostgreSQL) can slot in.
import type { RoomAccessStore } from "../access/store.js";
import type { FileRecords, StoredAttachment } from "./files.js";
import type { SearchQuery } from "../shared/search-query.js";
import type { PushStore } from "./push-store.js";

export type { SearchQuery, SearchTerm } from "../shared/search-query.js";

export interface ChatMessage {
  id: number;
  room: string;
  sender: string;
  content: string;
  sentAt: Date;
  /**
   * The row's `timestamp` text when it does not read as a date and time (rows of the Flask app: a date alone, fields
   * out of range, NULL as ""): `sentAt` is then the epoch or a rolled-over date, and only this is honest. Absent
   * otherwise.
   */
  storedTimestamp?: string;
  clientId: string | null;
  /** Keyed hash of the sending session (issue 12); absent on old rows and the Flask app's. */
  ownerKey?: string;
  /** Set by an edit; absent while the text is as sent. */
  editedAt?: Date;
  /** Set by a delete: the row stays as a tombstone with content "". */
  deletedAt?: Date;
  /** Names mentioned with `@name`, resolved when it was stored (again when edited); absent when none. */
  mentions?: string[];
  /** Issue 18: the message's files, in order; absent when none. */
  attachments?: StoredAttachment[];
  /** How many files the row says it has, while a store reads them (never outside a store). */
  fileCount?: number;
  /** Issue 22: the id of the message of the room this one answers; absent when it answers none. */
  replyTo?: number;
  /** Issue 22: set by erase only, when the delete removed reactions with the text: how many. */
  reactionsRemoved?: number;
}

export interface NewMessage {
  room: string;
  sender: string;
  content: string;
  sentAt: Date;
  clientId?: string;
  /** Keyed hash of the sending session (see chat/ownership.ts). */
  ownerKey?: string;
  /** Stored as given; an empty list is stored as none. */
  mentions?: string[];
  /**
   * Issue 18: uploads of the sending session (ownerKey) to attach, in order, in the send's own transaction; when
   * one of them cannot be (not the session's, attached already, removed), append rejects with
   * AttachmentUnavailableError and stores nothing.
   */
  attachments?: string[];
  /** Issue 22: the message of the room this one answers (checked by the handler). */
  replyTo?: number;
  /**
   * When the sending socket joined the room (its checks were made as a member since then). A room moved to another
   * address after it (made private or public) refuses the append with RoomMovedError; so does a room closed to the
   * sender (ownerKey) since, by a ban or a kick, with RoomClosedError (sender-checks.ts). Without it (or without
   * ownerKey), nothing is checked.
   */
  memberSince?: Date;
}

export interface AppendResult {
  message: ChatMessage;
  /** The (room, clientId) was already stored: this is the earlier row, nothing was written. */
  duplicate: boolean;
  /**
   * The room's newest id before this row (0 for its first), read under the room's lock (PostgreSQL only; absent
   * for duplicates). Ids come from one sequence for every room, so a room's ids have holes: this link is how a
   * node tells "the next message of the room" from "a later one, with something between" (cluster/room-sequencer.ts).
   */
  previousId?: number;
}

/** What a store's batch answers for one append (group-commit.ts settles its promise with it): stored, or refused alone. */
export type AppendOutcome = AppendResult | AttachmentUnavailableError | RoomMovedError | RoomClosedError;

export interface HistoryPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** More rows exist beyond this page in the direction asked for. */
  hasMore: boolean;
}

export type PageQuery = { before?: number; limit: number } | { after: number; limit: number };


export interface SearchOptions {
  /** Only messages with id < before (the next page); the newest overall without it. */
  before?: number;
  limit: number;
}

export interface SearchPage {
  /** The newest `limit` matches (id < before), newest first; the caller ranks them (chat/search-query.ts). */
  messages: ChatMessage[];
  /** Older matches exist: page on with before = the smallest id of this page. */
  hasMore: boolean;
}

/** A moderator's ban of a name (by its name key) and, when known, a session from one room until `until`. */
export interface RoomBan {
  room: string;
  nameKey: string;
  /** The name as the moderator typed it (list_bans shows it); a ban stored before it was kept reads its key here. */
  name: string;
  sessionKey: string | null;
  until: Date;
  /** The moderator's session hash. */
  by: string;
  at: Date;
}

/** All the bans in force of one name key in a room, as one. */
export interface BanEntry {
  nameKey: string;
  /** As typed in the newest of these bans (its key for a ban stored before names were kept). */
  name: string;
  until: Date;
  at: Date;
}

/** One line of the moderation audit: who (a moderator's session hash), what, when. */
export interface AuditEntry {
  at: Date;
  moderator: string;
  action: "delete" | "kick" | "ban" | "unban" | "sign_in" | "sign_out" | "make_private" | "make_public";
  room: string | null;
  target: string | null;
  messageId: number | null;
  /** Extra facts as JSON text, e.g. the ban's end. */
  detail: string | null;
}

/** Moderation state (issue 12): kept in the same store as the messages, so it survives a restart. */
export interface ModerationStore {
  isModerator(sessionKey: string): Promise<boolean>;
  setModerator(sessionKey: string, isModerator: boolean, at: Date): Promise<void>;
  addBan(ban: RoomBan): Promise<void>;
  /** The ban in force at `now` for this name key or session in the room that ends last, or null. */
  activeBan(room: string, nameKey: string, sessionKey: string | null, now: Date): Promise<RoomBan | null>;
  /**
   * Ends now every ban of this name key in force in the room (the session each one bound goes with it) by moving its
   * end to `now`: from then on it reads as a ban that ran out. Resolves to how many were in force.
   */
  endBans(room: string, nameKey: string, now: Date): Promise<number>;
  /** The name keys banned in the room at `now`, each with its last end and its newest ban's time; newest first, at most `limit`. */
  activeBans(room: string, now: Date, limit: number): Promise<BanEntry[]>;
  audit(entry: AuditEntry): Promise<void>;
  /** The newest entries first. */
  auditLog(limit: number): Promise<AuditEntry[]>;
}

export interface MessageRepository {
  /**
   * Resolves only after the row is committed; rejects with StorageUnavailableError when the store cannot write, and
   * with AttachmentUnavailableError (this append alone: the others of its batch are stored) when its files cannot
   * all be attached, or with RoomMovedError (alone too) when its room moved away after `memberSince`, or with
   * RoomClosedError (alone too) when a ban or a kick closed its room to the sender. A repeat of a
   * stored (room, clientId) resolves as a duplicate before any of that is checked.
   */
  append(msg: NewMessage): Promise<AppendResult>;
  /** Newest `limit` before `before` (or the newest overall), or oldest `limit` after `after`; oldest first either way. */
  page(room: string, query: PageQuery): Promise<HistoryPage>;
  /** Full-text search of one room; `query` has at least one term or a `from`. */
  search(room: string, query: SearchQuery, opts: SearchOptions): Promise<SearchPage>;
  /**
   * True when the store answers and can take writes; may try to recover a broken store. Cheap to call often
   * (/healthz): a store that must probe with a write does so at most once per interval, answers the last
   * result in between, and never blocks the event loop while it waits.
   */
  isHealthy(): Promise<boolean>;
  /** True while writes fail for want of disk space (then isHealthy is false too): /healthz says `full`. */
  isDiskFull?(): boolean;
  close(): Promise<void>;
}

/** Both stores' default for how often a failing or full store may probe with a write (HEALTH_PROBE_INTERVAL_MS). */
export const DEFAULT_HEALTH_PROBE_INTERVAL_MS = 1000;

/** A stored message's id, whether it was edited or deleted (a tombstone), and the message it answers (issue 22). */
export interface EditState {
  id: number;
  isEdited: boolean;
  isDeleted: boolean;
  replyTo?: number;
}

/** Editing and deleting stored messages (issue 12). */
export interface MessageEdits {
  /** The row with this id in this room (a tombstone too), or null. */
  find(room: string, id: number): Promise<ChatMessage | null>;
  /** These messages of the room, oldest first (ids of other rooms are left out). */
  messagesById(room: string, ids: readonly number[]): Promise<ChatMessage[]>;
  /**
   * Whether each of these messages of the room was edited or deleted, and what it answers, oldest first (ids of
   * other rooms and missing ids are left out): what a rejoining page must hear of the messages it shows (join_chat
   * `shown`), read without their text, files or mentions, so only the few that changed are read in full.
   */
  editStatesById(room: string, ids: readonly number[]): Promise<EditState[]>;
  /** The row a send with this clientId stored in this room (a tombstone too), or null: how a retry is known. */
  findByClientId(room: string, clientId: string): Promise<ChatMessage | null>;
  /**
   * Replaces the text (and the mentions, none when absent) of a live (not deleted) row, and keeps only the files
   * in `keepFiles` (all when absent); null when there is none. Resolves after COMMIT.
   */
  edit(room: string, id: number, content: string, editedAt: Date, mentions?: readonly string[], keepFiles?: readonly string[]): Promise<ChatMessage | null>;
  /**
   * Makes a live row a tombstone (content "", deletedAt set, its files and reactions gone, `reactionsRemoved` says
   * how many when there were some); null when there is none. Resolves after COMMIT.
   */
  erase(room: string, id: number, deletedAt: Date): Promise<ChatMessage | null>;
}

/** Issue 22: one browser session's reaction on a message, turned on or off. */
export interface ReactionChange {
  room: string;
  id: number;
  emoji: string;
  sessionKey: string;
  /** The name it reacts under (the one it joined the room with), kept with the reaction for the tooltip. */
  name: string;
  at: Date;
  on: boolean;
  /** A new emoji beyond this many different ones on the message is refused (MAX_REACTION_EMOJI). */
  maxEmoji: number;
}

/** One emoji's reactions on a message as one session sees them: names are the first `REACTION_NAMES` in reaction order. */
export interface ReactionGroup {
  emoji: string;
  count: number;
  names: string[];
  isMine: boolean;
}

/**
 * What a change did: no live message with that id in the room; a new emoji past the cap; or the message's
 * reactions after it (as the reacting session sees them, read in the change's own transaction), and whether
 * the change changed anything (on twice, off when absent: no).
 */
export type ReactionOutcome = { state: "not_found" } | { state: "too_many" } | { state: "changed" | "unchanged"; reactions: ReactionGroup[] };

/** Issue 22: reactions, in their own table, keyed by message, emoji and session. */
export interface ReactionStore {
  /** In one transaction: checks the message (live, in the room) and the cap, applies the change, reads the result. */
  react(change: ReactionChange): Promise<ReactionOutcome>;
  /** These messages' reactions as `viewerKey` sees them (every isMine false for null); messages without any are left out. */
  reactionsOf(ids: readonly number[], viewerKey: string | null): Promise<Map<number, ReactionGroup[]>>;
}

/** The names a reaction group lists (LIMITS.reactionNamesMax, repeated here so storage needs no protocol). */
export const REACTION_NAMES = 20;

/**
 * What issues 12 and 17 add to a store (edits, moderation, private rooms and invites), kept apart from
 * MessageRepository so wrappers of it (fault injection) need not change.
 */
export type EditsAndModeration = MessageEdits &
  ModerationStore &
  PresenceSnapshotStore &
  ReactionStore & { readonly access: RoomAccessStore; readonly files: FileRecords; /** Issue 23: Web Push. */ readonly push: PushStore };

/** One node's presence written down (issue 19), so a restart, even after SIGKILL, gives names back to their owners. */
export interface PresenceSnapshotStore {
  /** Replaces the saved presence with `entries`, in one transaction. */
  savePresence(entries: readonly PresenceRow[], at: Date): Promise<void>;
  /** The presence last saved, and when; null when none was. */
  loadPresence(): Promise<{ entries: PresenceRow[]; savedAt: Date } | null>;
}

/** A name in a room and its owner's session key. */
export interface PresenceRow {
  room: string;
  name: string;
  ownerKey: string;
}

/** Everything a real store provides: both SQLite and PostgreSQL implement this. */
export type ChatStore = MessageRepository & EditsAndModeration;

export function hasEditsAndModeration(repo: MessageRepository): repo is ChatStore {
  const store = repo as Partial<ChatStore>;
  return typeof store.erase === "function" && typeof store.activeBan === "function" && typeof store.access?.roomAccess === "function";
}

/** The store cannot take writes (read-only, disk full, busy, file gone); the client gets storage_unavailable. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}

/**
 * Issue 18: an append named uploads that its transaction could not all attach (not the sender's, attached to another
 * message meanwhile, removed): nothing of it was stored. An expected refusal (invalid_attachment), not a store fault.
 */
export class AttachmentUnavailableError extends Error {
  constructor() {
    super("a file of this message is not an unsent upload of its sender");
    this.name = "AttachmentUnavailableError";
  }
}

/**
 * The append's room moved to another address (made private or public) after its sender joined it: the send was checked
 * against the room that moved, and its old address is now a fresh public room (or nothing), so it is stored nowhere.
 * An expected refusal of this append alone (room_moved), not a store fault. `to` is the new address: never for the
 * client (a private one is not every sender's to know).
 */
export class RoomMovedError extends Error {
  constructor(readonly to: string) {
    super("the room moved to another address after its sender joined it");
    this.name = "RoomMovedError";
  }
}

/**
 * The append's room is closed to its sender (ownerKey) in the append's own transaction, though the sender's checks
 * passed: a ban in force at `sentAt` of the name it sends under or of its session, in the room or (a direct
 * conversation, `isDirect`) in the room the conversation was opened in, where it also binds the name the
 * conversation knows it by (`until` says when the ban ends); or, `until` null, a private room or conversation of
 * which the sender is no member (a kick took it out). An expected refusal of this append alone (banned,
 * not_in_room), not a store fault.
 */
export class RoomClosedError extends Error {
  constructor(
    readonly until: Date | null,
    readonly isDirect: boolean,
  ) {
    super("the room is closed to its sender");
    this.name = "RoomClosedError";
  }
}

/** A chat_message row as a driver returns it, the same columns in both stores; `Id` is the driver's id type. */
export interface MessageRow<Id> {
  id: Id;
  chat_room: string | null;
  sender: string | null;
  content: string | null;
  timestamp: string | null;
  client_id: string | null;
  owner_key: string | null;
  edited_at: string | null;
  deleted_at: string | null;
  mentions: string | null;
  /** Issue 18: how many files the message has; NULL for none (and for every row of the Flask app). */
  files: number | string | null;
  /** Issue 22: the message it answers; NULL for none. Absent from statements that do not select it. */
  reply_to?: number | string | null;
}

/** An append waiting for its group commit: settled once the batch's transaction has committed or failed. */
export interface PendingAppend {
  msg: NewMessage;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}
