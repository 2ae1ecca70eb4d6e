// One joined room's session: its state in one object (resume point, paging, detached window, moderator
// flag), its own message list, outbox, people list and typing line, what arrives in it (messages, notices,
// presence, typing, edits and reactions, removal by a moderator), and paging older history. Catching up after a reconnect
// or a reload (join_chat {since}) is room-catch-up.js's, a window opened around one message (search,
// permalink) room-window.js's; the connection and the other rooms are rooms.js's and connection-hub.js's.
import { nameKey } from "./format.js";
import { messageSummary } from "./file-info.js";
import { createCatchUp } from "./room-catch-up.js";
import { createMessageWindow } from "./room-window.js";
import { MessageList } from "./message-list.js";
import { mergeReactions } from "./reactions-view.js";
import { Outbox } from "./outbox.js";
import { RoomPresence } from "./presence.js";
import { TypingIndicator } from "./typing.js";

const HISTORY_TIMEOUT_MS = 10_000;
const OLDER_PAGE = 50;
/** Live messages kept while a detached window is shown; more than this and the live end is reloaded. */
const MAX_LIVE_BUFFER = 500;

/** @import { ErrorBody, JoinResult, MessageEvent, MessageUpdatedEvent, Notice, PresenceEvent, ReactionsUpdatedEvent, RemovedEvent, ResyncEvent, TypingEvent, WireMessage } from "../../src/protocol.js" */
/** @import { LocalFailure } from "./connection.js" */
/** @import { MessageMeta } from "./message-list.js" */
/** @typedef {"live" | "catchup" | "history"} Source */

/**
 * @typedef {{
 *   hub: import("./connection-hub.js").Hub,
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   isShown: (s: RoomState) => boolean,
 *   keepMessages: number,
 *   decorate: (li: HTMLLIElement, meta: MessageMeta, isModerator: boolean) => void,
 *   onArrival: (s: RoomState, msg: WireMessage, source: Source) => void,
 *   onAtBottom: (s: RoomState) => void,
 *   onUpdated: (s: RoomState, ev: MessageUpdatedEvent) => void,
 *   onRemoved: (s: RoomState, ev: RemovedEvent) => void,
 *   onLost: (s: RoomState, error: ErrorBody | LocalFailure["error"]) => void,
 *   onCaughtUp: (s: RoomState) => void,
 *   onHeldUnsent: (s: RoomState, items: import("./outbox.js").CarriedItem[]) => void,
 *   focusComposer: () => void,
 *   titleOf: (room: string) => string,
 *   outboxStore?: import("./outbox-store.js").OutboxStore,
 * }} SessionDeps
 */

/**
 * Everything about one joined room, in one object.
 * @typedef {{
 *   room: string, username: string,
 *   lastId: number, maxSeen: number,
 *   hasMoreOlder: boolean, isLoadingOlder: boolean,
 *   isJoined: boolean, isRejoining: boolean, sawOwnJoin: boolean,
 *   rejoinGen: number,
 *   isModerator: boolean,
 *   isDetached: boolean, hasMoreNewer: boolean, isLoadingNewer: boolean, liveBuffer: WireMessage[] | null,
 *   jumpGen: number,
 *   isGone: boolean,
 *   draft: string,
 *   list: MessageList, outbox: Outbox, presence: RoomPresence, typing: TypingIndicator,
 * }} RoomState
 */

/**
 * A session for `room`, not yet joined on this connection: `start` it with a join answer, or `rejoin` it
 * (a room remembered from an earlier visit, from `lastId` on).
 * @param {{ room: string, username: string, lastId: number }} init
 * @param {SessionDeps} deps
 */
export function createRoomSession(init, deps) {
  const { hub, els, views } = deps;
  const doc = els.scroller.ownerDocument;
  const ol = doc.createElement("ol");
  ol.className = "messages";
  const list = new MessageList({
    scroller: els.scroller,
    list: ol,
    newButton: els.newMessages,
    onNearTop: () => void loadOlder(),
    onNearBottom: () => void messageWindow.loadNewer(),
    onNewButton: () => void messageWindow.returnToLive(),
    onAtBottom: () => deps.onAtBottom(s),
  });
  /** @type {RoomState} */
  const s = {
    room: init.room,
    username: init.username,
    lastId: init.lastId,
    maxSeen: init.lastId,
    hasMoreOlder: true,
    isLoadingOlder: false,
    isJoined: false,
    isRejoining: false,
    sawOwnJoin: false,
    rejoinGen: 0,
    isModerator: false,
    isDetached: false,
    hasMoreNewer: false,
    isLoadingNewer: false,
    liveBuffer: null,
    jumpGen: 0,
    isGone: false,
    draft: "",
    list,
    outbox: new Outbox({
      list,
      canSend: () => canSend(),
      emit: (payload, timeoutMs) => hub.request("send_message", { username: s.username, room: s.room, ...payload }, timeoutMs),
      onFailed: (_content, error) => views.announce(`Message not sent in ${deps.titleOf(s.room)}: ${error}`),
      onNotInRoom: () => void rejoin(),
      onRetried: () => deps.focusComposer(),
      store: deps.outboxStore?.forRoom(init.room, () => s.username, (kept) => void (s.isGone || restoreKept(kept))),
    }),
    presence: new RoomPresence(),
    typing: new TypingIndicator(els.typing, () => isShown()),
  };
  list.reset(s.username);
  list.decorate = (li, meta) => deps.decorate(li, meta, s.isModerator);

  const isShown = () => !s.isGone && deps.isShown(s);
  /** The device's kept messages; when the room is joined here already, what a move held on an earlier page goes at once. @param {import("./outbox-store.js").KeptMessage[]} kept */
  function restoreKept(kept) {
    if (s.outbox.restore(kept) && s.isJoined) resumeSending();
  }
  /** Waiting for the room to be joined on this connection (a message opened in a room still rejoining). */
  /** @type {(() => void)[]} */
  let joinWaiters = [];

  function wakeJoinWaiters() {
    const waiting = joinWaiters;
    joinWaiters = [];
    for (const wake of waiting) wake();
  }

  // ---------- incoming ----------

  /** @param {MessageEvent} msg */
  function onMessage(msg) {
    if (s.isGone || !msg || typeof msg.content !== "string") return;
    if (!("id" in msg) || typeof msg.id !== "number") {
      onNotice(/** @type {Notice} */ (msg));
      return;
    }
    s.typing.stopped(String(msg.sender));
    if (s.liveBuffer) {
      // A window around an older message is shown: this one waits until the reader pages down to it.
      deps.onArrival(s, msg, "live");
      if (msg.clientId && s.outbox.has(msg.clientId)) s.outbox.confirm(msg.clientId, msg);
      else if (s.liveBuffer.length < MAX_LIVE_BUFFER) s.liveBuffer.push(msg);
      else s.hasMoreNewer = true; // paging forward finds it
      return;
    }
    const added = ingest([msg], true, "live");
    if (added.length === 0 || nameKey(msg.sender) === nameKey(s.username)) return;
    if (isShown()) views.announce(`${msg.sender}: ${messageSummary(msg)}`, { room: s.room, id: msg.id });
  }

  /** @param {Notice} notice */
  function onNotice(notice) {
    const isOwnJoin = notice.kind === "joined" && typeof notice.username === "string" && nameKey(notice.username) === nameKey(s.username);
    if (isOwnJoin) {
      // Rejoining after a reconnect announces us again; once per visit to a room is enough.
      if (s.sawOwnJoin) return;
      s.sawOwnJoin = true;
    } else if (isShown()) {
      views.announce(notice.content);
    }
    if (typeof notice.username === "string" && notice.kind === "left") s.typing.stopped(notice.username);
    list.addNotice(notice);
  }

  /**
   * Shows stored messages once each; our own pending ones turn into sent ones. Each is told to the rooms
   * (unread counts, notifications) with where it came from; `null` when it was told already (a message
   * that waited in the live buffer).
   * @param {WireMessage[]} messages @param {boolean} isNew @param {Source | null} source
   * @returns {WireMessage[]} the ones that were new on screen
   */
  function ingest(messages, isNew, source) {
    const fresh = [];
    for (const m of messages) {
      s.maxSeen = Math.max(s.maxSeen, m.id);
      if (m.clientId && s.outbox.confirm(m.clientId, m)) continue;
      fresh.push(m);
    }
    // While catching up after a reconnect, live messages must not move the resume point past a gap.
    if (s.isJoined) s.lastId = s.maxSeen;
    const added = list.addMessages(fresh, { isNew });
    if (source !== null) for (const m of messages) deps.onArrival(s, m, source);
    if (list.storedCount > deps.keepMessages + trimSlack()) trimAway();
    return added;
  }

  /** Trimming waits for this many messages over the limit, so a busy room is not trimmed at every message. */
  const trimSlack = () => Math.max(10, Math.round(deps.keepMessages / 10));

  /**
   * A room off screen, left at its newest message, keeps only its newest `keepMessages`: a page left open all
   * day stays small. Scrolling up fetches the older ones again. A room left scrolled up into its history, or
   * showing a window around an older message, keeps everything (its reader's place is in what would go).
   */
  function trimAway() {
    if (list.isShown || !list.isPinned || s.isDetached || s.liveBuffer) return;
    if (list.trimOldest(deps.keepMessages) > 0) s.hasMoreOlder = true;
  }

  /** @param {MessageUpdatedEvent} ev */
  function onMessageUpdated(ev) {
    if (s.isGone || !ev || typeof ev.id !== "number") return;
    list.applyUpdate(ev);
    // An announcement of it still in the live region: the new text (as the list now has it), or gone.
    const shown = ev.deletedAt ? null : list.info(ev.id);
    views.reviseAnnouncement({ room: s.room, id: ev.id }, shown ? `${shown.sender}: ${messageSummary(shown)}` : null);
    const buffered = s.liveBuffer?.find((m) => m.id === ev.id);
    if (buffered) Object.assign(buffered, ev.deletedAt ? { content: "", deletedAt: ev.deletedAt } : ev);
    deps.onUpdated(s, ev);
  }

  /** Issue 22: a message's reactions changed; one waiting in the live buffer takes them too. @param {ReactionsUpdatedEvent} ev */
  function onReactions(ev) {
    if (s.isGone || !ev || typeof ev.id !== "number" || !Array.isArray(ev.reactions)) return;
    list.applyReactions(ev);
    const buffered = s.liveBuffer?.find((m) => m.id === ev.id);
    if (buffered) buffered.reactions = mergeReactions(buffered.reactions, ev);
  }

  /** A moderator took this page out of the room (only this one). @param {RemovedEvent} ev */
  function onRemoved(ev) {
    if (s.isGone || !ev) return;
    deps.onRemoved(s, ev);
  }

  /** A whole list (servers before issue 9) or a delta {joined, left}. @param {PresenceEvent} ev */
  function onPresence(ev) {
    if (s.isGone || !ev) return;
    if (s.presence.apply(ev) && isShown()) views.renderPresence(s.presence.names, s.username);
  }

  /** @param {TypingEvent} ev */
  function onTyping(ev) {
    if (s.isGone || !ev || nameKey(String(ev.username)) === nameKey(s.username)) return;
    s.typing.set(String(ev.username), ev.isTyping !== false);
  }

  /**
   * Multi-node mode: the server's link to the other nodes was down; catch up as after a reconnect, from
   * the server's cursor when it is older (a newer live message may have arrived after the gap).
   * @param {ResyncEvent} ev
   */
  function onResync(ev) {
    if (s.isGone || !s.isJoined) return;
    if (typeof ev.after === "number" && ev.after < s.lastId) s.lastId = ev.after;
    void rejoin();
  }

  /**
   * The join answer's list of who is here, when the server sends one (issue 9); an older server sends
   * a whole-list presence event instead, right after.
   * @param {string[] | undefined} users
   */
  function takePresence(users) {
    if (!Array.isArray(users)) return;
    s.presence.reset(users);
    if (isShown()) views.renderPresence(s.presence.names, s.username);
  }

  hub.route(s.room, { message: onMessage, updated: onMessageUpdated, reactions: onReactions, removed: onRemoved, presence: onPresence, typing: onTyping, resync: onResync });

  // ---------- joining ----------

  /**
   * The answer to a first join (no `since`): the newest messages, who is here.
   * @param {JoinResult} res @param {() => void} settle runs the events held back during the join
   */
  function start(res, settle) {
    s.isJoined = true;
    s.isModerator = res.isModerator === true;
    s.hasMoreOlder = Boolean(res.hasMore);
    s.presence.reset([res.username]);
    takePresence(res.users);
    ingest(/** @type {WireMessage[]} */ (res.history), false, "history");
    settle();
    wakeJoinWaiters();
  }

  // ---------- a message in context, catching up (their own files) ----------

  const messageWindow = createMessageWindow(s, {
    hub,
    views,
    ingest,
    updateHistoryStatus,
    whenJoined: () => new Promise((resolve) => joinWaiters.push(() => resolve(undefined))),
  });

  const { rejoin, resumeSending } = createCatchUp(s, {
    hub,
    takePresence,
    setModerator,
    ingest,
    attach: messageWindow.attach,
    updateHistoryStatus,
    fillViewWithOlder,
    isShown,
    wakeJoinWaiters,
    onCaughtUp: deps.onCaughtUp,
    onLost: deps.onLost,
    onHeldUnsent: deps.onHeldUnsent,
  });

  /** The connection dropped: everything on its way waits for the next one. */
  function disconnected() {
    s.outbox.disconnected();
    s.typing.clear();
    s.isJoined = false;
    s.isRejoining = false;
    s.rejoinGen++; // a catch-up still running belongs to the old connection: it stops
  }

  /** Leaving (Leave, a removal, a lost rejoin): nothing of this room reacts any more. */
  function close() {
    s.isGone = true;
    wakeJoinWaiters();
    s.outbox.clear();
    s.typing.clear();
    hub.unroute(s.room);
    ol.remove();
  }

  /** @param {boolean} isModerator */
  function setModerator(isModerator) {
    if (s.isModerator === isModerator) return;
    s.isModerator = isModerator;
    list.redecorate();
    if (isShown()) views.renderPresence(s.presence.names, s.username);
  }

  // ---------- on screen ----------

  /** This room goes on screen: its list, people, typing line and history status. */
  function show() {
    list.show();
    s.typing.render();
    views.renderPresence(s.presence.names, s.username);
    updateHistoryStatus();
    fillViewWithOlder();
  }

  // ---------- older history ----------

  async function loadOlder() {
    if (s.isGone || !s.hasMoreOlder || s.isLoadingOlder || !s.isJoined) return;
    // A reloaded room with nothing new since the last visit has no message yet: older than the resume point.
    const before = list.oldestId ?? (s.maxSeen > 0 ? s.maxSeen + 1 : null);
    if (before === null) {
      s.hasMoreOlder = false;
      updateHistoryStatus();
      return;
    }
    s.isLoadingOlder = true;
    updateHistoryStatus();
    const res = await hub.request("fetch_history", { room: s.room, before, limit: OLDER_PAGE }, HISTORY_TIMEOUT_MS);
    if (s.isGone) return;
    s.isLoadingOlder = false;
    if (res.ok) {
      if (list.oldestId === null) list.addMessages(res.messages, { isNew: false });
      else list.prependOlder(res.messages);
      for (const m of res.messages) deps.onArrival(s, m, "history");
      s.hasMoreOlder = Boolean(res.hasMore);
    } else if (res.error.code === "rate_limited") {
      setTimeout(() => void loadOlder(), res.error.retryAfterMs ?? 500);
    }
    updateHistoryStatus();
    if (res.ok && isShown()) fillViewWithOlder();
  }

  /** A short page leaves no scrollbar to pull on: keep loading until the view is full or the room begins. */
  function fillViewWithOlder() {
    if (s.hasMoreOlder && els.scroller.scrollHeight <= els.scroller.clientHeight) void loadOlder();
  }

  function updateHistoryStatus() {
    if (!isShown()) return;
    views.updateHistoryStatus({ hasMore: s.hasMoreOlder, isLoading: s.isLoadingOlder });
  }

  // ---------- sending (for the outbox) ----------

  function canSend() {
    return !s.isGone && s.isJoined && hub.isConnected();
  }

  return {
    state: s,
    trimAway,
    start,
    rejoin,
    disconnected,
    close,
    show,
    jumpTo: messageWindow.jumpTo,
    loadOlder,
    returnToLive: messageWindow.returnToLive,
    canSend,
  };
}

/** @typedef {ReturnType<typeof createRoomSession>} RoomSession */
