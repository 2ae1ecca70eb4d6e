// Catching one joined room up: joining it again from the last message seen (after a reconnect, or a reload of
// a remembered room, join_chat {since}), applying the edits, deletes and reactions it missed (rejoin-changes.js) and paging
// forward to the live end, or starting again from the newest messages after a long absence; and what a refused
// rejoin means (the room is lost, or try again later); back at the address, the outbox goes on (what a move held
// and never handed over is let go of, to copy). The room's state, its list and what arrives in it are
// room-session.js's.
import { missedReactions, missedUpdates, shownIds } from "./rejoin-changes.js";

const JOIN_TIMEOUT_MS = 10_000;
const HISTORY_TIMEOUT_MS = 10_000;
const CATCH_UP_PAGE = 500;
/** Missing more than this many pages after a long absence: start from the newest messages instead. */
const MAX_CATCH_UP_PAGES = 10;
/**
 * Refusals a rejoin cannot get past by trying again. room_moved: the room was made private while the page was away
 * and this browser was not let in (one that was hears `room_moved` first, and follows).
 */
const LOST = new Set(["banned", "name_taken", "invalid_name", "invalid_room", "too_many_rooms", "not_found", "room_moved"]);

/** @import { ErrorBody, WireMessage } from "../../src/protocol.js" */
/** @import { LocalFailure } from "./connection.js" */
/** @import { RoomState, Source } from "./room-session.js" */

/**
 * What the catch-up needs of its room's session.
 * @typedef {{
 *   hub: import("./connection-hub.js").Hub,
 *   takePresence: (users: string[] | undefined) => void,
 *   setModerator: (isModerator: boolean) => void,
 *   ingest: (messages: WireMessage[], isNew: boolean, source: Source | null) => WireMessage[],
 *   attach: () => void,
 *   updateHistoryStatus: () => void,
 *   fillViewWithOlder: () => void,
 *   isShown: () => boolean,
 *   wakeJoinWaiters: () => void,
 *   onCaughtUp: (s: RoomState) => void,
 *   onLost: (s: RoomState, error: ErrorBody | LocalFailure["error"]) => void,
 *   onHeldUnsent: (s: RoomState, items: import("./outbox.js").CarriedItem[]) => void,
 * }} CatchUpDeps onHeldUnsent: what a move held, let go of (resumeSending)
 */

/** @param {RoomState} s @param {CatchUpDeps} deps */
export function createCatchUp(s, deps) {
  const { hub } = deps;

  /**
   * Joins again from the last message seen (after a reconnect, or a reload of a remembered room) and
   * pages forward until caught up.
   * @param {{ evenOffline?: boolean }} [opts] evenOffline: the first join of a remembered room, sent
   *   while the connection is still opening (Socket.IO sends it once connected)
   */
  async function rejoin(opts = {}) {
    if (s.isGone || s.isRejoining || (!opts.evenOffline && !hub.isConnected())) return;
    const gen = ++s.rejoinGen;
    const isCurrent = () => !s.isGone && s.rejoinGen === gen;
    s.isRejoining = true;
    s.isJoined = false;
    // `shown`: the older messages on screen, so their deletes, edits and reactions come back whatever their age.
    // The token lets the server recognise a page that saw no message here if the room was made private meanwhile.
    const token = s.rejoinToken === undefined ? {} : { rejoinToken: s.rejoinToken };
    const { res, settle } = await hub.join({ username: s.username, room: s.room, since: s.lastId, shown: shownIds(s.list, s.lastId), ...token }, JOIN_TIMEOUT_MS);
    if (!isCurrent()) return;
    if (!res.ok) {
      s.isRejoining = false;
      handleRejoinFailure(res.error);
      return;
    }
    s.rejoinToken = res.rejoinToken;
    deps.takePresence(res.users);
    deps.setModerator(res.isModerator === true);
    // Older messages exist before the first one sent: a reloaded room shows them when scrolled up to.
    if (s.list.oldestId === null) s.hasMoreOlder = Boolean(res.hasMore);
    deps.ingest(res.history, true, "catchup");
    // Edits, deletes and reactions made while away, of messages the page has (and of originals its replies quote):
    // as the live events it missed, before the ones held during the join (newer).
    for (const ev of missedUpdates(s.room, res.changed, s.list)) hub.replayUpdate(s.room, ev);
    for (const ev of missedReactions(s.room, res.reactions, s.list)) hub.replayReactions(s.room, ev);
    settle();
    let cursor = res.history.at(-1)?.id ?? s.lastId;
    let hasMore = Boolean(res.hasMoreAfter);
    for (let pages = 0; hasMore; pages++) {
      if (pages >= MAX_CATCH_UP_PAGES) {
        await restartFromNewest();
        return;
      }
      const page = await hub.request("fetch_history", { room: s.room, after: cursor, limit: CATCH_UP_PAGE }, HISTORY_TIMEOUT_MS);
      if (!isCurrent()) return;
      if (!page.ok) {
        if (page.error.code === "rate_limited") {
          await delay(page.error.retryAfterMs ?? 500);
          if (!isCurrent()) return;
          pages--;
          continue;
        }
        s.isRejoining = false;
        if (page.error.code !== "disconnected") setTimeout(() => void rejoin(), 2000);
        return;
      }
      deps.ingest(page.messages, true, "catchup");
      cursor = page.messages.at(-1)?.id ?? cursor;
      hasMore = Boolean(page.hasMore);
    }
    s.isRejoining = false;
    s.isJoined = true;
    s.lastId = s.maxSeen;
    // Caught up from the newest message shown: a detached window now reaches the live end.
    deps.attach();
    deps.updateHistoryStatus();
    if (deps.isShown()) deps.fillViewWithOlder();
    deps.onCaughtUp(s);
    deps.wakeJoinWaiters();
    resumeSending();
  }

  /** Too much was missed to page through: show the newest messages, as a fresh visit would. */
  async function restartFromNewest() {
    const gen = s.rejoinGen;
    const { res, settle } = await hub.join({ username: s.username, room: s.room }, JOIN_TIMEOUT_MS);
    if (s.isGone || s.rejoinGen !== gen) return;
    s.isRejoining = false;
    if (!res.ok) {
      handleRejoinFailure(res.error);
      return;
    }
    s.rejoinToken = res.rejoinToken;
    deps.takePresence(res.users);
    deps.setModerator(res.isModerator === true);
    s.list.clearStored();
    deps.attach();
    const last = res.history.at(-1)?.id ?? s.lastId;
    s.lastId = last;
    s.maxSeen = last;
    s.hasMoreOlder = Boolean(res.hasMore);
    s.isJoined = true;
    // The newest page of what was missed: it still counts as unread.
    deps.ingest(res.history, false, "catchup");
    settle();
    deps.updateHistoryStatus();
    deps.onCaughtUp(s);
    deps.wakeJoinWaiters();
    resumeSending();
  }

  /**
   * Back in the room at this address and caught up: the outbox goes on. Had a send been refused `room_moved` whose
   * move never reached the page (the connection dropped first, and this rejoin joined the fresh room of the old
   * name), what the move held was written for the room that moved away: it goes to the reader to copy, never here.
   */
  function resumeSending() {
    const held = s.outbox.releaseHeld();
    if (held.length > 0) deps.onHeldUnsent(s, held);
    s.outbox.pump();
  }

  /** @param {ErrorBody | LocalFailure["error"]} error */
  function handleRejoinFailure(error) {
    if (error.code === "disconnected") return; // the next connect tries again
    if (LOST.has(error.code)) {
      // Someone else took the name while we were away, a ban, a limit, a private room this browser is no longer
      // let into (issue 17: not_found): this room is lost, the others stay.
      deps.onLost(s, error);
      return;
    }
    setTimeout(() => void rejoin(), error.retryAfterMs ?? 2000);
  }

  return { rejoin, resumeSending };
}

/** @param {number} ms @returns {Promise<void>} */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
