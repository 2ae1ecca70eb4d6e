// Push subscriptions, rooms and the VAPID keys on SQLite (tables of migration 13). The repository lends the
// connection, so these writes get the same IMMEDIATE transaction, busy retry and health bookkeeping as the sends.
import type Database from "better-sqlite3";
import { groupTargets, toSubscription, type PushLevel, type PushStore, type PushSubscriptionRecord, type PushTarget, type PushTargetRow, type VapidKeyPair } from "./push-store.js";
import type { MovedPushRows } from "../access/store.js";
import { PUSH_SQL, ROOM_MOVE_STEPS } from "./push-sql.js";
import { prepared } from "./sqlite-statements.js";

type Use = <T>(work: (db: Database.Database) => T) => Promise<T>;

/** `$n` in the shared statements: SQLite reads them as named parameters, given as an object keyed by n. */
const params = (...values: unknown[]): Record<string, unknown> => Object.fromEntries(values.map((v, i) => [String(i + 1), v]));

/** push_room follows a room that moved from `from` to `to` (push-sql.ts's ROOM_MOVE_STEPS), in the caller's transaction; the sessions whose rows followed and whose went. */
export function movePushRooms(db: Database.Database, from: string, to: string, privateRoom: string): MovedPushRows {
  const [replace, follow, drop] = ROOM_MOVE_STEPS;
  const keys = (rows: unknown[]): string[] => (rows as { session_key: string }[]).map((r) => r.session_key);
  prepared(db, replace).run(params(from, to, privateRoom));
  const followed = keys(prepared(db, follow).all(params(from, to, privateRoom)));
  return { followed, dropped: keys(prepared(db, drop).all(params(from))) };
}

export class SqlitePush implements PushStore {
  constructor(
    private readonly read: Use,
    private readonly write: Use,
  ) {}

  saveSubscription(sub: PushSubscriptionRecord, maxPerSession: number): Promise<void> {
    return this.write((db) => {
      prepared(db, PUSH_SQL.upsert).run(params(sub.endpoint, sub.sessionKey, sub.p256dh, sub.auth, sub.expiresAt?.toISOString() ?? null, sub.createdAt.toISOString()));
      prepared(db, PUSH_SQL.trim).run(params(sub.sessionKey, maxPerSession));
    });
  }

  deleteSubscription(endpoint: string, sessionKey: string | null): Promise<boolean> {
    return this.write((db) => {
      const row = (sessionKey === null ? prepared(db, PUSH_SQL.deleteAny).get(params(endpoint)) : prepared(db, PUSH_SQL.deleteOwn).get(params(endpoint, sessionKey))) as { session_key: string } | undefined;
      if (row === undefined) return false;
      prepared(db, PUSH_SQL.forgetIfNone).run(params(row.session_key));
      return true;
    });
  }

  subscriptionsOf(sessionKey: string): Promise<PushSubscriptionRecord[]> {
    return this.read((db) => (prepared(db, PUSH_SQL.subscriptionsOf).all(params(sessionKey)) as PushTargetRow[]).map(toSubscription));
  }

  hasSubscription(sessionKey: string): Promise<boolean> {
    return this.read((db) => prepared(db, PUSH_SQL.has).get(params(sessionKey)) !== undefined);
  }

  noteFailure(endpoint: string, at: Date | null): Promise<void> {
    return this.write((db) => {
      if (at === null) prepared(db, PUSH_SQL.recovered).run(params(endpoint));
      else prepared(db, PUSH_SQL.failed).run(params(endpoint, at.toISOString()));
    });
  }

  noteName(sessionKey: string, room: string, name: string, at: Date, maxRooms: number): Promise<void> {
    return this.write((db) => {
      prepared(db, PUSH_SQL.name).run(params(sessionKey, room, name, at.toISOString()));
      prepared(db, PUSH_SQL.trimRooms).run(params(sessionKey, maxRooms));
    });
  }

  setLevel(sessionKey: string, room: string, level: PushLevel | null, at: Date, maxRooms: number): Promise<void> {
    return this.write((db) => {
      prepared(db, PUSH_SQL.level).run(params(sessionKey, room, level, at.toISOString()));
      prepared(db, PUSH_SQL.trimRooms).run(params(sessionKey, maxRooms));
    });
  }

  forgetRoom(sessionKey: string, room: string): Promise<void> {
    return this.write((db) => void prepared(db, PUSH_SQL.forget).run(params(sessionKey, room)));
  }

  targets(room: string): Promise<PushTarget[]> {
    return this.read((db) => groupTargets(prepared(db, PUSH_SQL.targets).all(params(room)) as PushTargetRow[]));
  }

  async vapidKeys(candidate: VapidKeyPair, at: Date): Promise<VapidKeyPair> {
    // A read first: only the very first start writes.
    const stored = await this.read((db) => prepared(db, PUSH_SQL.vapidRead).get() as { public_key: string; private_key: string } | undefined);
    if (stored !== undefined) return { publicKey: stored.public_key, privateKey: stored.private_key };
    return this.write((db) => {
      prepared(db, PUSH_SQL.vapidInsert).run(params(candidate.publicKey, candidate.privateKey, at.toISOString()));
      const row = prepared(db, PUSH_SQL.vapidRead).get() as { public_key: string; private_key: string };
      return { publicKey: row.public_key, privateKey: row.private_key };
    });
  }
}
