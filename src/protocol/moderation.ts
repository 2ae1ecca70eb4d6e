// The wire contract's moderation (part of src/protocol.ts, which re-exports them): bans as moderators list them, a
// kick's answer, and the event that tells a socket it was taken out of a room.

/** A ban in force in a room, as list_bans shows it to moderators (all the bans of one name as one entry). */
export interface BanInfo {
  /** The name as the moderator typed it when banning; pass it to unban_user. */
  username: string;
  /** ISO 8601: when the last of the name's bans ends. */
  until: string;
  /** ISO 8601: when the newest of them was made. */
  createdAt: string;
}
/** kick_user's answer. */
export interface KickResult {
  /**
   * Private rooms: how many members known by the name (the one they were let in under) with every tab closed the kick
   * also removed (their admission ended). Absent when none: a kick of a present name answers `{ ok: true }` as before.
   */
  absentMembers?: number;
}
/** This socket was taken out of the room by a moderator (it has left the room when this arrives). */
export interface RemovedEvent {
  room: string;
  /**
   * kicked, banned: by a moderator; left: this browser left the private room, or closed the conversation, in another
   * tab; private: a moderator made the room private and this client was not let in (no browser session) (issue 17).
   */
  reason: "kicked" | "banned" | "left" | "private";
  /** ISO 8601: when a ban ends. */
  until?: string;
}
