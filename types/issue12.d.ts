// Issue 12's wire contract (search, edit/delete, moderation) as the page reads it, written from
// ISSUE12-PROTOCOL.md while the `search` and `edits` branches build the server side. Once both are
// merged, every name here becomes a re-export of src/protocol.ts and the page's imports stay as they are.
import type { Ack, ClientToServerEvents, ErrorCode, FetchHistoryPayload, HistoryResult, JoinPayload, JoinResult, SearchHit as WireSearchHit, SearchPayload, ServerToClientEvents, WireMessage } from "../src/protocol.js";

/** A stored message with the issue 12 fields. */
export type Message = WireMessage & {
  /** ISO 8601: when the content was last edited. */
  editedAt?: string;
  /** ISO 8601: when the message was deleted; `content` is "" then. */
  deletedAt?: string;
  /** Only in answers to the session that sent it. */
  mine?: true;
};

export type Join12Result = JoinResult & { isModerator?: boolean; history: Message[] };
export type History12Result = HistoryResult & { messages: Message[]; hasMoreAfter?: boolean };
export type ErrorCode12 = ErrorCode | "not_found" | "not_owner" | "edit_window_closed" | "not_moderator" | "banned";

/** [start, end) code-point offsets into `message.content` (from branch `search`). */
export type SearchHit = WireSearchHit & { message: Message };

export interface MessageUpdatedEvent {
  room: string;
  id: number;
  content?: string;
  editedAt?: string;
  deletedAt?: string;
}

export interface RemovedEvent {
  room: string;
  reason: "kicked" | "banned";
  /** ISO 8601, with "banned". */
  until?: string;
}

export interface Issue12ClientEvents {
  join_chat: (payload: JoinPayload, ack: (res: Ack<Join12Result>) => void) => void;
  search_messages: (payload: SearchPayload, ack: (res: Ack<{ hits: SearchHit[]; hasMore: boolean }>) => void) => void;
  fetch_history: (payload: FetchHistoryPayload, ack: (res: Ack<History12Result>) => void) => void;
  edit_message: (payload: { room: string; id: number; content: string }, ack: (res: Ack<{ message: Message }>) => void) => void;
  delete_message: (payload: { room: string; id: number }, ack: (res: Ack<{ message: Message }>) => void) => void;
  kick_user: (payload: { room: string; username: string }, ack: (res: Ack) => void) => void;
  ban_user: (payload: { room: string; username: string; durationMs: number }, ack: (res: Ack) => void) => void;
}

export interface Issue12ServerEvents {
  message_updated: (ev: MessageUpdatedEvent) => void;
  removed: (ev: RemovedEvent) => void;
}

/** What the page may send: the protocol's events, with the issue 12 ones and fields. */
export type PageClientEvents = Omit<ClientToServerEvents, keyof Issue12ClientEvents> & Issue12ClientEvents;
/** What the page may receive. */
export type PageServerEvents = ServerToClientEvents & Issue12ServerEvents;
