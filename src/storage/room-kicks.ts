// Which browsers a private room took out (a moderator's kick or ban), and up to which invite link: a link made before
// the removal no longer admits that browser, one made after does ("a member's new link lets it back"). Without it a
// kicked browser walked straight back in with the link of several uses it had been let in by (found by the access
// review, 2026-12-07). By invite id, not time: ids only grow, and a link made in the same millisecond as the kick
// is still told apart. The rows go with their room (a room made public loses its record: ON DELETE CASCADE).

/** SQLite's migration 20 and PostgreSQL's 15 alike. One row per room and browser: its latest removal. */
export const ROOM_KICK_DDL = `
CREATE TABLE IF NOT EXISTS room_kick (
  room text NOT NULL REFERENCES room_record (room) ON DELETE CASCADE,
  session_key text NOT NULL,
  last_invite_id bigint NOT NULL,
  PRIMARY KEY (room, session_key)
);`;

/** Records a removal: the room's newest link id now (0 for none). Parameters: room and session key (SQLite: @room, @sessionKey). */
export const SQL_RECORD_KICK_SQLITE = `INSERT INTO room_kick (room, session_key, last_invite_id)
  SELECT @room, @sessionKey, coalesce(max(id), 0) FROM room_invite WHERE room = @room
  ON CONFLICT (room, session_key) DO UPDATE SET last_invite_id = excluded.last_invite_id`;
export const SQL_RECORD_KICK_PG = `INSERT INTO room_kick (room, session_key, last_invite_id)
  SELECT $1, $2, coalesce(max(id), 0) FROM room_invite WHERE room = $1
  ON CONFLICT (room, session_key) DO UPDATE SET last_invite_id = excluded.last_invite_id`;

/** Whether the browser was removed from the room after this link was made. Parameters: room, session key, invite id. */
export const SQL_KICKED_SINCE_SQLITE = "SELECT 1 FROM room_kick WHERE room = ? AND session_key = ? AND last_invite_id >= ?";
export const SQL_KICKED_SINCE_PG = "SELECT 1 FROM room_kick WHERE room = $1 AND session_key = $2 AND last_invite_id >= $3";
