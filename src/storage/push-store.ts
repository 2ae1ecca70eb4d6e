// What Web Push (issue 23) keeps in the store: browsers' push subscriptions, each tied to a browser session (its
// key, as a message's owner is kept: shared/session-key.ts), what each such session last called itself in a
// room and the room's notification level, and the server's VAPID key pair. Defined below the stores so SQLite
// and PostgreSQL implement it and the push code never sees SQL.

export type PushLevel = "mentions" | "all" | "none";

export interface PushSubscriptionRecord {
  /** The push service URL; the primary key (one browser profile's subscription for this site). */
  endpoint: string;
  sessionKey: string;
  /** The browser's P-256 public key and auth secret, base64url as PushSubscription.toJSON() gives them. */
  p256dh: string;
  auth: string;
  /** When the browser said the subscription ends (PushSubscription.expirationTime); null when it did not. */
  expiresAt: Date | null;
  createdAt: Date;
}

/** A session that wants pushes of a room: its name there (null until a join told it) and its level (null: the room kind's default). */
export interface PushTarget {
  sessionKey: string;
  name: string | null;
  level: PushLevel | null;
  subscriptions: PushSubscriptionRecord[];
}

export interface VapidKeyPair {
  publicKey: string;
  privateKey: string;
}

export interface PushStore {
  /**
   * Stores the subscription for `sessionKey` (an endpoint another session had moves to this one), then drops this
   * session's oldest beyond `maxPerSession`, in one transaction.
   */
  saveSubscription(sub: PushSubscriptionRecord, maxPerSession: number): Promise<void>;
  /** Deletes the endpoint when `sessionKey` owns it (any owner when null); false when nothing was deleted. A session left with none forgets its rooms. */
  deleteSubscription(endpoint: string, sessionKey: string | null): Promise<boolean>;
  subscriptionsOf(sessionKey: string): Promise<PushSubscriptionRecord[]>;
  hasSubscription(sessionKey: string): Promise<boolean>;
  /** A push to it failed (kept for operators: when, and how many times in a row); `at` null clears it after a success. */
  noteFailure(endpoint: string, at: Date | null): Promise<void>;
  /**
   * The name the session is known by in the room, kept only while the session has a subscription; then the
   * session's least recently changed rooms beyond `maxRooms` go (a session cannot grow the table without end).
   */
  noteName(sessionKey: string, room: string, name: string, at: Date, maxRooms: number): Promise<void>;
  /** The session's level for the room (null: back to the default), kept as noteName keeps a name. */
  setLevel(sessionKey: string, room: string, level: PushLevel | null, at: Date, maxRooms: number): Promise<void>;
  /** The session left the room for good (leave_chat): no more pushes from it. */
  forgetRoom(sessionKey: string, room: string): Promise<void>;
  /** Sessions with a subscription that know the room and whose level is not "none", with their subscriptions. */
  targets(room: string): Promise<PushTarget[]>;
  /** The stored key pair, or `candidate` stored now when there is none; whichever node stores first wins, all read the same. */
  vapidKeys(candidate: VapidKeyPair, at: Date): Promise<VapidKeyPair>;
}

/** Rows of both stores, with their columns. */
export interface PushTargetRow {
  session_key: string;
  name: string | null;
  level: string | null;
  endpoint: string;
  p256dh: string;
  auth: string;
  expires_at: string | null;
  created_at: string;
}

export const toPushLevel = (raw: string | null): PushLevel | null => (raw === "mentions" || raw === "all" || raw === "none" ? raw : null);

export function toSubscription(r: Pick<PushTargetRow, "session_key" | "endpoint" | "p256dh" | "auth" | "expires_at" | "created_at">): PushSubscriptionRecord {
  return { endpoint: r.endpoint, sessionKey: r.session_key, p256dh: r.p256dh, auth: r.auth, expiresAt: r.expires_at === null ? null : new Date(r.expires_at), createdAt: new Date(r.created_at) };
}

/** One target per session, its subscriptions together, in the order the rows came. */
export function groupTargets(rows: readonly PushTargetRow[]): PushTarget[] {
  const bySession = new Map<string, PushTarget>();
  for (const r of rows) {
    let t = bySession.get(r.session_key);
    if (t === undefined) bySession.set(r.session_key, (t = { sessionKey: r.session_key, name: r.name, level: toPushLevel(r.level), subscriptions: [] }));
    t.subscriptions.push(toSubscription(r));
  }
  return [...bySession.values()];
}
