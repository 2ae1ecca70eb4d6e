// Private rooms, members, invite links and direct conversations on PostgreSQL (migration 6): the same tables and
// answers as sqlite-access.ts. Several nodes may act at once, so what must happen once (one conversation per
// pair, an invite's last use) is decided by the database: a unique key, a row lock.
import type pg from "pg";
import { SQL_KICKED_SINCE_PG, SQL_RECORD_KICK_PG } from "./room-kicks.js";
import { inviteState } from "../access/invite-token.js";
import type { InviteRecord, Member, Move, MovedPushRows, NewInvite, NewMember, NewRoom, Redemption, RoomAccessStore, RoomRecord, SessionRoom } from "../access/store.js";
import { ENDED_INVITES_KEPT } from "../access/store.js";
import { roomLockKey } from "./postgres-pool.js";
import { movePushRooms } from "./postgres-push.js";
import { movedWithBefore, SQL_HAS_MOVED_FROM_PG, SQL_MOVED_AFTER_PG, SQL_MOVED_WITH_PG, SQL_RECORD_MOVE_PG, toMove, type MoveRow, type MovedWithRow } from "./room-moves.js";
import { ENDED_INVITE_PG, INVITE_COLUMNS, MEMBER_COLUMNS, ROOM_COLUMNS, SQL_DIRECT_MEMBERS_FROM_PG, SQL_REVOKE_USABLE_INVITE_PG, toInvite, toMember, toRoomRecord, type InviteRow, type MemberRow, type RoomRow } from "./sqlite-access.js";

type Query = <T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write") => Promise<T[]>;
/** Runs `work` in one transaction on one connection; a failure rolls back and becomes StorageUnavailableError. */
type Transaction = <T>(work: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

const rows = async <T extends pg.QueryResultRow>(client: pg.ClientBase, sql: string, params: unknown[]): Promise<T[]> => (await client.query<T>(sql, params)).rows;

const INSERT_ROOM =
  "INSERT INTO room_record (room, title, kind, creator_key, members_can_invite, origin_room, pair_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
// Admits, or opens again (closed_upto cleared), keeping the first admission's time and name (a first name when it had none: its creator's first join).
const INSERT_MEMBER =
  "INSERT INTO room_member (room, session_key, name, admitted_at) VALUES ($1, $2, $3, $4) ON CONFLICT (room, session_key) DO UPDATE SET closed_upto = NULL, name = coalesce(room_member.name, excluded.name)";
const NEWEST_ID = "(SELECT coalesce(max(id), 0) FROM chat_message WHERE chat_room = r.room)";
// A direct conversation's other member, by the name it had when admitted.
const PEER_NAME = "(SELECT p.name FROM room_member p WHERE p.room = r.room AND p.session_key <> m.session_key LIMIT 1)";

const roomValues = (room: NewRoom): unknown[] => [room.room, room.title, room.kind, room.creatorKey, room.membersCanInvite, room.originRoom, room.pairKey, room.createdAt.toISOString()];

async function insertMembers(client: pg.ClientBase, room: string, members: readonly NewMember[], at: Date): Promise<void> {
  for (const m of members) await client.query(INSERT_MEMBER, [room, m.sessionKey, m.name, at.toISOString()]);
}

/**
 * Both rooms' insert locks (the ones appends take, in the same key order, so neither waits for the other in a
 * circle): a send committing meanwhile lands wholly before or after a move.
 */
async function lockRooms(client: pg.ClientBase, a: string, b: string): Promise<void> {
  const keys = [roomLockKey(a), roomLockKey(b)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  await client.query("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", [keys.map(String)]);
}

/**
 * A room's messages, their files, its bans and the direct conversations opened from it under another address (a
 * room made private or public), under lockRooms, and the move written down. Why the files and the origins follow,
 * and why the move is kept: sqlite-access.ts's moveRoom.
 */
async function moveRoom(client: pg.ClientBase, from: string, to: string, at: Date): Promise<void> {
  await client.query(SQL_RECORD_MOVE_PG, [from, to, at.toISOString()]);
  await client.query("UPDATE chat_message SET chat_room = $1 WHERE chat_room = $2", [to, from]);
  await client.query("UPDATE chat_file SET room = $1 WHERE room = $2 AND message_id IS NOT NULL", [to, from]);
  await client.query("UPDATE room_ban SET room = $1 WHERE room = $2", [to, from]);
  await client.query("UPDATE room_record SET origin_room = $1 WHERE origin_room = $2", [to, from]);
}

export class PostgresRoomAccess implements RoomAccessStore {
  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
  ) {}

  async roomAccess(room: string, sessionKey: string): Promise<{ record: RoomRecord; member: Member | null } | null> {
    const [row] = await this.query<RoomRow & Partial<MemberRow>>(
      `SELECT ${ROOM_COLUMNS}, ${MEMBER_COLUMNS} FROM room_record r LEFT JOIN room_member m ON m.room = r.room AND m.session_key = $1 WHERE r.room = $2`,
      [sessionKey, room],
      "read",
    );
    if (row === undefined) return null;
    return { record: toRoomRecord(row), member: row.session_key == null ? null : toMember(row as MemberRow) };
  }

  async movedWith(from: string, messageId: number): Promise<string | null> {
    const [row] = await this.query<MovedWithRow>(SQL_MOVED_WITH_PG, [from, messageId], "read");
    return movedWithBefore(row);
  }

  async movedAfter(from: string, at: Date): Promise<Move | null> {
    const [row] = await this.query<MoveRow>(SQL_MOVED_AFTER_PG, [from, at.toISOString()], "read");
    return toMove(row);
  }

  async hasMovedFrom(from: string): Promise<boolean> {
    return (await this.query(SQL_HAS_MOVED_FROM_PG, [from], "read")).length > 0;
  }

  createRoom(room: NewRoom, members: readonly NewMember[]): Promise<void> {
    return this.transaction(async (client) => {
      await client.query(INSERT_ROOM, roomValues(room));
      await insertMembers(client, room.room, members, room.createdAt);
    });
  }

  openDirectRoom(room: NewRoom & { pairKey: string }, members: readonly [NewMember, NewMember]): Promise<RoomRecord> {
    return this.transaction(async (client) => {
      // Two nodes opening the same pair at once: the unique pair_key lets one insert; the other waits for it, then reads it.
      await rows(client, `${INSERT_ROOM} ON CONFLICT (pair_key) DO NOTHING RETURNING room`, roomValues(room));
      const [existing] = await rows<RoomRow>(client, `SELECT ${ROOM_COLUMNS} FROM room_record r WHERE r.pair_key = $1`, [room.pairKey]);
      if (existing === undefined) throw new Error("the direct conversation vanished while it was opened");
      // New, closed by either, or one removed by a moderator: both are members again, and it shows to both.
      // A ban still refuses the banned one's join.
      await insertMembers(client, existing.room, members, room.createdAt);
      return toRoomRecord(existing);
    });
  }

  async admit(room: string, member: NewMember, at: Date): Promise<void> {
    await this.query(INSERT_MEMBER, [room, member.sessionKey, member.name, at.toISOString()], "write");
  }

  async removeMember(room: string, sessionKey: string): Promise<boolean> {
    return (await this.query("DELETE FROM room_member WHERE room = $1 AND session_key = $2 RETURNING room", [room, sessionKey], "write")).length > 0;
  }

  expelMember(room: string, sessionKey: string, at: Date): Promise<boolean> {
    return this.transaction(async (client) => {
      // The room's insert lock first: a send of the member's past its checks commits wholly before this, or its
      // batch reads the membership gone and refuses it (postgres-sender-checks.ts).
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(roomLockKey(room))]);
      // The links first: a redemption of one of them under way holds its row lock (redeemInvite), so it lands wholly
      // before this (the link was live then) or reads the link as revoked once this commits.
      await client.query("UPDATE room_invite SET revoked_at = $1 WHERE room = $2 AND created_by = $3 AND revoked_at IS NULL", [at.toISOString(), room, sessionKey]);
      await client.query("UPDATE room_record SET creator_key = NULL WHERE room = $1 AND creator_key = $2", [room, sessionKey]);
      await client.query(SQL_RECORD_KICK_PG, [room, sessionKey]);
      return (await rows(client, "DELETE FROM room_member WHERE room = $1 AND session_key = $2 RETURNING room", [room, sessionKey])).length > 0;
    });
  }

  async closeDirect(room: string, sessionKey: string): Promise<void> {
    await this.query(
      "UPDATE room_member SET closed_upto = (SELECT coalesce(max(id), 0) FROM chat_message WHERE chat_room = $1) WHERE room = $1 AND session_key = $2",
      [room, sessionKey],
      "write",
    );
  }

  async members(room: string): Promise<Member[]> {
    return (await this.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM room_member m WHERE m.room = $1 ORDER BY m.admitted_at, m.session_key`, [room], "read")).map(toMember);
  }

  async roomsOf(sessionKey: string): Promise<SessionRoom[]> {
    const found = await this.query<RoomRow & MemberRow & { newest_id: string; peer_name: string | null }>(
      `SELECT ${ROOM_COLUMNS}, ${MEMBER_COLUMNS}, ${NEWEST_ID} AS newest_id, ${PEER_NAME} AS peer_name FROM room_member m JOIN room_record r ON r.room = m.room WHERE m.session_key = $1 ORDER BY r.created_at, r.room`,
      [sessionKey],
      "read",
    );
    return found.map((row) => ({ record: toRoomRecord(row), member: toMember(row), newestId: Number(row.newest_id), peerName: row.peer_name }));
  }

  async directMembersFrom(originRoom: string): Promise<{ room: string; member: Member }[]> {
    const found = await this.query<MemberRow & { room: string }>(SQL_DIRECT_MEMBERS_FROM_PG, [originRoom], "read");
    return found.map((row) => ({ room: row.room, member: toMember(row) }));
  }

  async createdRoomCount(sessionKey: string): Promise<number> {
    const [row] = await this.query<{ n: string }>("SELECT count(*) AS n FROM room_record WHERE creator_key = $1", [sessionKey], "read");
    return Number(row?.n ?? 0);
  }

  async setMembersCanInvite(room: string, value: boolean): Promise<void> {
    await this.query("UPDATE room_record SET members_can_invite = $1 WHERE room = $2", [value, room], "write");
  }

  makePrivate(from: string, room: NewRoom, members: readonly NewMember[]): Promise<MovedPushRows> {
    return this.transaction(async (client) => {
      await lockRooms(client, from, room.room);
      await client.query(INSERT_ROOM, roomValues(room));
      await insertMembers(client, room.room, members, room.createdAt);
      await moveRoom(client, from, room.room, room.createdAt);
      return movePushRooms(client, from, room.room, room.room); // after the members: theirs are the rows that follow
    });
  }

  makePublic(room: string, to: string, at: Date): Promise<"moved" | "name_in_use"> {
    return this.transaction(async (client) => {
      await lockRooms(client, room, to); // first: no send into `to` can commit between the check and the move
      if ((await rows(client, "SELECT 1 FROM chat_message WHERE chat_room = $1 LIMIT 1", [to])).length > 0) return "name_in_use";
      await moveRoom(client, room, to, at);
      // Before the members go: theirs are the push rows that follow the room (all of them were admitted).
      await movePushRooms(client, room, to, room);
      await client.query("DELETE FROM room_record WHERE room = $1", [room]); // members and invites go with it (ON DELETE CASCADE)
      return "moved";
    });
  }

  async createInvite(invite: NewInvite): Promise<InviteRecord> {
    const [row] = await this.query<{ id: string }>(
      "INSERT INTO room_invite (room, token_hash, created_by, created_by_name, created_at, expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text",
      [invite.room, invite.tokenHash, invite.createdBy, invite.createdByName, invite.createdAt.toISOString(), invite.expiresAt.toISOString(), invite.maxUses],
      "write",
    );
    await this.query(
      `DELETE FROM room_invite WHERE id IN (SELECT id FROM room_invite WHERE room = $1 AND ${ENDED_INVITE_PG} ORDER BY id DESC OFFSET $3)`,
      [invite.room, invite.createdAt.toISOString(), ENDED_INVITES_KEPT],
      "write",
    );
    return { ...invite, id: Number(row?.id), uses: 0, revokedAt: null };
  }

  async activeInviteCount(room: string, now: Date): Promise<number> {
    const [row] = await this.query<{ n: string }>(
      "SELECT count(*) AS n FROM room_invite WHERE room = $1 AND revoked_at IS NULL AND expires_at > $2 AND (max_uses IS NULL OR uses < max_uses)",
      [room, now.toISOString()],
      "read",
    );
    return Number(row?.n ?? 0);
  }

  async invites(room: string): Promise<InviteRecord[]> {
    return (await this.query<InviteRow>(`SELECT ${INVITE_COLUMNS} FROM room_invite i WHERE i.room = $1 AND i.revoked_at IS NULL ORDER BY i.id DESC`, [room], "read")).map(toInvite);
  }

  async inviteByHash(tokenHash: string): Promise<{ invite: InviteRecord; title: string } | null> {
    const [row] = await this.query<InviteRow & { title: string }>(
      `SELECT ${INVITE_COLUMNS}, r.title FROM room_invite i JOIN room_record r ON r.room = i.room WHERE i.token_hash = $1`,
      [tokenHash],
      "read",
    );
    return row === undefined ? null : { invite: toInvite(row), title: row.title };
  }

  async revokeInvite(room: string, id: number, at: Date): Promise<boolean> {
    return (await this.query(SQL_REVOKE_USABLE_INVITE_PG, [at.toISOString(), room, id], "write")).length > 0;
  }

  redeemInvite(tokenHash: string, member: NewMember, now: Date): Promise<Redemption> {
    return this.transaction(async (client): Promise<Redemption> => {
      // The row lock makes the last use of a limited invite go to one session, however many nodes race for it.
      const [row] = await rows<InviteRow>(client, `SELECT ${INVITE_COLUMNS} FROM room_invite i WHERE i.token_hash = $1 FOR UPDATE`, [tokenHash]);
      if (row === undefined) return { outcome: "invalid" };
      const invite = toInvite(row);
      const [roomRow] = await rows<RoomRow>(client, `SELECT ${ROOM_COLUMNS} FROM room_record r WHERE r.room = $1`, [invite.room]);
      if (roomRow === undefined) return { outcome: "invalid" };
      const record = toRoomRecord(roomRow);
      const state = inviteState(invite, now);
      if (state === "revoked" || state === "expired") return { outcome: state };
      const isMember = (await rows(client, "SELECT 1 FROM room_member WHERE room = $1 AND session_key = $2", [invite.room, member.sessionKey])).length > 0;
      if (isMember) return { outcome: "already_member", record };
      // A link made before this browser was taken out of the room is revoked for it (room-kicks.ts).
      if ((await rows(client, SQL_KICKED_SINCE_PG, [invite.room, member.sessionKey, invite.id])).length > 0) return { outcome: "revoked" };
      if (state === "used_up") return { outcome: state };
      await insertMembers(client, invite.room, [member], now);
      await client.query("UPDATE room_invite SET uses = uses + 1 WHERE id = $1", [invite.id]);
      return { outcome: "admitted", record };
    });
  }
}
