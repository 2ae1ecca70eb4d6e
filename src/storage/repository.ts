// The storage seam: chat/ talks to this interface only, so another store (PostgreSQL) can slot in.

export interface ChatMessage {
  id: number;
  room: string;
  sender: string;
  content: string;
  sentAt: Date;
  clientId: string | null;
  /** Names mentioned with `@name`, resolved when it was stored; absent or empty when none. */
  mentions?: string[];
}

export interface NewMessage {
  room: string;
  sender: string;
  content: string;
  sentAt: Date;
  clientId?: string;
  /** Stored as given; an empty list is stored as none. */
  mentions?: string[];
}

export interface AppendResult {
  message: ChatMessage;
  /** The (room, clientId) was already stored: this is the earlier row, nothing was written. */
  duplicate: boolean;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** More rows exist beyond this page in the direction asked for. */
  hasMore: boolean;
}

export type PageQuery = { before?: number; limit: number } | { after: number; limit: number };

export interface MessageRepository {
  /** Resolves only after the row is committed; rejects with StorageUnavailableError when the store cannot write. */
  append(msg: NewMessage): Promise<AppendResult>;
  /** Newest `limit` before `before` (or the newest overall), or oldest `limit` after `after`; oldest first either way. */
  page(room: string, query: PageQuery): Promise<HistoryPage>;
  /**
   * True when the store answers and can take writes; may try to recover a broken store. Cheap to call often
   * (/healthz): a store that must probe with a write does so at most once per interval, answers the last
   * result in between, and never blocks the event loop while it waits.
   */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The store cannot take writes (read-only, disk full, busy, file gone); the client gets storage_unavailable. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}
