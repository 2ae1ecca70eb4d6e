// A window of one room's messages around one message (search, a permalink): loaded with fetch_history {around},
// paged forward as the reader scrolls down until it reaches the live end, while live messages wait in a buffer
// (appending them would leave a gap); or left at once for the newest messages ("Latest messages", sending). The
// room's state, its list and what arrives in it are room-session.js's.

const HISTORY_TIMEOUT_MS = 10_000;
/** Messages loaded around a message opened from search or a link (half before, half after). */
const AROUND_PAGE = 50;
const NEWER_PAGE = 50;
/** The newest messages loaded when the reader leaves the window for the live end. */
const LATEST_PAGE = 50;

/** @import { WireMessage } from "../../src/protocol.js" */
/** @import { RoomState, Source } from "./room-session.js" */

/**
 * What the window needs of its room's session.
 * @typedef {{
 *   hub: import("./connection-hub.js").Hub,
 *   views: import("./views.js").Views,
 *   ingest: (messages: WireMessage[], isNew: boolean, source: Source | null) => WireMessage[],
 *   updateHistoryStatus: () => void,
 *   whenJoined: () => Promise<void>,
 * }} WindowDeps
 */

/** @param {RoomState} s @param {WindowDeps} deps */
export function createMessageWindow(s, deps) {
  const { hub } = deps;

  /**
   * Shows message `id` with its neighbours: at once when it is on screen, else the loaded window is
   * replaced by fetch_history {around}. Until the window reaches the newest message, live messages wait
   * in a buffer (appending them would leave a gap) and scrolling down pages newer ones.
   * @param {number} id
   * @returns {Promise<boolean>} whether the message is shown
   */
  async function jumpTo(id) {
    if (!s.isJoined && !s.isGone) await deps.whenJoined();
    if (s.isGone) return false;
    if (s.list.has(id)) return s.list.showMessage(id);
    const gen = ++s.jumpGen;
    s.liveBuffer ??= []; // from now on live messages wait: the window is about to be replaced
    const res = await hub.request("fetch_history", { room: s.room, around: id, limit: AROUND_PAGE }, HISTORY_TIMEOUT_MS);
    if (s.isGone || s.jumpGen !== gen) return false;
    if (!res.ok || !res.messages.some((m) => m.id === id)) {
      if (!s.isDetached) flushLive();
      const isGone = res.ok || res.error.code === "not_found";
      deps.views.announce(isGone || res.ok ? "That message is not in this room any more." : `Could not open the message: ${res.error.message}`);
      return false;
    }
    s.list.clearStored();
    s.hasMoreOlder = Boolean(res.hasMore);
    s.hasMoreNewer = Boolean(res.hasMoreAfter);
    s.maxSeen = 0;
    s.isDetached = s.hasMoreNewer;
    s.list.setDetached(s.isDetached);
    deps.ingest(res.messages, false, "history");
    if (!s.isDetached) flushLive();
    s.lastId = s.maxSeen;
    s.list.showJumpToLatest(s.isDetached);
    deps.updateHistoryStatus();
    s.list.showMessage(id);
    return true;
  }

  /** Scrolling down a detached window: the next newer page, and the live end once it is reached. */
  async function loadNewer() {
    if (s.isGone || !s.isDetached || s.isLoadingNewer || !s.isJoined) return;
    const after = s.list.newestId;
    if (after === null) return;
    s.isLoadingNewer = true;
    const gen = s.jumpGen;
    const res = await hub.request("fetch_history", { room: s.room, after, limit: NEWER_PAGE }, HISTORY_TIMEOUT_MS);
    if (s.isGone || s.jumpGen !== gen) return;
    s.isLoadingNewer = false;
    if (!res.ok) {
      if (res.error.code === "rate_limited") setTimeout(() => void loadNewer(), res.error.retryAfterMs ?? 500);
      return;
    }
    deps.ingest(res.messages, false, "history");
    s.lastId = s.maxSeen;
    if (!res.hasMore) attach();
  }

  /** The window reaches the newest message: live messages flow again, those that waited first. */
  function attach() {
    s.hasMoreNewer = false;
    if (s.liveBuffer === null) return;
    s.isDetached = false;
    s.list.setDetached(false);
    s.list.showJumpToLatest(false);
    flushLive();
  }

  function flushLive() {
    const waiting = s.liveBuffer ?? [];
    s.liveBuffer = null;
    s.isDetached = false;
    deps.ingest(waiting, true, null);
  }

  /** Leaves a detached window for the newest messages (the "Latest messages" button, or sending). */
  async function returnToLive() {
    if (s.isGone || !s.isDetached) return;
    const gen = ++s.jumpGen;
    const res = await hub.request("fetch_history", { room: s.room, limit: LATEST_PAGE }, HISTORY_TIMEOUT_MS);
    if (s.isGone || s.jumpGen !== gen || !res.ok) return;
    s.list.clearStored();
    // Live messages that arrived meanwhile may be newer than the page: they follow it (the list skips repeats).
    const waiting = s.liveBuffer ?? [];
    s.liveBuffer = null;
    s.isDetached = false;
    s.hasMoreNewer = false;
    s.isLoadingNewer = false;
    s.hasMoreOlder = Boolean(res.hasMore);
    s.list.setDetached(false);
    s.list.showJumpToLatest(false);
    deps.ingest(res.messages, false, "history");
    deps.ingest(waiting, false, null);
    s.lastId = s.maxSeen;
    deps.updateHistoryStatus();
    s.list.scrollToBottom();
  }

  return { jumpTo, loadNewer, attach, returnToLive };
}
