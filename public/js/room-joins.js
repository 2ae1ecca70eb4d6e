// How a room becomes one of this page's (issue 13): a first join (no `since`, retried while a restarting node
// says `overloaded`), a join in the background (issue 17's conversations and private rooms), and the rooms
// remembered across visits joined again from where they were read; each makes the room's session and its counts,
// and a room is never joined twice at once. Kept apart from rooms.js, which owns which room is on screen
// (switching, the join form) and the seams other parts use; how a room stops being the page's is room-exits.js's.
import { createRoomSession } from "./room-session.js";
import { recallRooms } from "./remembered.js";
import { freshCounts } from "./unread.js";

const JOIN_TIMEOUT_MS = 10_000;
/** How many times a first join refused with `overloaded` is sent (each after the server's retryAfterMs) before the page shows why. */
const OVERLOADED_TRIES = 5;

/** @import { ErrorBody } from "../../src/protocol.js" */
/** @import { LocalFailure } from "./connection.js" */
/** @import { RoomSession, SessionDeps } from "./room-session.js" */

/**
 * @param {{
 *   hub: import("./connection-hub.js").Hub,
 *   info: import("./room-info.js").RoomInfos,
 *   sessions: Map<string, RoomSession>,
 *   counts: import("./room-counts.js").RoomCounter,
 *   sessionDeps: SessionDeps,
 * }} deps sessions: the joined rooms, which this file adds to
 */
export function createRoomJoins({ hub, info, sessions, counts, sessionDeps }) {
  let hasRestored = false;
  /** Joins on their way (the form, a link, the background), so one room is never joined twice at once. @type {Map<string, Promise<boolean>>} */
  const joining = new Map();

  /**
   * The rooms remembered from earlier visits join again (once per page), each from where it was read.
   * @param {string} [except] a room being joined explicitly right now (the join form, "Join as"), maybe
   *   under another name: left to that join
   */
  function restore(except) {
    if (hasRestored) return;
    hasRestored = true;
    for (const r of recallRooms()) {
      if (sessions.has(r.room) || r.room === except) continue;
      const session = createRoomSession({ room: r.room, username: r.name, lastId: r.lastReadId, ...(r.rejoinToken === undefined ? {} : { rejoinToken: r.rejoinToken }) }, sessionDeps);
      sessions.set(r.room, session);
      counts.track(r.room, { lastReadId: r.lastReadId, lastSeenId: r.lastSeenId, unread: r.unread, mentions: r.mentions, unreadIds: r.unreadIds, mentionIds: r.mentionIds });
      void session.rejoin({ evenOffline: true });
    }
    if (sessions.size > 0) counts.draw();
  }

  /**
   * A first join (no `since`): its newest messages are read. The session is the room's from now on (off screen).
   * @param {string} username @param {string} room
   * @returns {Promise<RoomSession | { error: ErrorBody | LocalFailure["error"] }>}
   */
  async function joinFresh(username, room) {
    /** @type {(ok: boolean) => void} */
    let done = () => {};
    joining.set(room, new Promise((resolve) => (done = resolve)));
    try {
      let { res, settle } = await hub.join({ username, room }, JOIN_TIMEOUT_MS);
      // A node taking everyone back after a restart refuses new joins for a moment (issue 19): try again when told.
      for (let tries = 1; !res.ok && res.error.code === "overloaded" && tries < OVERLOADED_TRIES; tries++) {
        const wait = res.error.retryAfterMs ?? 1000;
        settle();
        await new Promise((resolve) => setTimeout(resolve, wait));
        ({ res, settle } = await hub.join({ username, room }, JOIN_TIMEOUT_MS));
      }
      if (!res.ok) {
        settle();
        return { error: res.error };
      }
      if (res.roomInfo) info.set(res.roomInfo);
      const last = res.history.at(-1)?.id ?? 0;
      const session = createRoomSession({ room: res.room, username: res.username, lastId: last }, sessionDeps);
      sessions.set(res.room, session);
      counts.track(res.room, freshCounts(last));
      session.start(res, settle);
      return session;
    } finally {
      joining.delete(room);
      done(true);
    }
  }

  /**
   * Joins a room without putting it on screen (issue 17: a conversation someone opened with this browser, the
   * private rooms and conversations my_rooms lists). From `since`, whose later messages count as unread (a
   * catch-up, as a remembered room's); without it, a first join whose messages are read.
   * @param {string} username @param {string} room @param {{ since?: number }} opts
   * @returns {Promise<boolean>} whether the room is joined (or being caught up)
   */
  async function joinInBackground(username, room, opts) {
    if (sessions.has(room)) return true;
    if (joining.has(room)) return (await joining.get(room)) === true && sessions.has(room);
    if (typeof opts.since === "number") {
      const session = createRoomSession({ room, username, lastId: opts.since }, sessionDeps);
      sessions.set(room, session);
      counts.track(room, freshCounts(opts.since));
      counts.save();
      counts.draw();
      void session.rejoin({ evenOffline: true });
      return true;
    }
    const session = await joinFresh(username, room);
    if ("error" in session) return false;
    counts.save();
    counts.draw();
    return true;
  }

  return {
    restore,
    joinFresh,
    joinInBackground,
    /** The join of `room` on its way, if one is. @param {string} room */
    pending: (room) => joining.get(room),
    /** @param {string} room */
    isJoining: (room) => joining.has(room),
    /** How many joins are on their way. */
    count: () => joining.size,
  };
}
