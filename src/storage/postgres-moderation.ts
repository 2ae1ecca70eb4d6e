// Moderators, bans and the audit on PostgreSQL (migration 3): the same tables and answers as sqlite-moderation.ts.
import type pg from "pg";
import type { AuditEntry, BanEntry, ModerationStore, RoomBan } from "./repository.js";
import { BAN_NAME, toAuditEntry, toBan, toBanEntry, type BanEntryRow, type BanRow } from "./sqlite-moderation.js";
import { roomBanLockKey, roomLockKey } from "./postgres-pool.js";

// The CTEs take the room's insert lock, then its ban lock (each reads the one before, so in that order), before the
// row is inserted; both are released once the statement's transaction ends.
const SQL_ADD_BAN = `WITH inserts AS (SELECT pg_advisory_xact_lock($7::bigint)), bans AS (SELECT pg_advisory_xact_lock($8::bigint) FROM inserts)
  INSERT INTO room_ban (room, name_key, name, session_key, until, moderator, created_at) SELECT $1, $2, $9, $3, $4, $5, $6 FROM bans`;

// COLLATE "C": ISO text compares by time only byte by byte, as sender checks compare it (postgres-sender-checks.ts).
const SQL_END_BANS = `UPDATE room_ban SET until = $3 WHERE room = $1 AND name_key = $2 AND until COLLATE "C" > $3`;
// As SQLite's: each listed key's name is that of its newest ban in force, looked up only for the keys listed.
const SQL_ACTIVE_BANS = `SELECT g.name_key, g.until, g.created_at,
    (SELECT ${BAN_NAME} FROM room_ban b WHERE b.room = $1 AND b.name_key = g.name_key AND b.until COLLATE "C" > $2
     ORDER BY b.created_at COLLATE "C" DESC, b.id DESC LIMIT 1) AS name
  FROM (SELECT name_key, max(until COLLATE "C") AS until, max(created_at COLLATE "C") AS created_at FROM room_ban
    WHERE room = $1 AND until COLLATE "C" > $2 GROUP BY name_key ORDER BY 3 DESC, name_key COLLATE "C" LIMIT $3) g
  ORDER BY g.created_at COLLATE "C" DESC, g.name_key COLLATE "C"`;

type Query = <T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write") => Promise<T[]>;


export class PostgresModeration implements ModerationStore {
  constructor(private readonly query: Query) {}

  async isModerator(sessionKey: string): Promise<boolean> {
    return (await this.query("SELECT 1 FROM moderator_session WHERE session_key = $1", [sessionKey], "read")).length > 0;
  }

  async setModerator(sessionKey: string, isModerator: boolean, at: Date): Promise<void> {
    if (isModerator) await this.query("INSERT INTO moderator_session (session_key, since) VALUES ($1, $2) ON CONFLICT (session_key) DO NOTHING", [sessionKey, at.toISOString()], "write");
    else await this.query("DELETE FROM moderator_session WHERE session_key = $1", [sessionKey], "write");
  }

  /**
   * Under the room's insert lock and then its ban lock, held to the COMMIT of this one statement: a send into the
   * room, or into a direct conversation opened from it, past its checks, is either committed before the ban or sees
   * it and is refused (postgres-sender-checks.ts). The insert lock first, as batches take theirs: nobody waits in a
   * circle.
   */
  async addBan(ban: RoomBan): Promise<void> {
    const locks = [String(roomLockKey(ban.room)), String(roomBanLockKey(ban.room))];
    await this.query(SQL_ADD_BAN, [ban.room, ban.nameKey, ban.sessionKey, ban.until.toISOString(), ban.by, ban.at.toISOString(), ...locks, ban.name], "write");
  }

  async activeBan(room: string, nameKey: string, sessionKey: string | null, now: Date): Promise<RoomBan | null> {
    const rows = await this.query<BanRow>(
      `SELECT room, name_key, ${BAN_NAME}, session_key, until, moderator, created_at FROM room_ban
       WHERE room = $1 AND until > $2 AND (name_key = $3 OR session_key = $4) ORDER BY until DESC LIMIT 1`,
      [room, now.toISOString(), nameKey, sessionKey],
      "read",
    );
    return rows[0] === undefined ? null : toBan(rows[0]);
  }

  /** No lock: ending a ban only lets sends through that a check would have refused a moment before. */
  async endBans(room: string, nameKey: string, now: Date): Promise<number> {
    const rows = await this.query<{ room: string }>(`${SQL_END_BANS} RETURNING room`, [room, nameKey, now.toISOString()], "write");
    return rows.length;
  }

  async activeBans(room: string, now: Date, limit: number): Promise<BanEntry[]> {
    return (await this.query<BanEntryRow>(SQL_ACTIVE_BANS, [room, now.toISOString(), limit], "read")).map(toBanEntry);
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.query(
      "INSERT INTO moderation_audit (at, moderator, action, room, target, message_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [e.at.toISOString(), e.moderator, e.action, e.room, e.target, e.messageId, e.detail],
      "write",
    );
  }

  async auditLog(limit: number): Promise<AuditEntry[]> {
    const rows = await this.query<Parameters<typeof toAuditEntry>[0]>(
      "SELECT at, moderator, action, room, target, message_id, detail FROM moderation_audit ORDER BY id DESC LIMIT $1",
      [limit],
      "read",
    );
    return rows.map(toAuditEntry);
  }
}
