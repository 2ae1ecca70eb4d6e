// The push tables (issue 23), as SQLite's migration 13 and PostgreSQL's migration 10 create them, and the
// statements both stores run (placeholders written as $n, which SQLite reads as numbered parameters too).

/** SQLite and PostgreSQL alike: text columns, ISO timestamps, IF NOT EXISTS so a step can run again. */
export const PUSH_DDL = `
CREATE TABLE IF NOT EXISTS push_subscription (
  endpoint text PRIMARY KEY,
  session_key text NOT NULL,
  p256dh text NOT NULL,
  auth text NOT NULL,
  expires_at text,
  created_at text NOT NULL,
  failed_at text,
  failures integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_push_subscription_session ON push_subscription (session_key, created_at);
CREATE TABLE IF NOT EXISTS push_room (
  session_key text NOT NULL,
  room text NOT NULL,
  name text,
  level text,
  updated_at text NOT NULL,
  PRIMARY KEY (session_key, room)
);
CREATE INDEX IF NOT EXISTS ix_push_room_room ON push_room (room);
CREATE TABLE IF NOT EXISTS push_vapid (
  id integer PRIMARY KEY CHECK (id = 1),
  public_key text NOT NULL,
  private_key text NOT NULL,
  created_at text NOT NULL
);`;

const SUB_COLUMNS = "s.endpoint, s.session_key, s.p256dh, s.auth, s.expires_at, s.created_at";

export const PUSH_SQL = {
  upsert: `INSERT INTO push_subscription (endpoint, session_key, p256dh, auth, expires_at, created_at, failed_at, failures)
    VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)
    ON CONFLICT (endpoint) DO UPDATE SET session_key = excluded.session_key, p256dh = excluded.p256dh, auth = excluded.auth,
      expires_at = excluded.expires_at, created_at = excluded.created_at, failed_at = NULL, failures = 0`,
  /** The session's subscriptions past the newest `$2`: the ones a new subscription pushes out. */
  trim: `DELETE FROM push_subscription WHERE endpoint IN (
    SELECT endpoint FROM push_subscription WHERE session_key = $1 ORDER BY created_at DESC, endpoint DESC LIMIT -1 OFFSET $2)`,
  trimPg: `DELETE FROM push_subscription WHERE endpoint IN (
    SELECT endpoint FROM push_subscription WHERE session_key = $1 ORDER BY created_at DESC, endpoint DESC OFFSET $2)`,
  deleteOwn: "DELETE FROM push_subscription WHERE endpoint = $1 AND session_key = $2 RETURNING session_key",
  deleteAny: "DELETE FROM push_subscription WHERE endpoint = $1 RETURNING session_key",
  /** A session left without a subscription wants no pushes: its rooms go too. */
  forgetIfNone: "DELETE FROM push_room WHERE session_key = $1 AND NOT EXISTS (SELECT 1 FROM push_subscription WHERE session_key = $1)",
  subscriptionsOf: `SELECT ${SUB_COLUMNS} FROM push_subscription s WHERE s.session_key = $1 ORDER BY s.created_at, s.endpoint`,
  has: "SELECT 1 AS x FROM push_subscription WHERE session_key = $1 LIMIT 1",
  failed: "UPDATE push_subscription SET failed_at = $2, failures = failures + 1 WHERE endpoint = $1",
  recovered: "UPDATE push_subscription SET failed_at = NULL, failures = 0 WHERE endpoint = $1 AND failures > 0",
  // Only for a session with a subscription: a join of everyone else writes nothing.
  name: `INSERT INTO push_room (session_key, room, name, level, updated_at)
    SELECT $1, $2, $3, NULL, $4 WHERE EXISTS (SELECT 1 FROM push_subscription WHERE session_key = $1)
    ON CONFLICT (session_key, room) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
  level: `INSERT INTO push_room (session_key, room, name, level, updated_at)
    SELECT $1, $2, NULL, $3, $4 WHERE EXISTS (SELECT 1 FROM push_subscription WHERE session_key = $1)
    ON CONFLICT (session_key, room) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
  forget: "DELETE FROM push_room WHERE session_key = $1 AND room = $2",
  // A room moved from $1 to $2, its private side at $3 (the new address when made private, the old when made public):
  // see ROOM_MOVE_STEPS.
  moveReplace: `DELETE FROM push_room WHERE room = $2
    AND session_key IN (SELECT session_key FROM push_room WHERE room = $1)
    AND session_key IN (SELECT session_key FROM room_member WHERE room = $3)`,
  moveFollow: "UPDATE push_room SET room = $2 WHERE room = $1 AND session_key IN (SELECT session_key FROM room_member WHERE room = $3) RETURNING session_key",
  moveDrop: "DELETE FROM push_room WHERE room = $1 RETURNING session_key",
  /** The session's rooms past the `$2` most recently changed. */
  trimRooms: `DELETE FROM push_room WHERE session_key = $1 AND room IN (
    SELECT room FROM push_room WHERE session_key = $1 ORDER BY updated_at DESC, room DESC LIMIT -1 OFFSET $2)`,
  trimRoomsPg: `DELETE FROM push_room WHERE session_key = $1 AND room IN (
    SELECT room FROM push_room WHERE session_key = $1 ORDER BY updated_at DESC, room DESC OFFSET $2)`,
  targets: `SELECT r.session_key, r.name, r.level, ${SUB_COLUMNS} FROM push_room r JOIN push_subscription s ON s.session_key = r.session_key
    WHERE r.room = $1 AND (r.level IS NULL OR r.level <> 'none') ORDER BY r.session_key, s.created_at, s.endpoint`,
  // Insert-if-absent, then read back: two nodes starting together on one database end up with the same pair.
  vapidInsert: "INSERT INTO push_vapid (id, public_key, private_key, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
  vapidRead: "SELECT public_key, private_key FROM push_vapid WHERE id = 1",
} as const;

/**
 * A room moved (made private or public), in this order, with ($1 from, $2 to, $3 its private address): a row the
 * session already had at the new address gives way to the one that follows (it is the room the session was in),
 * the rows of the sessions admitted to the private side follow with their name and level, and the rest of the old
 * address's rows go: those sessions never joined what now has that name (a fresh public room, or nothing).
 */
export const ROOM_MOVE_STEPS = [PUSH_SQL.moveReplace, PUSH_SQL.moveFollow, PUSH_SQL.moveDrop] as const;
