// Push subscriptions, rooms and the VAPID keys on PostgreSQL (migration 10): the same tables, statements and
// answers as sqlite-push.ts.
import type pg from "pg";
import { groupTargets, toSubscription, type PushLevel, type PushStore, type PushSubscriptionRecord, type PushTarget, type PushTargetRow, type VapidKeyPair } from "./push-store.js";
import type { MovedPushRows } from "../access/store.js";
import { PUSH_SQL, ROOM_MOVE_STEPS } from "./push-sql.js";

type Query = <T extends pg.QueryResultRow>(sql: string, params: unknown[], what: "read" | "write") => Promise<T[]>;
type Transaction = <T>(work: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

/** push_room follows a room that moved from `from` to `to` (push-sql.ts's ROOM_MOVE_STEPS), in the caller's transaction; the sessions whose rows followed and whose went. */
export async function movePushRooms(client: pg.ClientBase, from: string, to: string, privateRoom: string): Promise<MovedPushRows> {
  const [replace, follow, drop] = ROOM_MOVE_STEPS;
  const keys = (result: pg.QueryResult<{ session_key: string }>): string[] => result.rows.map((r) => r.session_key);
  await client.query(replace, [from, to, privateRoom]);
  const followed = keys(await client.query<{ session_key: string }>(follow, [from, to, privateRoom]));
  return { followed, dropped: keys(await client.query<{ session_key: string }>(drop, [from])) };
}

export class PostgresPush implements PushStore {
  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
  ) {}

  saveSubscription(sub: PushSubscriptionRecord, maxPerSession: number): Promise<void> {
    return this.transaction(async (client) => {
      await client.query(PUSH_SQL.upsert, [sub.endpoint, sub.sessionKey, sub.p256dh, sub.auth, sub.expiresAt?.toISOString() ?? null, sub.createdAt.toISOString()]);
      await client.query(PUSH_SQL.trimPg, [sub.sessionKey, maxPerSession]);
    });
  }

  deleteSubscription(endpoint: string, sessionKey: string | null): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rows } = sessionKey === null ? await client.query<{ session_key: string }>(PUSH_SQL.deleteAny, [endpoint]) : await client.query<{ session_key: string }>(PUSH_SQL.deleteOwn, [endpoint, sessionKey]);
      const row = rows[0];
      if (row === undefined) return false;
      await client.query(PUSH_SQL.forgetIfNone, [row.session_key]);
      return true;
    });
  }

  async subscriptionsOf(sessionKey: string): Promise<PushSubscriptionRecord[]> {
    return (await this.query<PushTargetRow>(PUSH_SQL.subscriptionsOf, [sessionKey], "read")).map(toSubscription);
  }

  async hasSubscription(sessionKey: string): Promise<boolean> {
    return (await this.query(PUSH_SQL.has, [sessionKey], "read")).length > 0;
  }

  async noteFailure(endpoint: string, at: Date | null): Promise<void> {
    if (at === null) await this.query(PUSH_SQL.recovered, [endpoint], "write");
    else await this.query(PUSH_SQL.failed, [endpoint, at.toISOString()], "write");
  }

  async noteName(sessionKey: string, room: string, name: string, at: Date, maxRooms: number): Promise<void> {
    await this.query(PUSH_SQL.name, [sessionKey, room, name, at.toISOString()], "write");
    await this.query(PUSH_SQL.trimRoomsPg, [sessionKey, maxRooms], "write");
  }

  async setLevel(sessionKey: string, room: string, level: PushLevel | null, at: Date, maxRooms: number): Promise<void> {
    await this.query(PUSH_SQL.level, [sessionKey, room, level, at.toISOString()], "write");
    await this.query(PUSH_SQL.trimRoomsPg, [sessionKey, maxRooms], "write");
  }

  async forgetRoom(sessionKey: string, room: string): Promise<void> {
    await this.query(PUSH_SQL.forget, [sessionKey, room], "write");
  }

  async targets(room: string): Promise<PushTarget[]> {
    return groupTargets(await this.query<PushTargetRow>(PUSH_SQL.targets, [room], "read"));
  }

  async vapidKeys(candidate: VapidKeyPair, at: Date): Promise<VapidKeyPair> {
    // A read first: only the very first start writes.
    const [stored] = await this.query<{ public_key: string; private_key: string }>(PUSH_SQL.vapidRead, [], "read");
    if (stored !== undefined) return { publicKey: stored.public_key, privateKey: stored.private_key };
    return this.transaction(async (client) => {
      await client.query(PUSH_SQL.vapidInsert, [candidate.publicKey, candidate.privateKey, at.toISOString()]);
      const { rows } = await client.query<{ public_key: string; private_key: string }>(PUSH_SQL.vapidRead);
      const row = rows[0] as { public_key: string; private_key: string };
      return { publicKey: row.public_key, privateKey: row.private_key };
    });
  }
}
