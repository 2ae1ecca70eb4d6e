// The wire contract's rooms (part of src/protocol.ts, which re-exports them): a join's answer, who is present and
// typing, a room's kind and address, private rooms' members and invite links, and the events that move a room.
import type { WireMessage, WireReaction } from "./messages.js";

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
export interface CreatedInvite {
  invite: InviteInfo;
  /** `/invite/<token>`, relative to the site: shown once, never stored in a form that could be turned back into it. */
  path: string;
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
