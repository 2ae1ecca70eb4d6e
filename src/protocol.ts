// The wire contract, shared by the server, the tests, the benchmark and (as types) the browser client.
// Event names and the fields of the Flask original are frozen; everything else is an optional addition.
// Type-only imports: the page reads this file through JSDoc @import and must not need zod at run time.
// This file is the one place to import the contract from: the event maps, errors and limits are here, and the
// types of messages, rooms and moderation, kept in src/protocol/ by subject, are re-exported below.
import type { HistoryResult, MessageEvent, MessageUpdatedEvent, ReactResult, ReactionsUpdatedEvent, SearchResult, SendResult, WireMessage } from "./protocol/messages.js";
import type { BanInfo, KickResult, RemovedEvent } from "./protocol/moderation.js";
import type {
  CreatedInvite,
  InviteInfo,
  JoinResult,
  MembersChangedEvent,
  MembersResult,
  MyRoom,
  PresenceEvent,
  ResyncEvent,
  RoomAddedEvent,
  RoomInfo,
  RoomMovedEvent,
  RoomUpdatedEvent,
  TypingEvent,
} from "./protocol/rooms.js";
import type {
  BanUserPayload,
  ListBansPayload,
  UnbanUserPayload,
  CreateInvitePayload,
  CreateRoomPayload,
  ListInvitesPayload,
  ListMembersPayload,
  MyRoomsPayload,
  OpenDirectPayload,
  RevokeInvitePayload,
  UpdateRoomPayload,
  DeleteMessagePayload,
  EditMessagePayload,
  FetchHistoryPayload,
  JoinPayload,
  KickUserPayload,
  LeavePayload,
  SearchPayload,
  SendPayload,
  TypingPayload,
  ReactPayload,
} from "./payloads.js";

export type ErrorCode =
  | "invalid_payload"
  | "invalid_name"
  | "invalid_room"
  | "invalid_content"
  | "invalid_client_id"
  | "invalid_cursor"
  | "not_in_room"
  | "name_mismatch"
  | "name_taken"
  | "too_many_rooms"
  | "rate_limited"
  | "storage_unavailable"
  | "presence_unavailable"
  | "shutting_down"
  | "overloaded"
  | "not_found"
  | "not_owner"
  | "edit_window_closed"
  | "not_moderator"
  | "banned"
  | "session_required"
  | "not_allowed"
  | "limit_reached"
  | "room_exists"
  | "invite_expired"
  | "invite_used_up"
  | "invite_revoked"
  | "invalid_attachment"
  | "too_many_files"
  | "file_too_big"
  | "file_type_refused"
  | "image_refused"
  | "upload_quota"
  | "storage_full"
  | "reply_not_found"
  | "invalid_emoji"
  | "too_many_reactions"
  | "room_moved"
  | "internal";

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** With rate_limited: when the next attempt can succeed; with overloaded: when to try again (jittered, so returning clients spread out). */
  retryAfterMs?: number;
}

export type Failure = { ok: false; error: ErrorBody };
export type Ack<T extends object = object> = ({ ok: true } & T) | Failure;

export * from "./protocol/messages.js";
export * from "./protocol/moderation.js";
export * from "./protocol/rooms.js";

// Client payloads are defined once, as schemas in payloads.ts (the runtime check); their types come from there.
export type {
  BanUserPayload,
  ListBansPayload,
  UnbanUserPayload,
  CreateInvitePayload,
  CreateRoomPayload,
  ListInvitesPayload,
  ListMembersPayload,
  MyRoomsPayload,
  OpenDirectPayload,
  RevokeInvitePayload,
  UpdateRoomPayload,
  DeleteMessagePayload,
  EditMessagePayload,
  FetchHistoryPayload,
  JoinPayload,
  KickUserPayload,
  LeavePayload,
  SearchPayload,
  SendPayload,
  TypingPayload,
  ReactPayload,
} from "./payloads.js";

export interface ChatErrorEvent extends ErrorBody {
  /** The client event that failed. */
  event?: ClientEventName;
}

export interface ShutdownEvent {
  /**
   * How long this client should wait before reconnecting: different for each client (issue 19), spread over a
   * time that grows with the number of clients, so a restart is not met by all of them in the same instant.
   */
  reconnectAfterMs: number;
}

export interface ClientToServerEvents {
  join_chat: (payload: JoinPayload, ack: (res: Ack<JoinResult>) => void) => void;
  send_message: (payload: SendPayload, ack: (res: Ack<SendResult>) => void) => void;
  leave_chat: (payload: LeavePayload, ack: (res: Ack) => void) => void;
  fetch_history: (payload: FetchHistoryPayload, ack: (res: Ack<HistoryResult>) => void) => void;
  typing: (payload: TypingPayload, ack: (res: Ack) => void) => void;
  search_messages: (payload: SearchPayload, ack: (res: Ack<SearchResult>) => void) => void;
  edit_message: (payload: EditMessagePayload, ack: (res: Ack<{ message: WireMessage }>) => void) => void;
  delete_message: (payload: DeleteMessagePayload, ack: (res: Ack<{ message: WireMessage }>) => void) => void;
  kick_user: (payload: KickUserPayload, ack: (res: Ack<KickResult>) => void) => void;
  ban_user: (payload: BanUserPayload, ack: (res: Ack) => void) => void;
  unban_user: (payload: UnbanUserPayload, ack: (res: Ack) => void) => void;
  list_bans: (payload: ListBansPayload, ack: (res: Ack<{ bans: BanInfo[] }>) => void) => void;
  create_room: (payload: CreateRoomPayload, ack: (res: Ack<{ room: RoomInfo }>) => void) => void;
  update_room: (payload: UpdateRoomPayload, ack: (res: Ack<{ room: RoomInfo }>) => void) => void;
  my_rooms: (payload: MyRoomsPayload, ack: (res: Ack<{ rooms: MyRoom[] }>) => void) => void;
  create_invite: (payload: CreateInvitePayload, ack: (res: Ack<CreatedInvite>) => void) => void;
  list_invites: (payload: ListInvitesPayload, ack: (res: Ack<{ invites: InviteInfo[] }>) => void) => void;
  revoke_invite: (payload: RevokeInvitePayload, ack: (res: Ack) => void) => void;
  open_direct: (payload: OpenDirectPayload, ack: (res: Ack<{ room: RoomInfo; name: string }>) => void) => void;
  /** Who may read a private room or a direct conversation; its members only (members.ts). */
  list_members: (payload: ListMembersPayload, ack: (res: Ack<MembersResult>) => void) => void;
  /** Issue 22: toggles this browser session's reaction; the ack has the message's reactions as this session sees them. */
  react: (payload: ReactPayload, ack: (res: Ack<ReactResult>) => void) => void;
}

export type ClientEventName = keyof ClientToServerEvents;

export interface ServerToClientEvents {
  message: (msg: MessageEvent) => void;
  presence: (ev: PresenceEvent) => void;
  typing: (ev: TypingEvent) => void;
  chat_error: (ev: ChatErrorEvent) => void;
  server_shutdown: (ev: ShutdownEvent) => void;
  resync: (ev: ResyncEvent) => void;
  message_updated: (ev: MessageUpdatedEvent) => void;
  removed: (ev: RemovedEvent) => void;
  room_added: (ev: RoomAddedEvent) => void;
  room_moved: (ev: RoomMovedEvent) => void;
  room_updated: (ev: RoomUpdatedEvent) => void;
  reactions_updated: (ev: ReactionsUpdatedEvent) => void;
  members_changed: (ev: MembersChangedEvent) => void;
}

export const LIMITS = {
  nameMaxChars: 50,
  roomMaxChars: 50,
  contentMaxChars: 500,
  historyMaxLimit: 500,
  /** The most message ids a rejoin may list in `shown` (join_chat): the page's newest ones up to `since`. */
  rejoinShownMaxIds: 500,
  fetchDefaultLimit: 50,
  searchMaxChars: 200,
  searchDefaultLimit: 20,
  searchMaxLimit: 50,
  titleMaxChars: 50,
  /** The most files one message may carry whatever MAX_FILES_PER_MESSAGE says (issue 18). */
  filesMaxPerMessage: 50,
  /** The longest an invite link may live: 30 days (INVITE_MAX_TTL_MS may lower it). */
  inviteMaxTtlMs: 30 * 24 * 3600 * 1000,
  /** Issue 22: a reply's excerpt of its original, in graphemes, the "…" of a cut included. */
  replyExcerptMaxGraphemes: 100,
  /** Issue 22: the names a reaction lists (its count goes on). */
  reactionNamesMax: 20,
  /** The most different emoji one message may carry whatever MAX_REACTION_EMOJI says. */
  reactionEmojiMaxPerMessage: 100,
} as const;

