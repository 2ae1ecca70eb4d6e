// Private rooms, members, invite links and direct conversations on SQLite (tables of migration 9). The
// repository lends the connection, so these writes get the same IMMEDIATE transaction, busy retry and health
// bookkeeping as the sends; each method is one transaction.
import type Database from "better-sqlite3";
import { SQL_KICKED_SINCE_SQLITE, SQL_RECORD_KICK_SQLITE } from "./room-kicks.js";
import { inviteState } from "../access/invite-token.js";
import type { InviteRecord, Member, Move, MovedPushRows, NewInvite, NewMember, NewRoom, Redemption, RoomAccessStore, RoomRecord, SessionRoom } from "../access/store.js";
import { ENDED_INVITES_KEPT } from "../access/store.js";
import { movePushRooms } from "./sqlite-push.js";
import { prepared } from "./sqlite-statements.js";
import { movedWithBefore, SQL_HAS_MOVED_FROM_SQLITE, SQL_MOVED_AFTER_SQLITE, SQL_MOVED_WITH_SQLITE, SQL_RECORD_MOVE_SQLITE, toMove, type MoveRow, type MovedWithRow } from "./room-moves.js";

type Use = <T>(work: (db: Database.Database) => T) => Promise<T>;

/** A room_record row, the same columns in both stores (PostgreSQL gives booleans and bigints its own way). */
export interface RoomRow {
  room: string;
  title: string;
  kind: string;
  creator_key: string | null;
  members_can_invite: number | boolean;
  origin_room: string | null;
  created_at: string;
}

export interface MemberRow {
  session_key: string;
  name: string | null;
  admitted_at: string;
  closed_upto: number | string | null;
}

export interface InviteRow {
  id: number | string;
  room: string;
  token_hash: string;
  created_by: string;
  created_by_name: string;
  created_at: string;
  expires_at: string;
  max_uses: number | string | null;
  uses: number | string;
  revoked_at: string | null;
}

/** An invite that can admit nobody any more at the time given as its parameter: revoked, expired or used up. */
const ENDED_INVITE = "(revoked_at IS NOT NULL OR expires_at <= ? OR (max_uses IS NOT NULL AND uses >= max_uses))";
/** The same for PostgreSQL, the time being $2. */
export const ENDED_INVITE_PG = "(revoked_at IS NOT NULL OR expires_at <= $2 OR (max_uses IS NOT NULL AND uses >= max_uses))";
/**
 * Revokes an invite only while it can still admit someone: an expired or used-up one keeps why it ended (and its
 * state in list_invites and on its page). The PostgreSQL twin answers the id, `at` being $1.
 */
const SQL_REVOKE_USABLE_INVITE = "UPDATE room_invite SET revoked_at = ? WHERE room = ? AND id = ? AND revoked_at IS NULL AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)";
export const SQL_REVOKE_USABLE_INVITE_PG = "UPDATE room_invite SET revoked_at = $1 WHERE room = $2 AND id = $3 AND revoked_at IS NULL AND expires_at > $1 AND (max_uses IS NULL OR uses < max_uses) RETURNING id";

export const ROOM_COLUMNS = "r.room, r.title, r.kind, r.creator_key, r.members_can_invite, r.origin_room, r.created_at";
export const MEMBER_COLUMNS = "m.session_key, m.name, m.admitted_at, m.closed_upto";
export const INVITE_COLUMNS = "i.id, i.room, i.token_hash, i.created_by, i.created_by_name, i.created_at, i.expires_at, i.max_uses, i.uses, i.revoked_at";

const orNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

export const toRoomRecord = (r: RoomRow): RoomRecord => ({
  room: r.room,
  title: r.title,
  kind: r.kind === "direct" ? "direct" : "private",
  creatorKey: r.creator_key,
  membersCanInvite: r.members_can_invite === true || r.members_can_invite === 1,
  originRoom: r.origin_room,
  createdAt: new Date(r.created_at),
});

export const toMember = (r: MemberRow): Member => ({
  sessionKey: r.session_key,
  name: r.name,
  admittedAt: new Date(r.admitted_at),
  closedUpto: orNull(r.closed_upto),
});

export const toInvite = (r: InviteRow): InviteRecord => ({
  id: Number(r.id),
  room: r.room,
  tokenHash: r.token_hash,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  maxUses: orNull(r.max_uses),
  uses: Number(r.uses),
  revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
});

const NEWEST_ID = "(SELECT coalesce(max(id), 0) FROM chat_message WHERE chat_room = r.room)";
/**
 * The members of the direct conversations opened from a room (PostgreSQL's is the same with $1): a seek of
 * ix_room_record_origin (migration 18, PostgreSQL's 13), then each conversation's two members by the primary key.
 * Unordered: an ORDER BY made SQLite walk every member by the primary key, 50-90 ms for 100,000 conversations.
 */
export const SQL_DIRECT_MEMBERS_FROM_SQLITE = `SELECT m.room, ${MEMBER_COLUMNS} FROM room_record r JOIN room_member m ON m.room = r.room WHERE r.kind = 'direct' AND r.origin_room = ?`;
export const SQL_DIRECT_MEMBERS_FROM_PG = SQL_DIRECT_MEMBERS_FROM_SQLITE.replace("?", "$1");
// A direct conversation's other member, by the name it had when admitted.
const PEER_NAME = "(SELECT p.name FROM room_member p WHERE p.room = r.room AND p.session_key <> m.session_key LIMIT 1)";

export class SqliteRoomAccess implements RoomAccessStore {
  constructor(
    private readonly read: Use,
    private readonly write: Use,
  ) {}

  roomAccess(room: string, sessionKey: string): Promise<{ record: RoomRecord; member: Member | null } | null> {
    return this.read((db) => {
      const row = prepared(db, `SELECT ${ROOM_COLUMNS}, ${MEMBER_COLUMNS} FROM room_record r LEFT JOIN room_member m ON m.room = r.room AND m.session_key = ? WHERE r.room = ?`)
        .get(sessionKey, room) as (RoomRow & Partial<MemberRow>) | undefined;
      if (row === undefined) return null;
      return { record: toRoomRecord(row), member: row.session_key == null ? null : toMember(row as MemberRow) };
    });
  }

  movedWith(from: string, messageId: number): Promise<string | null> {
    return this.read((db) => movedWithBefore(prepared(db, SQL_MOVED_WITH_SQLITE).get(from, messageId) as MovedWithRow | undefined));
  }

  movedAfter(from: string, at: Date): Promise<Move | null> {
    return this.read((db) => toMove(prepared(db, SQL_MOVED_AFTER_SQLITE).get(from, at.toISOString()) as MoveRow | undefined));
  }

  hasMovedFrom(from: string): Promise<boolean> {
    return this.read((db) => prepared(db, SQL_HAS_MOVED_FROM_SQLITE).get(from) !== undefined);
  }

  async createRoom(room: NewRoom, members: readonly NewMember[]): Promise<void> {
    await this.write((db) => {
      insertRoom(db, room);
      for (const m of members) insertMember(db, room.room, m, room.createdAt);
    });
  }

  openDirectRoom(room: NewRoom & { pairKey: string }, members: readonly [NewMember, NewMember]): Promise<RoomRecord> {
    return this.write((db) => {
      const existing = prepared(db, `SELECT ${ROOM_COLUMNS} FROM room_record r WHERE r.pair_key = ?`).get(room.pairKey) as RoomRow | undefined;
      if (existing !== undefined) {
        // Either may have closed it, or been removed from it by a moderator: opening again admits both and shows
        // it to both (the opener's peer hears it at once). A ban still refuses the banned one's join.
        for (const m of members) insertMember(db, existing.room, m, room.createdAt);
        return toRoomRecord(existing);
      }
      insertRoom(db, room);
      for (const m of members) insertMember(db, room.room, m, room.createdAt);
      return toRoomRecord({ ...room, creator_key: room.creatorKey, members_can_invite: 0, origin_room: room.originRoom, created_at: room.createdAt.toISOString() });
    });
  }

  async admit(room: string, member: NewMember, at: Date): Promise<void> {
    await this.write((db) => insertMember(db, room, member, at));
  }

  removeMember(room: string, sessionKey: string): Promise<boolean> {
    return this.write((db) => prepared(db, "DELETE FROM room_member WHERE room = ? AND session_key = ?").run(room, sessionKey).changes > 0);
  }

  expelMember(room: string, sessionKey: string, at: Date): Promise<boolean> {
    return this.write((db) => {
      prepared(db, "UPDATE room_invite SET revoked_at = ? WHERE room = ? AND created_by = ? AND revoked_at IS NULL").run(at.toISOString(), room, sessionKey);
      prepared(db, "UPDATE room_record SET creator_key = NULL WHERE room = ? AND creator_key = ?").run(room, sessionKey);
      prepared(db, SQL_RECORD_KICK_SQLITE).run({ room, sessionKey });
      return prepared(db, "DELETE FROM room_member WHERE room = ? AND session_key = ?").run(room, sessionKey).changes > 0;
    });
  }

  async closeDirect(room: string, sessionKey: string): Promise<void> {
    await this.write((db) =>
      prepared(db, "UPDATE room_member SET closed_upto = (SELECT coalesce(max(id), 0) FROM chat_message WHERE chat_room = ?) WHERE room = ? AND session_key = ?").run(room, room, sessionKey),
    );
  }

  members(room: string): Promise<Member[]> {
    return this.read((db) => (prepared(db, `SELECT ${MEMBER_COLUMNS} FROM room_member m WHERE m.room = ? ORDER BY m.admitted_at, m.session_key`).all(room) as MemberRow[]).map(toMember));
  }

  roomsOf(sessionKey: string): Promise<SessionRoom[]> {
    return this.read((db) =>
      (
        prepared(db, `SELECT ${ROOM_COLUMNS}, ${MEMBER_COLUMNS}, ${NEWEST_ID} AS newest_id, ${PEER_NAME} AS peer_name FROM room_member m JOIN room_record r ON r.room = m.room WHERE m.session_key = ? ORDER BY r.created_at, r.room`)
          .all(sessionKey) as (RoomRow & MemberRow & { newest_id: number; peer_name: string | null })[]
      ).map((row) => ({ record: toRoomRecord(row), member: toMember(row), newestId: Number(row.newest_id), peerName: row.peer_name })),
    );
  }

  directMembersFrom(originRoom: string): Promise<{ room: string; member: Member }[]> {
    return this.read((db) =>
      (prepared(db, SQL_DIRECT_MEMBERS_FROM_SQLITE).all(originRoom) as (MemberRow & { room: string })[]).map((row) => ({ room: row.room, member: toMember(row) })),
    );
  }

  createdRoomCount(sessionKey: string): Promise<number> {
    return this.read((db) => (prepared(db, "SELECT count(*) AS n FROM room_record WHERE creator_key = ?").get(sessionKey) as { n: number }).n);
  }

  async setMembersCanInvite(room: string, value: boolean): Promise<void> {
    await this.write((db) => prepared(db, "UPDATE room_record SET members_can_invite = ? WHERE room = ?").run(value ? 1 : 0, room));
  }

  makePrivate(from: string, room: NewRoom, members: readonly NewMember[]): Promise<MovedPushRows> {
    return this.write((db) => {
      insertRoom(db, room);
      for (const m of members) insertMember(db, room.room, m, room.createdAt);
      moveRoom(db, from, room.room, room.createdAt);
      return movePushRooms(db, from, room.room, room.room); // after the members: theirs are the rows that follow
    });
  }

  makePublic(room: string, to: string, at: Date): Promise<"moved" | "name_in_use"> {
    return this.write((db) => {
      if (prepared(db, "SELECT 1 FROM chat_message WHERE chat_room = ? LIMIT 1").get(to) !== undefined) return "name_in_use";
      moveRoom(db, room, to, at);
      // Before the members go: theirs are the push rows that follow the room (all of them were admitted).
      movePushRooms(db, room, to, room);
      prepared(db, "DELETE FROM room_record WHERE room = ?").run(room); // members and invites go with it (ON DELETE CASCADE)
      return "moved";
    });
  }

  createInvite(invite: NewInvite): Promise<InviteRecord> {
    return this.write((db) => {
      const info = prepared(db, "INSERT INTO room_invite (room, token_hash, created_by, created_by_name, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(invite.room, invite.tokenHash, invite.createdBy, invite.createdByName, invite.createdAt.toISOString(), invite.expiresAt.toISOString(), invite.maxUses);
      prepared(db, `DELETE FROM room_invite WHERE id IN (SELECT id FROM room_invite WHERE room = ? AND ${ENDED_INVITE} ORDER BY id DESC LIMIT -1 OFFSET ?)`).run(
        invite.room,
        invite.createdAt.toISOString(),
        ENDED_INVITES_KEPT,
      );
      return { ...invite, id: Number(info.lastInsertRowid), uses: 0, revokedAt: null };
    });
  }

  activeInviteCount(room: string, now: Date): Promise<number> {
    return this.read(
      (db) =>
        (
          prepared(db, "SELECT count(*) AS n FROM room_invite WHERE room = ? AND revoked_at IS NULL AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)")
            .get(room, now.toISOString()) as { n: number }
        ).n,
    );
  }

  invites(room: string): Promise<InviteRecord[]> {
    return this.read((db) => (prepared(db, `SELECT ${INVITE_COLUMNS} FROM room_invite i WHERE i.room = ? AND i.revoked_at IS NULL ORDER BY i.id DESC`).all(room) as InviteRow[]).map(toInvite));
  }

  inviteByHash(tokenHash: string): Promise<{ invite: InviteRecord; title: string } | null> {
    return this.read((db) => {
      const row = prepared(db, `SELECT ${INVITE_COLUMNS}, r.title FROM room_invite i JOIN room_record r ON r.room = i.room WHERE i.token_hash = ?`).get(tokenHash) as
        | (InviteRow & { title: string })
        | undefined;
      return row === undefined ? null : { invite: toInvite(row), title: row.title };
    });
  }

  revokeInvite(room: string, id: number, at: Date): Promise<boolean> {
    return this.write((db) => prepared(db, SQL_REVOKE_USABLE_INVITE).run(at.toISOString(), room, id, at.toISOString()).changes > 0);
  }

  redeemInvite(tokenHash: string, member: NewMember, now: Date): Promise<Redemption> {
    return this.write((db): Redemption => {
      const row = prepared(db, `SELECT ${INVITE_COLUMNS} FROM room_invite i WHERE i.token_hash = ?`).get(tokenHash) as InviteRow | undefined;
      if (row === undefined) return { outcome: "invalid" };
      const invite = toInvite(row);
      const record = toRoomRecord(prepared(db, `SELECT ${ROOM_COLUMNS} FROM room_record r WHERE r.room = ?`).get(invite.room) as RoomRow);
      const state = inviteState(invite, now);
      if (state === "revoked" || state === "expired") return { outcome: state };
      if (prepared(db, "SELECT 1 FROM room_member WHERE room = ? AND session_key = ?").get(invite.room, member.sessionKey) !== undefined) return { outcome: "already_member", record };
      // A link made before this browser was taken out of the room is revoked for it (room-kicks.ts).
      if (prepared(db, SQL_KICKED_SINCE_SQLITE).get(invite.room, member.sessionKey, invite.id) !== undefined) return { outcome: "revoked" };
      if (state === "used_up") return { outcome: state };
      insertMember(db, invite.room, member, now);
      prepared(db, "UPDATE room_invite SET uses = uses + 1 WHERE id = ?").run(invite.id);
      return { outcome: "admitted", record };
    });
  }
}

function insertRoom(db: Database.Database, room: NewRoom): void {
  prepared(db, "INSERT INTO room_record (room, title, kind, creator_key, members_can_invite, origin_room, pair_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
    room.room,
    room.title,
    room.kind,
    room.creatorKey,
    room.membersCanInvite ? 1 : 0,
    room.originRoom,
    room.pairKey,
    room.createdAt.toISOString(),
  );
}

/** Admits, or opens again (closed_upto cleared), keeping the first admission's time and name (a first name when it had none: its creator's first join). */
function insertMember(db: Database.Database, room: string, m: NewMember, at: Date): void {
  prepared(db, 
    "INSERT INTO room_member (room, session_key, name, admitted_at) VALUES (?, ?, ?, ?) ON CONFLICT (room, session_key) DO UPDATE SET closed_upto = NULL, name = coalesce(room_member.name, excluded.name)",
  ).run(room, m.sessionKey, m.name, at.toISOString());
}

/**
 * A room's messages, their files, its bans and the direct conversations opened from it under another address (a
 * room made private or public). The files must follow: who may fetch one is decided by its room, so a file left
 * under a public name stayed public after its room went private, and one left under a private address answered
 * 404 to everyone once the room went public. The conversations' origin must follow so the room's bans still
 * close them. The move is written down (room-moves.ts): a send checked in the room before it is refused, not stored
 * under `from`.
 */
function moveRoom(db: Database.Database, from: string, to: string, at: Date): void {
  prepared(db, SQL_RECORD_MOVE_SQLITE).run(from, to, at.toISOString());
  prepared(db, "UPDATE chat_message SET chat_room = ? WHERE chat_room = ?").run(to, from);
  prepared(db, "UPDATE chat_file SET room = ? WHERE room = ? AND message_id IS NOT NULL").run(to, from);
  prepared(db, "UPDATE room_ban SET room = ? WHERE room = ?").run(to, from);
  prepared(db, "UPDATE room_record SET origin_room = ? WHERE origin_room = ?").run(to, from);
}
