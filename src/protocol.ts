// The wire contract, shared by the server, the tests, the benchmark and (as types) the browser client.
// Event names and the fields of the Flask original are frozen; everything else is an optional addition.
// Type-only imports: the page reads this file through JSDoc @import and must not need zod at run time.
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

/** A stored chat message as it travels. `sender`, `content`, `timestamp` are the original's fields. */
export interface WireMessage {
  id: number;
  room: string;
  sender: string;
  content: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC: the original's format. */
  timestamp: string;
  /** ISO 8601, UTC, millisecond precision. */
  sentAt: string;
  /**
   * Only on a row whose stored timestamp does not read as a date and time (the Flask app's: a date alone, fields out
   * of range, none as ""): that text as stored. `timestamp` and `sentAt` then stay as they always were (the epoch, or
   * the fields rolled over); a page shows a date alone as that day, anything else as this text, never those.
   */
  storedTimestamp?: string;
  /** The sender's idempotency key, when the sender gave one. */
  clientId?: string;
  /** ISO 8601: when the text was last edited (issue 12). */
  editedAt?: string;
  /** ISO 8601: when the message was deleted; `content` is "" then (issue 12). */
  deletedAt?: string;
  /** The requesting browser session sent it: only in answers to that session, never in broadcasts (issue 12). */
  mine?: true;
  /**
   * Issue 18: the files of the message, in order. With files, `content` is the caption followed by one line per
   * file with its link (what the original's clients show); `caption` is the caption alone, what a page draws.
   */
  attachments?: WireAttachment[];
  caption?: string;
  /**
   * The present names the content mentions with `@name`, as presence shows them, in order of first
   * appearance; resolved by the server when the message was stored (again when it is edited; none once
   * deleted). Absent when there are none.
   */
  mentions?: string[];
  /**
   * Issue 22: the message answers another of the room, resolved by the server at each read (the excerpt follows
   * edits of the original; a deleted original has `excerpt: null, deleted: true`). With it, `content` begins with
   * the line `> sender: excerpt` for the original's clients, and `caption` holds the text alone. Absent when the
   * message is not a reply, and never sent to clients without the page's session cookie.
   */
  replyTo?: WireQuote;
  /**
   * Issue 22: the reactions, one entry per emoji in the order each emoji first appeared; `isMine` is for the
   * reader's browser session. Absent when there are none, and never sent to clients without the session cookie.
   */
  reactions?: WireReaction[];
}

/** Issue 22: the message a reply answers, as the reply shows it. */
export interface WireQuote {
  id: number;
  /** The original's sender, as stored with it. */
  sender: string;
  /**
   * The original's current text (with files and no caption, the files' names, comma-separated) on one line (white
   * space runs become one space): at most 100 graphemes, cut on a grapheme boundary and then ending with "…".
   * null once the original is deleted.
   */
  excerpt: string | null;
  /** The original is deleted (its text erased): `excerpt` is null. */
  deleted?: true;
}

/** Issue 22: one emoji's reactions on a message, the same for every reader. */
export interface ReactionCount {
  emoji: string;
  /** How many browser sessions reacted with it (one session's tabs count once). */
  count: number;
  /** The names they reacted under, the first 20 in the order they reacted (for a tooltip; `count` may be larger). */
  names: string[];
}

/** A reaction as one reader sees it. */
export interface WireReaction extends ReactionCount {
  /** The reader's browser session is among those who reacted with this emoji. */
  isMine: boolean;
}

/**
 * Issue 22: a message's reactions changed. Carries every reaction of that one message (never the room's); an
 * empty list when its last reaction went. `mine` goes only to the tabs of the browser session that reacted (on
 * every node): the emoji it has on the message now. Without `mine`, keep your own `isMine` per emoji as it was
 * (your reactions did not change), and an emoji new to you is not yours.
 */
export interface ReactionsUpdatedEvent {
  room: string;
  id: number;
  reactions: ReactionCount[];
  mine?: string[];
}

/**
 * A file of a message (issue 18). `type` is what its bytes are (sniffed), never what its name or its uploader
 * said. Images (JPEG, PNG, WebP, GIF, AVIF) have their display size and a thumbnail; `animated` ones (GIF, WebP)
 * show their first frame until played. `url` and `thumbUrl` are paths on this site.
 */
export interface WireAttachment {
  id: string;
  name: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
  url: string;
  thumbUrl?: string;
  /** The viewer's image: at most 1600 px each way, metadata removed, orientation applied. */
  displayUrl?: string;
  animated?: true;
}

/** A system line ("ana has joined the chat."). The original sent only `content`. */
export interface Notice {
  content: string;
  kind: "joined" | "left";
  username: string;
  room: string;
}

export type MessageEvent = WireMessage | Notice;

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

export interface JoinResult {
  room: string;
  username: string;
  history: WireMessage[];
  /** Older messages exist before history[0]. */
  hasMore: boolean;
  /** With `since`: newer messages exist after the last one returned; page with fetch_history {after}. */
  hasMoreAfter: boolean;
  /**
   * With `since`: the messages of the room's newest HISTORY_LIMIT with an id up to `since` that were edited or
   * deleted, as they are now (a deleted one is a tombstone without text), oldest first; a client applies each as
   * the `message_updated` it may have missed while away. Before them, oldest first, the edited or deleted ones
   * among the older messages that replies of that page (up to `since`) answer, so their quotes can follow, and
   * among the older messages the join listed in `shown` (and the ones their replies answer). Other edits of older
   * messages are not covered. Absent when there are none.
   */
  changed?: WireMessage[];
  /** With `since`, for clients with the session cookie: the reactions now of the page's messages the client has. */
  reactions?: RejoinReactions;
  /**
   * Every name present in the room, the joiner included, one per presence however many tabs, sorted ignoring
   * case. `presence` deltas that arrive after this ack apply on top of it.
   */
  users: string[];
  /** This browser session is a moderator (issue 12). */
  isModerator?: boolean;
  /** A private room or a direct conversation (issue 17): its display name and what this session may do there. */
  roomInfo?: RoomInfo;
  /** A public room, to a browser session: present it on rejoins (join_chat `rejoinToken`) to follow the room if it is made private meanwhile. */
  rejoinToken?: string;
}

/**
 * A rejoin's reactions: every live message of the room's newest HISTORY_LIMIT with an id from `from` to `to` (the
 * join's `since`), the ones the client already has, as they are now. `messages` lists those with reactions, each
 * list replacing the one shown (`isMine` for the reader); a message of that range not listed has none. When the
 * client has none of that page the range is empty (`from` is `to` + 1).
 */
export interface RejoinReactions {
  from: number;
  to: number;
  messages: { id: number; reactions: WireReaction[] }[];
  /**
   * With `shown`: the live messages of this room it listed outside that range, whose reactions `messages` gives too;
   * one of them not listed there has none. Ids of other rooms, deleted and missing ones are left out.
   */
  ids?: number[];
}

/** public: joinable by name (the original's rooms); private: by invitation; direct: two sessions (issue 17). */
export type RoomKind = "public" | "private" | "direct";

/**
 * A room as this browser session sees it (issue 17). `room` is the address every event names: a public
 * room's name, or for a private room or direct conversation `~` and 22 random characters.
 */
export interface RoomInfo {
  room: string;
  /** What to show: a private room's name, the other person's name in a direct conversation. */
  title: string;
  kind: RoomKind;
  /** This session may make invite links (the creator, a moderator, or any member when the room allows it). */
  canInvite?: boolean;
  /** This session manages the room: every invite, the members-may-invite setting (the creator or a moderator). */
  canManage?: boolean;
  /** Every member may make invite links. */
  membersCanInvite?: boolean;
}

/** One of a session's private rooms or direct conversations (my_rooms). */
export interface MyRoom extends RoomInfo {
  /** The name to join with: the one this session was admitted under, when known. */
  name?: string;
  /** Direct: the newest message id; with closedUpto, whether a closed conversation has something new. */
  newestId: number;
  /** Direct: closed by this session when the newest message was this one; it shows again once newestId is above it. */
  closedUpto?: number;
}

/** An invite link as its managers see it: never the token, which is shown once, to its maker (issue 17). */
export interface InviteInfo {
  id: number;
  createdAt: string;
  expiresAt: string;
  /** Absent: unlimited until it expires. */
  maxUses?: number;
  uses: number;
  /** The name its maker had. */
  createdBy: string;
  /** Made by this session: its maker may revoke it even without managing the room. */
  isMine: boolean;
  state: "active" | "expired" | "used_up";
}

/** A ban in force in a room, as list_bans shows it to moderators (all the bans of one name as one entry). */
export interface BanInfo {
  /** The name as the moderator typed it when banning; pass it to unban_user. */
  username: string;
  /** ISO 8601: when the last of the name's bans ends. */
  until: string;
  /** ISO 8601: when the newest of them was made. */
  createdAt: string;
}

export interface CreatedInvite {
  invite: InviteInfo;
  /** `/invite/<token>`, relative to the site: shown once, never stored in a form that could be turned back into it. */
  path: string;
}

export interface SendResult {
  message: WireMessage;
  /** The (room, clientId) was stored before: this is that message, and nothing was broadcast. */
  duplicate?: boolean;
}

export interface HistoryResult {
  messages: WireMessage[];
  hasMore: boolean;
  /** Only with `around`: newer messages exist after the last one returned. */
  hasMoreAfter?: boolean;
}

/** One search match: [start, end) code-point offsets into `message.content` of the matched words (never HTML). */
export interface SearchHit {
  message: WireMessage;
  highlights: [number, number][];
}

export interface SearchResult {
  /** The newest matches below `before`, best match first. */
  hits: SearchHit[];
  /** Older matches exist: ask again with before = the smallest message id among these hits. */
  hasMore: boolean;
}

/**
 * A change to who is in the room: one name per presence arriving or leaving (not per tab). A further tab of a
 * present name, or its owner back within the name grace, changes nothing and sends nothing. The full list
 * comes with the join ack (`JoinResult.users`); a joiner without an ack gets it as one `joined` event.
 */
export interface PresenceEvent {
  room: string;
  joined?: string[];
  left?: string[];
}

export interface TypingEvent {
  room: string;
  username: string;
  isTyping: boolean;
}

/** An edit or delete committed (issue 12): the fields that changed. A delete carries content "" and deletedAt. */
export interface MessageUpdatedEvent {
  room: string;
  id: number;
  content?: string;
  editedAt?: string;
  deletedAt?: string;
  /** An edit's mentions, resolved again against the present names, when it mentions someone or did before ([] then). */
  mentions?: string[];
  /** Issue 18: the message's files after the edit, when it has or had some ([] when the last was removed), and its caption. */
  attachments?: WireAttachment[];
  caption?: string;
  /** Issue 22: an edited reply's quote, resolved again; with it `content` has the quote line and `caption` the text alone. */
  replyTo?: WireQuote;
  /** Issue 22: a delete removed the message's reactions: `[]` (sent only when it had some). */
  reactions?: [];
}

/** This socket was taken out of the room by a moderator (it has left the room when this arrives). */
export interface RemovedEvent {
  room: string;
  /**
   * kicked, banned: by a moderator; left: this browser left the private room, or closed the conversation, in another
   * tab; private: a moderator made the room private and this client was not let in (no browser session) (issue 17).
   */
  reason: "kicked" | "banned" | "left" | "private";
  /** ISO 8601: when a ban ends. */
  until?: string;
}

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

/**
 * One member of a private room or a direct conversation as list_members shows it: the name it was let in under
 * (null for a creator who has not joined its room yet), never its session. A name let in from several browsers is
 * one entry (present when any of them is, since the first admission, `you` when one of them is this browser).
 */
export interface MemberInfo {
  name: string | null;
  /** One of its browsers is in the room now (on any node, under any name, a closed tab's name in its grace too). */
  present: boolean;
  /** ISO 8601: when it was let in. */
  since: string;
  /** This browser is (one of) this member. */
  you: boolean;
}

/** list_members' answer: present members first, then the away ones, each group by name as people read a list. */
export interface MembersResult {
  members: MemberInfo[];
}

/**
 * A private room's (or direct conversation's) members changed: someone was let in, left for good, was kicked or
 * banned. Carries no names: a page that shows the list asks list_members again.
 */
export interface MembersChangedEvent {
  room: string;
}

/** kick_user's answer. */
export interface KickResult {
  /**
   * Private rooms: how many members known by the name (the one they were let in under) with every tab closed the kick
   * also removed (their admission ended). Absent when none: a kick of a present name answers `{ ok: true }` as before.
   */
  absentMembers?: number;
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

export interface ReactResult {
  id: number;
  reactions: WireReaction[];
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

/** A private room's setting changed (issue 17): whether every member may make invite links. */
export interface RoomUpdatedEvent {
  room: string;
  membersCanInvite: boolean;
}

/**
 * A direct conversation opened with this browser session, or a new message in one it closed or has not joined
 * (issue 17): join it (as `name`) to read and answer. `message` is the new message, when one brought it back.
 */
export interface RoomAddedEvent {
  room: RoomInfo;
  name: string;
  message?: WireMessage;
}

/**
 * The room changed its address (issue 17): a public room a moderator made private (to a new private
 * address), or a private room made public (to its title). This socket has left `room`; join `to.room`.
 */
export interface RoomMovedEvent {
  room: string;
  to: RoomInfo;
}

/**
 * Multi-node mode (issue 10): the node's link to the other nodes (Redis) was down, so broadcasts from other
 * nodes may have been missed, or the node could not read a gap in the room's live messages from the database. Catch up with join_chat {since} or fetch_history {after} from min(lastId, after).
 */
export interface ResyncEvent {
  room: string;
  /** Every message of the room up to this id reached you live or in your history: catch up from here when it is older than your last id. */
  after?: number;
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

export function isNotice(msg: MessageEvent): msg is Notice {
  return "kind" in msg;
}
