// Moderators, bans and the audit on SQLite (tables of migration 6). The repository lends the connection,
// so these writes get the same IMMEDIATE transaction, busy retry and health bookkeeping as the appends.
import type Database from "better-sqlite3";
import type { AuditEntry, BanEntry, ModerationStore, RoomBan } from "./repository.js";
import { prepared } from "./sqlite-statements.js";
import { sameStamp, type PageStamp } from "./latest-pages.js";

type Use = <T>(work: (db: Database.Database) => T) => Promise<T>;

export interface BanRow {
  room: string;
  name_key: string;
  /** coalesce(name, name_key): a ban stored before version 19 (PostgreSQL's 14) has no name of its own. */
  name: string;
  session_key: string | null;
  until: string;
  moderator: string;
  created_at: string;
}

interface AuditRow {
  at: string;
  moderator: string;
  action: AuditEntry["action"];
  room: string | null;
  target: string | null;
  message_id: number | null;
  detail: string | null;
}

export const toBan = (r: BanRow): RoomBan => ({
  room: r.room,
  nameKey: r.name_key,
  name: r.name,
  sessionKey: r.session_key,
  until: new Date(r.until),
  by: r.moderator,
  at: new Date(r.created_at),
});

export const toAuditEntry = (r: AuditRow): AuditEntry => ({
  at: new Date(r.at),
  moderator: r.moderator,
  action: r.action,
  room: r.room,
  target: r.target,
  messageId: r.message_id === null ? null : Number(r.message_id),
  detail: r.detail,
});

// A ban stored before its name was kept (migration 19, PostgreSQL's 14, could not find it in the audit) shows its key.
export const BAN_NAME = "coalesce(name, name_key) AS name";
const ACTIVE_BAN_SQL = `SELECT room, name_key, ${BAN_NAME}, session_key, until, moderator, created_at FROM room_ban
  WHERE room = ? AND until > ? AND (name_key = ? OR session_key = ?) ORDER BY until DESC LIMIT 1`;
// Ends are ISO text in both stores (postgres-moderation.ts asks the same), so comparisons and max() go by time.
const SQL_END_BANS = "UPDATE room_ban SET until = $now WHERE room = $room AND name_key = $nameKey AND until > $now";
// Each listed key's name is that of its newest ban in force (the latest spelling wins), looked up only for the
// `limit` keys listed: one seek of ix_room_ban_room_name each.
const SQL_ACTIVE_BANS = `SELECT g.name_key, g.until, g.created_at,
    (SELECT ${BAN_NAME} FROM room_ban b WHERE b.room = $room AND b.name_key = g.name_key AND b.until > $now
     ORDER BY b.created_at DESC, b.id DESC LIMIT 1) AS name
  FROM (SELECT name_key, max(until) AS until, max(created_at) AS created_at FROM room_ban
    WHERE room = $room AND until > $now GROUP BY name_key ORDER BY max(created_at) DESC, name_key LIMIT $limit) g
  ORDER BY g.created_at DESC, g.name_key`;

export interface BanEntryRow {
  name_key: string;
  name: string;
  until: string;
  created_at: string;
}

export const toBanEntry = (r: BanEntryRow): BanEntry => ({ nameKey: r.name_key, name: r.name, until: new Date(r.until), at: new Date(r.created_at) });

const IS_MODERATOR_SQL = "SELECT 1 FROM moderator_session WHERE session_key = ?";
const BANNED_ROOMS_SQL = "SELECT DISTINCT room FROM room_ban";


export class SqliteModeration implements ModerationStore {
  /**
   * Every room with a ban row, expired ones too, as of `stamp`. Every join asks for its room's active ban, and the
   * query (an OR over two indexes and a sort) cost 65 µs of a join's 140 in the app's join profile, for rooms that
   * almost never have one. A room not in the set has no ban; one in it is asked as before. The set is read again
   * when the stamp moves: any write through this connection that may change rows (a ban is one) or another
   * process's commit (`PRAGMA data_version`), or a new connection.
   */
  private bannedRooms: { rooms: ReadonlySet<string>; stamp: PageStamp } | null = null;

  constructor(
    private readonly read: Use,
    private readonly write: Use,
    private readonly stamp: () => PageStamp,
  ) {}

  isModerator(sessionKey: string): Promise<boolean> {
    return this.read((db) => prepared(db, IS_MODERATOR_SQL).get(sessionKey) !== undefined);
  }

  async setModerator(sessionKey: string, isModerator: boolean, at: Date): Promise<void> {
    await this.write((db) =>
      isModerator
        ? db.prepare("INSERT INTO moderator_session (session_key, since) VALUES (?, ?) ON CONFLICT (session_key) DO NOTHING").run(sessionKey, at.toISOString())
        : db.prepare("DELETE FROM moderator_session WHERE session_key = ?").run(sessionKey),
    );
  }

  async addBan(ban: RoomBan): Promise<void> {
    await this.write((db) =>
      db
        .prepare("INSERT INTO room_ban (room, name_key, name, session_key, until, moderator, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(ban.room, ban.nameKey, ban.name, ban.sessionKey, ban.until.toISOString(), ban.by, ban.at.toISOString()),
    );
  }

  activeBan(room: string, nameKey: string, sessionKey: string | null, now: Date): Promise<RoomBan | null> {
    return this.read((db) => {
      if (!this.roomsWithBans(db).has(room)) return null;
      const row = prepared(db, ACTIVE_BAN_SQL).get(room, now.toISOString(), nameKey, sessionKey) as BanRow | undefined;
      return row === undefined ? null : toBan(row);
    });
  }

  endBans(room: string, nameKey: string, now: Date): Promise<number> {
    return this.write((db) => prepared(db, SQL_END_BANS).run({ room, nameKey, now: now.toISOString() }).changes);
  }

  activeBans(room: string, now: Date, limit: number): Promise<BanEntry[]> {
    return this.read((db) => (prepared(db, SQL_ACTIVE_BANS).all({ room, now: now.toISOString(), limit }) as BanEntryRow[]).map(toBanEntry));
  }

  private roomsWithBans(db: Database.Database): ReadonlySet<string> {
    const stamp = this.stamp();
    const kept = this.bannedRooms;
    if (kept !== null && sameStamp(kept.stamp, stamp)) return kept.rooms;
    const rooms = new Set(prepared(db, BANNED_ROOMS_SQL).pluck().all() as string[]);
    this.bannedRooms = { rooms, stamp };
    return rooms;
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.write((db) =>
      db
        .prepare("INSERT INTO moderation_audit (at, moderator, action, room, target, message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(e.at.toISOString(), e.moderator, e.action, e.room, e.target, e.messageId, e.detail),
    );
  }

  auditLog(limit: number): Promise<AuditEntry[]> {
    return this.read((db) =>
      (db.prepare("SELECT at, moderator, action, room, target, message_id, detail FROM moderation_audit ORDER BY id DESC LIMIT ?").all(limit) as AuditRow[]).map(toAuditEntry),
    );
  }
}
