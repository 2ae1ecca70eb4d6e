// One joined room's session: its state in one object (resume point, paging, detached window, moderator
// flag), its own message list, outbox, people list and typing line; its lifecycle (the first join's answer, the
// connection dropping, closing) and what it shows (on screen, paging older history). What arrives in it (messages,
// notices, edits and reactions, presence, typing, removal by a moderator) and trimming are room-live-events.js's;
// catching up after a reconnect or a reload (join_chat {since}) room-catch-up.js's; a window opened around one
// message (search, permalink) room-window.js's; the connection and the other rooms rooms.js's and connection-hub.js's.
import { createCatchUp } from "./room-catch-up.js";
import { createMessageWindow } from "./room-window.js";
import { createLiveEvents } from "./room-live-events.js";
import { MessageList } from "./message-list.js";
import { Outbox } from "./outbox.js";
import { RoomPresence } from "./presence.js";
import { TypingIndicator } from "./typing.js";

const HISTORY_TIMEOUT_MS = 10_000;
const OLDER_PAGE = 50;

/** @import { ErrorBody, JoinResult, MessageUpdatedEvent, RemovedEvent, WireMessage } from "../../src/protocol.js" */
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
 *   rejoinGen: number, rejoinToken: string | undefined,
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
 * (a room remembered from an earlier visit, from `lastId` on, with the `rejoinToken` of its last join).
 * @param {{ room: string, username: string, lastId: number, rejoinToken?: string }} init
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
    rejoinToken: init.rejoinToken,
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

  // ---------- what arrives (its own file) ----------

  const { routes, ingest, trimAway, takePresence } = createLiveEvents(s, {
    views,
    isShown,
    keepMessages: deps.keepMessages,
    onArrival: deps.onArrival,
    onUpdated: deps.onUpdated,
    onRemoved: deps.onRemoved,
    rejoin: () => void rejoin(),
  });
  hub.route(s.room, routes);

  // ---------- joining ----------

  /**
   * The answer to a first join (no `since`): the newest messages, who is here.
   * @param {JoinResult} res @param {() => void} settle runs the events held back during the join
   */
  function start(res, settle) {
    s.isJoined = true;
    s.rejoinToken = res.rejoinToken;
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
