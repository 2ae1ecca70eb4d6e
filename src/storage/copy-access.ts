// Private rooms, their members and invite links (issue 17) copied from SQLite into PostgreSQL by migrate-db,
// after the messages and the moderation tables, so moving to several nodes keeps who is admitted where and
// which links still work (only their hashes travel, as they are stored). Idempotent: a row already there is
// skipped; invites keep their ids unless PostgreSQL used an id for another invite (copy-moderation.ts's rule).
// An invite's `uses` and `revoked_at` change after it is written, so they are not part of its identity (counting
// them made a re-run insert the link again, which its unique token_hash refused: the whole run failed). Both only
// ever move one way: uses up, a revocation once. So the larger count wins (never more admissions than either side
// allowed) and a revocation on either side holds (the earlier, if both revoked).
import type Database from "better-sqlite3";
import type pg from "pg";
import { asText, copyIdTable, earlierTime, hasTable, type IdTable } from "./copy-moderation.js";

export interface AccessCounts {
  rooms: number;
  members: number;
  invites: number;
}

type Row = Record<string, unknown>;

const INVITES: IdTable = {
  name: "room_invite",
  columns: [
    ["room", "text"],
    ["token_hash", "text"],
    ["created_by", "text"],
    ["created_by_name", "text"],
    ["created_at", "text"],
    ["expires_at", "text"],
    ["max_uses", "integer"],
    ["uses", "integer"],
    ["revoked_at", "text"],
  ],
  merged: { uses: "greatest(t.uses, s.uses)", revoked_at: earlierTime("revoked_at") },
};

/** Copies room_record, room_member, room_invite and room_kick in one transaction; a file from before migration 9 copies nothing. */
export async function copyAccess(source: Database.Database, target: pg.Client): Promise<AccessCounts> {
  if (!hasTable(source, "room_record")) return { rooms: 0, members: 0, invites: 0 };
  await target.query("BEGIN");
  try {
    const counts = { rooms: await copyRooms(source, target), members: await copyMembers(source, target), invites: await copyIdTable(source, target, INVITES) };
    await copyKicks(source, target);
    await target.query("COMMIT");
    return counts;
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function copyRooms(source: Database.Database, target: pg.Client): Promise<number> {
  const rows = source.prepare("SELECT room, title, kind, creator_key, members_can_invite, origin_room, pair_key, created_at FROM room_record ORDER BY room").all() as Row[];
  if (rows.length === 0) return 0;
  const text = (c: string) => rows.map((r) => asText(r[c]));
  const inserted = await target.query(
    `INSERT INTO room_record (room, title, kind, creator_key, members_can_invite, origin_room, pair_key, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::text[]) ON CONFLICT DO NOTHING`,
    [text("room"), text("title"), text("kind"), text("creator_key"), rows.map((r) => Number(r.members_can_invite) === 1), text("origin_room"), text("pair_key"), text("created_at")],
  );
  return inserted.rowCount ?? 0;
}

async function copyMembers(source: Database.Database, target: pg.Client): Promise<number> {
  const rows = source.prepare("SELECT room, session_key, name, admitted_at, closed_upto FROM room_member ORDER BY room, session_key").all() as Row[];
  if (rows.length === 0) return 0;
  const text = (c: string) => rows.map((r) => asText(r[c]));
  const inserted = await target.query(
    `INSERT INTO room_member (room, session_key, name, admitted_at, closed_upto)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) ON CONFLICT DO NOTHING`,
    [text("room"), text("session_key"), text("name"), text("admitted_at"), text("closed_upto")],
  );
  return inserted.rowCount ?? 0;
}

/**
 * Who each room took out, up to which link (room-kicks.ts; migration 20). By invite id: right as long as the invites
 * kept their ids, as they do unless PostgreSQL had used one (then a link made before the kick admits that browser
 * again on PostgreSQL). A re-run keeps the later of the two sides.
 */
async function copyKicks(source: Database.Database, target: pg.Client): Promise<void> {
  if (!hasTable(source, "room_kick")) return;
  const rows = source.prepare("SELECT room, session_key, last_invite_id FROM room_kick ORDER BY room, session_key").all() as Row[];
  if (rows.length === 0) return;
  const text = (c: string) => rows.map((r) => asText(r[c]));
  await target.query(
    `INSERT INTO room_kick (room, session_key, last_invite_id) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
     ON CONFLICT (room, session_key) DO UPDATE SET last_invite_id = greatest(room_kick.last_invite_id, excluded.last_invite_id)`,
    [text("room"), text("session_key"), text("last_invite_id")],
  );
}
