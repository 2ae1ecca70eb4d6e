// What access decisions need from a store (issue 17): private rooms, who is admitted to them, invite links and
// direct conversations. Defined here, below the stores, so SQLite and PostgreSQL implement it and neither the
// chat handlers nor the HTTP routes reach into storage/ for an access rule.

export type PrivateKind = "private" | "direct";

/**
 * A room's `push_room` rows when it moved (made private or public, in the move's own transaction): the sessions
 * whose rows followed it to the new address (name and level kept), and those whose rows went.
 */
export interface MovedPushRows {
  followed: string[];
  dropped: string[];
}

/** A private room or a direct conversation. Public rooms have no record: they are their name. */
export interface RoomRecord {
  /** The address (room-address.ts): what join_chat and every other event name. */
  room: string;
  /** The display name a private room was given; a direct conversation's is its members' names. */
  title: string;
  kind: PrivateKind;
  /** The session that created it (its key); null for a direct conversation, and once a moderator removed its creator. */
  creatorKey: string | null;
  /** Every member may make invite links, not only the creator and moderators. */
  membersCanInvite: boolean;
  /** Direct: the public or private room it was opened from (a ban there covers it). */
  originRoom: string | null;
  createdAt: Date;
}

/** A browser session admitted to a room, by its session key (http/session.ts: the cookie itself is never stored). */
export interface Member {
  sessionKey: string;
  /** The name it had when admitted: a direct conversation shows the other member under it. */
  name: string | null;
  admittedAt: Date;
  /** Direct: closed by this member when the newest message had this id; shown again when a newer one arrives. */
  closedUpto: number | null;
}

export interface NewMember {
  sessionKey: string;
  name: string | null;
}

export interface NewRoom {
  room: string;
  title: string;
  kind: PrivateKind;
  creatorKey: string | null;
  membersCanInvite: boolean;
  originRoom: string | null;
  /** Direct: the two sessions' pair (directPairKey), one conversation per pair. */
  pairKey: string | null;
  createdAt: Date;
}

export interface InviteRecord {
  id: number;
  room: string;
  tokenHash: string;
  /** The session key of its maker, and the name it had. */
  createdBy: string;
  createdByName: string;
  createdAt: Date;
  expiresAt: Date;
  /** Null: unlimited until it expires. */
  maxUses: number | null;
  uses: number;
  revokedAt: Date | null;
}

export type NewInvite = Omit<InviteRecord, "id" | "uses" | "revokedAt">;

/** A session's room as it lists them: the record, its membership, and the room's newest message id (0 for none). */
export interface SessionRoom {
  record: RoomRecord;
  member: Member;
  newestId: number;
  /** Direct: the other member's name. */
  peerName: string | null;
}

/** A room's move away from an address (room_move): where to, and when. */
export interface Move {
  to: string;
  movedAt: Date;
}

/** What redeeming an invite did: the session is in now (or was already), or why not. */
export type Redemption =
  | { outcome: "admitted" | "already_member"; record: RoomRecord }
  | { outcome: "invalid" | "expired" | "used_up" | "revoked" };

/** Ended invites (revoked, expired, used up) a room keeps, newest first: what list_invites can still show as ended. */
export const ENDED_INVITES_KEPT = 20;

export interface RoomAccessStore {
  /** The room's record and this session's membership of it (null when not a member); null for no such room. */
  roomAccess(room: string, sessionKey: string): Promise<{ record: RoomRecord; member: Member | null } | null>;
  /** The address the room at `from` moved to, when its latest move took message `messageId` along; else null. */
  movedWith(from: string, messageId: number): Promise<string | null>;
  /** The first move away from `from` after `at` (where the room a session that joined then went), or null. */
  movedAfter(from: string, at: Date): Promise<Move | null>;
  /** Whether a room ever moved away from `from` (one index seek): rooms that never did need no movedWith per rejoin. */
  hasMovedFrom(from: string): Promise<boolean>;
  /** A new private room with its first members (its creator), in one transaction. */
  createRoom(room: NewRoom, members: readonly NewMember[]): Promise<void>;
  /** The pair's direct conversation, made now unless it exists; both sessions admitted. One per pair, even when two nodes race. */
  openDirectRoom(room: NewRoom & { pairKey: string }, members: readonly [NewMember, NewMember]): Promise<RoomRecord>;
  /** Admits a session (again: a closed direct conversation opens); keeps the first admission's time, and its name once it has one. */
  admit(room: string, member: NewMember, at: Date): Promise<void>;
  /** Ends a session's admission (it left); false when it had none. */
  removeMember(room: string, sessionKey: string): Promise<boolean>;
  /**
   * A moderator removed the session (a kick, a ban): its admission ends, the invite links it made for the room are
   * revoked at `at`, and it is no longer the room's creator, in one transaction. So it cannot let itself (or anyone
   * it gave a link to) back in, and a member's new link lets it in as a member, not as a manager. False when it had
   * no admission.
   */
  expelMember(room: string, sessionKey: string, at: Date): Promise<boolean>;
  /** Direct: this member closed it at the room's newest message. */
  closeDirect(room: string, sessionKey: string): Promise<void>;
  members(room: string): Promise<Member[]>;
  /** Every room this session is admitted to. */
  roomsOf(sessionKey: string): Promise<SessionRoom[]>;
  /**
   * Every member of the direct conversations opened from `originRoom`, with the conversation's address: a ban there
   * finds by name who it covers, also a session whose name in the room was released long ago. In no given order.
   */
  directMembersFrom(originRoom: string): Promise<{ room: string; member: Member }[]>;
  /** How many private rooms this session created that still exist. */
  createdRoomCount(sessionKey: string): Promise<number>;
  setMembersCanInvite(room: string, value: boolean): Promise<void>;
  /**
   * A public room becomes private at a new address: its messages and bans move there, and `members` are
   * admitted, in one transaction. The move is kept, at `room.createdAt`: an append to `from` whose sender joined
   * before it is refused (RoomMovedError). The push rows move in the same transaction: the members' follow the room,
   * the others' go (none is left for the fresh public room of that name to push to, even if the node dies next).
   */
  makePrivate(from: string, room: NewRoom, members: readonly NewMember[]): Promise<MovedPushRows>;
  /**
   * A private room becomes the public room `to` (its title): messages and bans move there, its record,
   * members and invites go. "name_in_use" (nothing changed) when `to` already has messages. The move is kept, at
   * `at`, as makePrivate's.
   */
  makePublic(room: string, to: string, at: Date): Promise<"moved" | "name_in_use">;
  /**
   * Stores the invite, and deletes the room's ended invites (revoked, expired or used up at its createdAt) beyond
   * the ENDED_INVITES_KEPT newest: MAX_INVITES_PER_ROOM counts only usable links, so without this a room making
   * short-lived links every minute grew its rows, and list_invites' answer, without end. A deleted link's page
   * says it does not exist instead of why it ended.
   */
  createInvite(invite: NewInvite): Promise<InviteRecord>;
  /** Invites of the room that are not revoked, expired or used up at `now`. */
  activeInviteCount(room: string, now: Date): Promise<number>;
  /** The room's invites that were not revoked, newest first. */
  invites(room: string): Promise<InviteRecord[]>;
  /** The invite with this token hash and its room's title, or null. */
  inviteByHash(tokenHash: string): Promise<{ invite: InviteRecord; title: string } | null>;
  /** False when there was no such usable invite in the room at `at` (none, revoked, expired or used up): an ended one stays as it was. */
  revokeInvite(room: string, id: number, at: Date): Promise<boolean>;
  /** Checks the invite and admits the session in one transaction, spending a use only on a new admission. */
  redeemInvite(tokenHash: string, member: NewMember, now: Date): Promise<Redemption>;
}
