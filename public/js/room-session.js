// The connection and the room session: the one socket, joining and leaving a room, what arrives in it
// (messages, notices, presence, typing, edits, removal by a moderator), catching up after a reconnect,
// paging older history, and a window opened around one message (search, permalink) paged forward to the
// live end.
import { createSocket, emitAck, failure, signalTyping } from "./connection.js";
import { nameKey } from "./format.js";
import { showHomeAddress, showRoomAddress } from "./address.js";
import { RoomPresence } from "./presence.js";
import { rememberName } from "./remembered.js";

const JOIN_TIMEOUT_MS = 10_000;
const HISTORY_TIMEOUT_MS = 10_000;
const OLDER_PAGE = 50;
/** Messages loaded around a message opened from search or a link (half before, half after). */
const AROUND_PAGE = 50;
const NEWER_PAGE = 50;
/** Live messages kept while a detached window is shown; more than this and the live end is reloaded. */
const MAX_LIVE_BUFFER = 500;
const CATCH_UP_PAGE = 500;
/** Missing more than this many pages after a long absence: start from the newest messages instead. */
const MAX_CATCH_UP_PAGES = 10;

/** @import { ClientToServerEvents, ErrorBody, MessageEvent, MessageUpdatedEvent, Notice, PresenceEvent, RemovedEvent, WireMessage } from "../../src/protocol.js" */
/** @import { AckOf, ChatSocket, LocalFailure } from "./connection.js" */

/**
 * @typedef {{
 *   room: string, username: string,
 *   lastId: number, maxSeen: number,
 *   hasMoreOlder: boolean, isLoadingOlder: boolean,
 *   isJoined: boolean, isRejoining: boolean, sawOwnJoin: boolean,
 *   rejoinGen: number,
 *   isModerator: boolean,
 *   isDetached: boolean, hasMoreNewer: boolean, isLoadingNewer: boolean, liveBuffer: WireMessage[] | null,
 *   jumpGen: number,
 * }} Session
 */

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   list: import("./message-list.js").MessageList,
 *   outbox: import("./outbox.js").Outbox,
 *   typingIndicator: import("./typing.js").TypingIndicator,
 *   composer: { reset(): void, focus(): void },
 *   onUpdated?: (ev: MessageUpdatedEvent) => void,
 *   onLeft?: () => void,
 *   onLive?: (room: string, msg: WireMessage, me: string) => void,
 *   onEntered?: (room: string) => void,
 * }} deps onLive: every message broadcast while joined (never join history or catch-up); onEntered: a room opened
 */
export function createRoomSession({ els, views, list, outbox, typingIndicator, composer, onUpdated = () => {}, onLeft = () => {}, onLive = () => {}, onEntered = () => {} }) {
  /** @type {ChatSocket | null} */
  let socket = null;
  /** @type {Session | null} */
  let session = null;
  /** Events for a room whose join answer has not been handled yet (a polling response can batch them). */
  let joining = /** @type {{ room: string, buffer: (() => void)[] } | null} */ (null);
  let isRestarting = false;
  /** Wait before reconnecting after the server itself ended the connection; doubles while that repeats. */
  let serverDisconnectRetryMs = 1000;
  const presence = new RoomPresence();

  // ---------- connection ----------

  function ensureSocket() {
    if (socket) return socket;
    const s = createSocket();
    socket = s;
    s.on("connect", () => {
      if (session) void rejoin();
    });
    s.on("disconnect", (reason) => {
      outbox.disconnected();
      typingIndicator.clear();
      if (session) {
        session.isJoined = false;
        session.isRejoining = false;
        session.rejoinGen++; // a catch-up still running belongs to the old connection: it stops
        views.setBanner(isRestarting ? "Server restarting…" : "Reconnecting…");
      }
      // A disconnect the server chose is not retried by Socket.IO itself; a chat page wants back in, gently.
      if (reason === "io server disconnect") {
        setTimeout(() => s.connect(), serverDisconnectRetryMs);
        serverDisconnectRetryMs = Math.min(serverDisconnectRetryMs * 2, 30_000);
      }
    });
    // Multi-node mode: the server's link to the other nodes was down; catch up as after a reconnect, from
    // the server's cursor when it is older (a newer live message may have arrived after the gap).
    s.on("resync", (ev) => {
      if (!session || !ev || ev.room !== session.room || !session.isJoined) return;
      if (typeof ev.after === "number" && ev.after < session.lastId) session.lastId = ev.after;
      void rejoin();
    });
    s.on("server_shutdown", () => {
      isRestarting = true;
      if (session) views.setBanner("Server restarting…");
    });
    s.on("message", (msg) => whenReady(msg?.room, () => onMessage(msg)));
    s.on("message_updated", (ev) => whenReady(ev?.room, () => onMessageUpdated(ev)));
    s.on("removed", (ev) => whenReady(ev?.room, () => onRemoved(ev)));
    s.on("presence", (ev) => whenReady(ev?.room, () => onPresence(ev)));
    s.on("typing", (ev) => {
      if (session && ev && ev.room === session.room && nameKey(String(ev.username)) !== nameKey(session.username)) {
        typingIndicator.set(String(ev.username), ev.isTyping !== false);
      }
    });
    // Every event is sent with an ack, so chat_error only reports a typing signal that was refused.
    s.on("chat_error", () => {});
    return s;
  }

  /**
   * Runs `fn` now, or after the join answer for that room has been handled.
   * @param {unknown} room @param {() => void} fn
   */
  function whenReady(room, fn) {
    if (joining && room === joining.room) joining.buffer.push(fn);
    else fn();
  }

  // ---------- incoming ----------

  /** @param {MessageEvent} msg */
  function onMessage(msg) {
    const s = session;
    if (!s || !msg || msg.room !== s.room || typeof msg.content !== "string") return;
    if (!("id" in msg) || typeof msg.id !== "number") {
      onNotice(s, /** @type {Notice} */ (msg));
      return;
    }
    typingIndicator.stopped(String(msg.sender));
    onLive(s.room, msg, s.username);
    if (s.liveBuffer) {
      // A window around an older message is shown: this one waits until the reader pages down to it.
      if (msg.clientId && outbox.has(msg.clientId)) outbox.confirm(msg.clientId, msg);
      else if (s.liveBuffer.length < MAX_LIVE_BUFFER) s.liveBuffer.push(msg);
      else s.hasMoreNewer = true; // paging forward finds it
      return;
    }
    const added = ingest(s, [msg], true);
    if (added.length === 0 || nameKey(msg.sender) === nameKey(s.username)) return;
    views.announce(`${msg.sender}: ${msg.content}`);
    views.noteUnread();
  }

  /** @param {Session} s @param {Notice} notice */
  function onNotice(s, notice) {
    const isOwnJoin = notice.kind === "joined" && typeof notice.username === "string" && nameKey(notice.username) === nameKey(s.username);
    if (isOwnJoin) {
      // Rejoining after a reconnect announces us again; once per visit to a room is enough.
      if (s.sawOwnJoin) return;
      s.sawOwnJoin = true;
    } else {
      views.announce(notice.content);
    }
    if (typeof notice.username === "string" && notice.kind === "left") typingIndicator.stopped(notice.username);
    list.addNotice(notice);
  }

  /**
   * Shows stored messages once each; our own pending ones turn into sent ones.
   * @param {Session} s @param {WireMessage[]} messages @param {boolean} isNew
   * @returns {WireMessage[]} the ones that were new on screen
   */
  function ingest(s, messages, isNew) {
    const fresh = [];
    for (const m of messages) {
      s.maxSeen = Math.max(s.maxSeen, m.id);
      if (m.clientId && outbox.confirm(m.clientId, m)) continue;
      fresh.push(m);
    }
    // While catching up after a reconnect, live messages must not move the resume point past a gap.
    if (s.isJoined) s.lastId = s.maxSeen;
    return list.addMessages(fresh, { isNew });
  }

  /** @param {MessageUpdatedEvent} ev */
  function onMessageUpdated(ev) {
    const s = session;
    if (!s || !ev || ev.room !== s.room || typeof ev.id !== "number") return;
    list.applyUpdate(ev);
    const buffered = s.liveBuffer?.find((m) => m.id === ev.id);
    if (buffered) Object.assign(buffered, ev.deletedAt ? { content: "", deletedAt: ev.deletedAt } : ev);
    onUpdated(ev);
  }

  /** A moderator took this page out of the room: back home, saying why. @param {RemovedEvent} ev */
  function onRemoved(ev) {
    const s = session;
    if (!s || !ev || ev.room !== s.room) return;
    leaveRoom({ push: true, notify: false });
    views.showRemoved(ev.reason, ev.until);
  }

  /** A whole list (servers before issue 9) or a delta {joined, left}. @param {PresenceEvent} ev */
  function onPresence(ev) {
    if (!session || !ev || ev.room !== session.room) return;
    if (presence.apply(ev)) views.renderPresence(presence.names, session.username);
  }

  /**
   * The join answer's list of who is here, when the server sends one (issue 9); an older server sends
   * a whole-list presence event instead, right after.
   * @param {Session} s @param {string[] | undefined} users
   */
  function takePresence(s, users) {
    if (!Array.isArray(users)) return;
    presence.reset(users);
    views.renderPresence(presence.names, s.username);
  }

  // ---------- joining and leaving ----------

  /**
   * @param {string} username
   * @param {string} room
   * @param {{ push: boolean, messageId?: number | null }} opts push: a new history entry (a click), else
   *   replace (load, back/forward); messageId: a permalink's message, opened in context after the join
   */
  async function enterRoom(username, room, opts) {
    const s = ensureSocket();
    const roomKey = room.normalize("NFC").trim();
    joining = { room: roomKey, buffer: [] };
    views.setJoinBusy(true);
    const res = await emitAck(s, "join_chat", { username, room }, JOIN_TIMEOUT_MS);
    views.setJoinBusy(false);
    const buffered = joining?.room === roomKey ? joining.buffer : [];
    joining = null;
    if (!res.ok) {
      views.showHome({ focus: false });
      views.showJoinError(res.error);
      return false;
    }
    rememberName(res.username);
    els.username.value = res.username;
    const initial = /** @type {WireMessage[]} */ (res.history);
    const last = initial.at(-1)?.id ?? 0;
    session = {
      room: res.room,
      username: res.username,
      lastId: last,
      maxSeen: last,
      hasMoreOlder: Boolean(res.hasMore),
      isLoadingOlder: false,
      isJoined: true,
      isRejoining: false,
      sawOwnJoin: false,
      rejoinGen: 0,
      isModerator: res.isModerator === true,
      isDetached: false,
      hasMoreNewer: false,
      isLoadingNewer: false,
      liveBuffer: null,
      jumpGen: 0,
    };
    isRestarting = false;
    list.reset(res.username);
    outbox.clear();
    typingIndicator.clear();
    presence.reset([res.username]);
    views.renderPresence(presence.names, res.username);
    takePresence(session, res.users);
    composer.reset();
    showRoomAddress(res.room, opts.push);
    views.openRoom(res.room);
    onEntered(res.room);
    ingest(session, initial, false);
    for (const fn of buffered) fn();
    updateHistoryStatus();
    list.scrollToBottom();
    composer.focus();
    if (typeof opts.messageId === "number") await jumpTo(opts.messageId);
    else fillViewWithOlder();
    return true;
  }

  /** After a reconnect: join again from the last message seen, and page forward until caught up. */
  async function rejoin() {
    const s = session;
    if (!s || !socket || !socket.connected || s.isRejoining) return;
    const gen = ++s.rejoinGen;
    const isCurrent = () => session === s && s.rejoinGen === gen;
    s.isRejoining = true;
    s.isJoined = false;
    const res = await emitAck(socket, "join_chat", { username: s.username, room: s.room, since: s.lastId }, JOIN_TIMEOUT_MS);
    if (!isCurrent()) return;
    if (!res.ok) {
      s.isRejoining = false;
      handleRejoinFailure(s, res.error);
      return;
    }
    takePresence(s, res.users);
    setModerator(s, res.isModerator === true);
    ingest(s, res.history, true);
    let cursor = res.history.at(-1)?.id ?? s.lastId;
    let hasMore = Boolean(res.hasMoreAfter);
    for (let pages = 0; hasMore; pages++) {
      if (pages >= MAX_CATCH_UP_PAGES) {
        await restartFromNewest(s);
        return;
      }
      const page = await emitAck(socket, "fetch_history", { room: s.room, after: cursor, limit: CATCH_UP_PAGE }, HISTORY_TIMEOUT_MS);
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
      ingest(s, page.messages, true);
      cursor = page.messages.at(-1)?.id ?? cursor;
      hasMore = Boolean(page.hasMore);
    }
    s.isRejoining = false;
    s.isJoined = true;
    s.lastId = s.maxSeen;
    // Caught up from the newest message shown: a detached window now reaches the live end.
    attach(s);
    isRestarting = false;
    serverDisconnectRetryMs = 1000;
    views.setBanner(null);
    outbox.pump();
  }

  /** Too much was missed to page through: show the newest messages, as a fresh visit would. @param {Session} s */
  async function restartFromNewest(s) {
    if (!socket) return;
    const gen = s.rejoinGen;
    const res = await emitAck(socket, "join_chat", { username: s.username, room: s.room }, JOIN_TIMEOUT_MS);
    if (session !== s || s.rejoinGen !== gen) return;
    s.isRejoining = false;
    if (!res.ok) {
      handleRejoinFailure(s, res.error);
      return;
    }
    takePresence(s, res.users);
    setModerator(s, res.isModerator === true);
    list.clearStored();
    attach(s);
    const last = res.history.at(-1)?.id ?? s.lastId;
    s.lastId = last;
    s.maxSeen = last;
    s.hasMoreOlder = Boolean(res.hasMore);
    s.isJoined = true;
    isRestarting = false;
    ingest(s, res.history, false);
    updateHistoryStatus();
    views.setBanner(null);
    outbox.pump();
  }

  /** @param {Session} s @param {ErrorBody | LocalFailure["error"]} error */
  function handleRejoinFailure(s, error) {
    if (error.code === "disconnected") return; // the next connect tries again
    if (error.code === "banned") {
      leaveRoom({ push: true, notify: false });
      views.showJoinError(error);
      return;
    }
    if (error.code === "name_taken" || error.code === "invalid_name" || error.code === "invalid_room") {
      // Someone else took the name while we were away: back to the form, saying so.
      leaveRoom({ push: true, notify: false });
      views.showJoinError(error.code === "name_taken" ? { code: error.code, message: `While you were away, ${error.message}` } : error);
      return;
    }
    setTimeout(() => void rejoin(), error.retryAfterMs ?? 2000);
  }

  /**
   * @param {{ push: boolean, notify?: boolean }} opts
   */
  function leaveRoom(opts) {
    const s = session;
    session = null;
    if (s && socket?.connected && opts.notify !== false) {
      void emitAck(socket, "leave_chat", { room: s.room, username: s.username }, JOIN_TIMEOUT_MS);
    }
    outbox.clear();
    typingIndicator.clear();
    list.reset("");
    views.setBanner(null);
    presence.reset([]);
    views.renderPresence([], "");
    views.setJoinTitle("");
    showHomeAddress(opts.push);
    views.showHome({ focus: true });
    onLeft();
  }

  /** @param {Session} s @param {boolean} isModerator */
  function setModerator(s, isModerator) {
    if (s.isModerator === isModerator) return;
    s.isModerator = isModerator;
    list.redecorate();
    views.renderPresence(presence.names, s.username);
  }

  // ---------- a message in context (search, permalink) ----------

  /**
   * Shows message `id` with its neighbours: at once when it is on screen, else the loaded window is
   * replaced by fetch_history {around}. Until the window reaches the newest message, live messages wait
   * in a buffer (appending them would leave a gap) and scrolling down pages newer ones.
   * @param {number} id
   * @returns {Promise<boolean>} whether the message is shown
   */
  async function jumpTo(id) {
    const s = session;
    if (!s || !socket) return false;
    if (list.has(id)) return list.showMessage(id);
    const gen = ++s.jumpGen;
    s.liveBuffer ??= []; // from now on live messages wait: the window is about to be replaced
    const res = await emitAck(socket, "fetch_history", { room: s.room, around: id, limit: AROUND_PAGE }, HISTORY_TIMEOUT_MS);
    if (session !== s || s.jumpGen !== gen) return false;
    if (!res.ok || !res.messages.some((m) => m.id === id)) {
      if (!s.isDetached) flushLive(s);
      const isGone = res.ok || res.error.code === "not_found";
      views.announce(isGone || res.ok ? "That message is not in this room any more." : `Could not open the message: ${res.error.message}`);
      return false;
    }
    list.clearStored();
    s.hasMoreOlder = Boolean(res.hasMore);
    s.hasMoreNewer = Boolean(res.hasMoreAfter);
    s.maxSeen = 0;
    s.isDetached = s.hasMoreNewer;
    list.setDetached(s.isDetached);
    ingest(s, res.messages, false);
    if (!s.isDetached) flushLive(s);
    s.lastId = s.maxSeen;
    list.showJumpToLatest(s.isDetached);
    updateHistoryStatus();
    list.showMessage(id);
    return true;
  }

  /** Scrolling down a detached window: the next newer page, and the live end once it is reached. */
  async function loadNewer() {
    const s = session;
    if (!s || !socket || !s.isDetached || s.isLoadingNewer || !s.isJoined) return;
    const after = list.newestId;
    if (after === null) return;
    s.isLoadingNewer = true;
    const gen = s.jumpGen;
    const res = await emitAck(socket, "fetch_history", { room: s.room, after, limit: NEWER_PAGE }, HISTORY_TIMEOUT_MS);
    if (session !== s || s.jumpGen !== gen) return;
    s.isLoadingNewer = false;
    if (!res.ok) {
      if (res.error.code === "rate_limited") setTimeout(() => void loadNewer(), res.error.retryAfterMs ?? 500);
      return;
    }
    ingest(s, res.messages, false);
    s.lastId = s.maxSeen;
    if (!res.hasMore) attach(s);
  }

  /** The window reaches the newest message: live messages flow again, those that waited first. @param {Session} s */
  function attach(s) {
    s.hasMoreNewer = false;
    if (s.liveBuffer === null) return;
    s.isDetached = false;
    list.setDetached(false);
    list.showJumpToLatest(false);
    flushLive(s);
  }

  /** @param {Session} s */
  function flushLive(s) {
    const waiting = s.liveBuffer ?? [];
    s.liveBuffer = null;
    s.isDetached = false;
    ingest(s, waiting, true);
  }

  /** Leaves a detached window for the newest messages (the "Latest messages" button, or sending). */
  async function returnToLive() {
    const s = session;
    if (!s || !socket || !s.isDetached) return;
    const gen = ++s.jumpGen;
    const res = await emitAck(socket, "fetch_history", { room: s.room, limit: OLDER_PAGE }, HISTORY_TIMEOUT_MS);
    if (session !== s || s.jumpGen !== gen || !res.ok) return;
    list.clearStored();
    // Live messages that arrived meanwhile may be newer than the page: they follow it (the list skips repeats).
    const waiting = s.liveBuffer ?? [];
    s.liveBuffer = null;
    s.isDetached = false;
    s.hasMoreNewer = false;
    s.isLoadingNewer = false;
    s.hasMoreOlder = Boolean(res.hasMore);
    list.setDetached(false);
    list.showJumpToLatest(false);
    ingest(s, res.messages, false);
    ingest(s, waiting, false);
    s.lastId = s.maxSeen;
    updateHistoryStatus();
    list.scrollToBottom();
  }

  /**
   * Any other request about the current room (search, edit, delete, kick, ban), answered as a promise.
   * @template {keyof ClientToServerEvents} E
   * @param {E} event @param {Parameters<ClientToServerEvents[E]>[0]} payload
   * @returns {Promise<AckOf<E> | LocalFailure>}
   */
  function request(event, payload) {
    if (!socket || !socket.connected) return Promise.resolve(failure("disconnected", "Not connected; try again when the connection is back."));
    return emitAck(socket, event, payload, HISTORY_TIMEOUT_MS);
  }

  // ---------- older history ----------

  async function loadOlder() {
    const s = session;
    if (!s || !socket || !s.hasMoreOlder || s.isLoadingOlder || !s.isJoined) return;
    const before = list.oldestId;
    if (before === null) {
      s.hasMoreOlder = false;
      updateHistoryStatus();
      return;
    }
    s.isLoadingOlder = true;
    updateHistoryStatus();
    const res = await emitAck(socket, "fetch_history", { room: s.room, before, limit: OLDER_PAGE }, HISTORY_TIMEOUT_MS);
    if (session !== s) return;
    s.isLoadingOlder = false;
    if (res.ok) {
      list.prependOlder(res.messages);
      s.hasMoreOlder = Boolean(res.hasMore);
    } else if (res.error.code === "rate_limited") {
      setTimeout(() => void loadOlder(), res.error.retryAfterMs ?? 500);
    }
    updateHistoryStatus();
    if (res.ok) fillViewWithOlder();
  }

  /** A short page leaves no scrollbar to pull on: keep loading until the view is full or the room begins. */
  function fillViewWithOlder() {
    const s = session;
    if (s && s.hasMoreOlder && els.scroller.scrollHeight <= els.scroller.clientHeight) void loadOlder();
  }

  function updateHistoryStatus() {
    const s = session;
    views.updateHistoryStatus({ hasMore: s !== null && s.hasMoreOlder, isLoading: s !== null && s.isLoadingOlder });
  }

  // ---------- sending (for the outbox) ----------

  function canSend() {
    return session !== null && session.isJoined && socket !== null && socket.connected;
  }

  /** @param {{ content: string, clientId: string }} payload @param {number} timeoutMs */
  function send(payload, timeoutMs) {
    const s = session;
    if (!s || !socket) return Promise.resolve(failure("disconnected", "Not connected."));
    return emitAck(socket, "send_message", { username: s.username, room: s.room, ...payload }, timeoutMs);
  }

  /** @param {string} room */
  function sendTyping(room) {
    if (socket) signalTyping(socket, { room, isTyping: true });
  }

  return {
    /** The room this page is in, or null on the home view. */
    current: () => session,
    /** Who is in the current room now, as the presence list shows them (for completing `@name`). */
    members: () => (session ? presence.names : []),
    enterRoom,
    leaveRoom,
    rejoin,
    loadOlder,
    loadNewer,
    jumpTo,
    returnToLive,
    request,
    canSend,
    send,
    sendTyping,
  };
}

/** @typedef {ReturnType<typeof createRoomSession>} RoomSession */

/** @param {number} ms @returns {Promise<void>} */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
