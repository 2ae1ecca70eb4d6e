// The rooms this page is in (issue 13): every joined room keeps its session live on the one connection;
// one is on screen at a time. Which room is on screen (a room joined from the form or a link, switching: instant,
// nothing is fetched again; the join form; Alt+↑/↓ through the sidebar's order), the connection's banner, and the
// seams other parts use: onRoomMessage, openRoom, currentRoom, myName, members, onConnected, onRoomAdded. How a
// room is joined (first, in the background, remembered across visits) is room-joins.js's; leaving and losing a
// room, and a room that moved, room-exits.js's; counting what is unread, the sidebar and the title
// room-counts.js's; what a room is called room-info.js's.
import { createHub } from "./connection-hub.js";
import { createRoomCounts } from "./room-counts.js";
import { createRoomExits } from "./room-exits.js";
import { createRoomJoins } from "./room-joins.js";
import { showHomeAddress, showRoomAddress } from "./address.js";
import { rememberName } from "./remembered.js";

const REQUEST_TIMEOUT_MS = 10_000;

/** @import { ClientToServerEvents, MessageUpdatedEvent, RoomAddedEvent } from "../../src/protocol.js" */
/** @import { AckOf, LocalFailure } from "./connection.js" */
/** @import { RoomSession } from "./room-session.js" */
/** @import { Level } from "./unread.js" */
/** @import { MessageMeta } from "./message-list.js" */
/** @import { RoomMessageHook, SidebarEntry } from "./room-counts.js" */

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   composer: () => { draft(): string, setDraft(text: string): void, focus(): void },
 *   decorate: (li: HTMLLIElement, meta: MessageMeta, isModerator: boolean) => void,
 *   render: (entries: SidebarEntry[]) => void,
 *   keepMessages: number,
 *   info: import("./room-info.js").RoomInfos,
 *   onUpdated?: (ev: MessageUpdatedEvent) => void,
 *   onSwitched?: () => void,
 *   onCaughtUp?: (room: string) => void,
 *   onAnyUpdate?: (room: string, ev: MessageUpdatedEvent) => void, outboxStore?: import("./outbox-store.js").OutboxStore,
 *   onForgotten?: (room: string) => void,
 * }} deps onAnyUpdate: an edit or delete in any joined room; outboxStore: the outbox kept on the device (issue 23);
 *   onForgotten: a room is no longer this page's (left, taken out, lost, moved)
 */
export function createRooms({ doc, els, views, composer, decorate, render, keepMessages, info, onUpdated = () => {}, onSwitched = () => {}, onCaughtUp = () => {}, onAnyUpdate = () => {}, outboxStore, onForgotten = () => {} }) {
  /** Joined rooms, in the order they were joined (the sidebar's order). @type {Map<string, RoomSession>} */
  const sessions = new Map();
  /** The room on screen, or null (home view). */
  let currentKey = /** @type {string | null} */ (null);
  let isRestarting = false;
  /** The connection banner ("Reconnecting…"): the connection is one for every room. */
  let banner = /** @type {string | null} */ (null);
  /** @type {Set<() => void>} */
  const connectedHooks = new Set();
  /** @type {Set<(ev: RoomAddedEvent) => void>} */
  const addedHooks = new Set();
  /** @type {Set<(room: string) => void>} */
  const membersHooks = new Set();
  const counts = createRoomCounts({ doc, els, sessions, currentRoom: () => currentKey, render, info });

  const hub = createHub({
    onConnect: () => {
      for (const r of sessions.values()) void r.rejoin();
      for (const fn of connectedHooks) fn();
    },
    onDisconnect: () => {
      for (const r of sessions.values()) r.disconnected();
      if (sessions.size > 0) setBanner(isRestarting ? "Server restarting…" : "Reconnecting…");
    },
    onServerShutdown: () => {
      isRestarting = true;
      if (sessions.size > 0) setBanner("Server restarting…");
    },
    onRoomAdded: (ev) => {
      for (const fn of addedHooks) fn(ev);
    },
    onRoomMoved: (ev) => void exits.move(ev),
    onMembersChanged: (room) => {
      for (const fn of membersHooks) fn(room);
    },
    // Whether every member may invite changed: a member's Invite control follows (a manager's never depended on it).
    onRoomUpdated: (ev) => {
      const known = info.known(ev.room);
      if (known) info.set({ ...known, membersCanInvite: ev.membersCanInvite, canInvite: known.canManage === true || ev.membersCanInvite });
    },
  });

  /** @type {import("./room-session.js").SessionDeps} */
  const sessionDeps = {
    hub,
    els,
    views,
    isShown: (s) => currentKey === s.room,
    keepMessages,
    decorate,
    onArrival: counts.onArrival,
    onAtBottom: () => counts.queueFlush(),
    onUpdated: (s, ev) => {
      if (typeof ev.deletedAt === "string") counts.onDeleted(s.room, ev.id);
      onAnyUpdate(s.room, ev);
      if (currentKey === s.room) onUpdated(ev);
    },
    onRemoved: (s, ev) => exits.onRemoved(s, ev),
    onLost: (s, error) => exits.onLost(s, error),
    onHeldUnsent: (s, items) => exits.keepHeld(s, items),
    onCaughtUp: (s) => {
      onCaughtUp(s.room);
      if ([...sessions.values()].every((r) => r.state.isJoined)) {
        isRestarting = false;
        setBanner(null);
        hub.settled();
      }
    },
    focusComposer: () => composer().focus(),
    titleOf: (room) => info.titleOf(room),
    ...(outboxStore ? { outboxStore } : {}),
  };
  const joins = createRoomJoins({ hub, info, sessions, counts, sessionDeps });
  const { restore, joinFresh, joinInBackground } = joins;

  const exits = createRoomExits({
    els,
    views,
    info,
    hub,
    sessions,
    counts,
    composer,
    currentRoom: () => currentKey,
    clearCurrent: () => {
      currentKey = null;
    },
    sidebarOrder,
    switchTo,
    joinFresh,
    showHomeAddress,
    onSwitched,
    onForgotten,
  });

  // ---------- joining from the form or a link, switching ----------

  /**
   * Joins a room (or, when already in it, opens it).
   * @param {string} username
   * @param {string} room
   * @param {{ push: boolean, messageId?: number | null }} opts push: a new history entry (a click), else
   *   replace (load, back/forward); messageId: a permalink's message, opened in context after the join
   */
  async function enterRoom(username, room, opts) {
    const key = room.normalize("NFC").trim();
    restore(key);
    const pending = joins.pending(key);
    if (pending) await pending; // being joined in the background right now: that join is this one
    if (sessions.has(key)) return openRoom(key, opts.messageId ?? undefined, opts.push);
    views.setJoinBusy(true);
    const session = await joinFresh(username, key);
    views.setJoinBusy(false);
    if ("error" in session) {
      if (currentKey === null) views.showHome({ focus: false });
      views.showJoinError(session.error);
      return false;
    }
    rememberName(session.state.username);
    els.username.value = session.state.username;
    isRestarting = false;
    switchTo(session.state.room, opts.push);
    counts.save();
    if (typeof opts.messageId === "number") await session.jumpTo(opts.messageId);
    return true;
  }

  /**
   * Puts a joined room on screen: its list where the reader left it, its draft, people and typing line.
   * Nothing is fetched. @param {string} room @param {boolean} push
   */
  function switchTo(room, push) {
    const next = sessions.get(room);
    if (!next) return false;
    const prev = currentKey === null ? undefined : sessions.get(currentKey);
    if (prev && prev !== next) {
      prev.state.draft = composer().draft();
      prev.state.list.hide();
      prev.trimAway();
    }
    const isNew = prev !== next || els.chat.hidden;
    currentKey = room;
    showRoomAddress(room, push);
    views.openRoom(info.get(room));
    if (isNew) {
      composer().setDraft(next.state.draft);
      next.state.list.clearUnreadLine();
      next.show();
      onSwitched();
      // The focus goes to the message box below: said aloud, or a screen reader hears "Message, edit text" and
      // nothing of which room is on screen now (Alt+↑/↓, the sidebar, Leave, a search hit in another room).
      views.announce(`Now in ${info.titleOf(room)}.`);
    }
    views.setBanner(banner);
    counts.readIfLooking();
    counts.save();
    counts.draw();
    composer().focus();
    return true;
  }

  /** @param {string | null} text */
  function setBanner(text) {
    banner = text;
    if (currentKey !== null) views.setBanner(text);
  }

  /**
   * A joined room on screen, optionally at one of its messages (as search's jump does).
   * @param {string} room @param {number} [messageId] @param {boolean} [push]
   */
  async function openRoom(room, messageId, push = true) {
    const key = room.normalize("NFC").trim();
    if (!switchTo(key, push)) return false;
    const r = sessions.get(key);
    if (typeof messageId === "number" && r && (await r.jumpTo(messageId))) r.state.list.element(messageId)?.focus({ preventScroll: true });
    return true;
  }

  /** The join form (the "+" in the sidebar, or the address /): every room stays joined. @param {{ push: boolean, focus: boolean }} opts */
  function showJoinForm(opts) {
    const prev = currentKey === null ? undefined : sessions.get(currentKey);
    if (prev) {
      prev.state.draft = composer().draft();
      prev.state.list.hide();
      prev.trimAway();
    }
    currentKey = null;
    views.setBanner(null);
    views.setJoinTitle("");
    showHomeAddress(opts.push);
    views.showHome({ focus: opts.focus });
    onSwitched();
    counts.draw();
  }

  // ---------- for the other parts ----------

  function current() {
    return currentKey === null ? null : (sessions.get(currentKey)?.state ?? null);
  }

  /** The joined rooms as the sidebar lists them: rooms (public and private) first, then conversations. */
  function sidebarOrder() {
    const keys = [...sessions.keys()];
    return [...keys.filter((k) => !info.isDirect(k)), ...keys.filter((k) => info.isDirect(k))];
  }

  /** @param {number} step -1 the room above in the sidebar, +1 the one below (wrapping) */
  function moveBy(step) {
    const keys = sidebarOrder();
    if (keys.length === 0) return;
    const at = currentKey === null ? -1 : keys.indexOf(currentKey);
    const next = keys[(at + step + keys.length) % keys.length];
    if (next !== undefined) switchTo(next, true);
  }

  return {
    /** The state of the room on screen, or null on the home view. */
    current,
    enterRoom,
    restore,
    switchTo,
    openRoom,
    showJoinForm,
    leave: exits.leave,
    moveBy,
    joinInBackground,
    /** @param {string} room */
    has: (room) => sessions.has(room.normalize("NFC").trim()),
    /** @param {string} room */
    isJoining: (room) => joins.isJoining(room),
    /** How many rooms this page is in or joining (the server caps them per connection). */
    count: () => sessions.size + joins.count(),
    /** Opens the connection if nothing has (a request before any room). @returns {Promise<boolean>} whether it is up */
    whenConnected: () => hub.whenConnected(REQUEST_TIMEOUT_MS),
    loadOlder: () => void (currentKey === null ? undefined : sessions.get(currentKey)?.loadOlder()),
    returnToLive: () => void (currentKey === null ? undefined : sessions.get(currentKey)?.returnToLive()),
    /** @param {number} id */
    jumpTo: async (id) => {
      const r = currentKey === null ? undefined : sessions.get(currentKey);
      return r ? r.jumpTo(id) : false;
    },
    /** The current room's list (message actions, search). */
    list: () => current()?.list ?? null,
    /** The current room's outbox (the composer). */
    outbox: () => current()?.outbox ?? null,
    /**
     * Any other request about a room (search, edit, delete, kick, ban), answered as a promise.
     * @template {keyof ClientToServerEvents} E
     * @param {E} event @param {Parameters<ClientToServerEvents[E]>[0]} payload
     * @returns {Promise<AckOf<E> | LocalFailure>}
     */
    request: (event, payload) => hub.request(event, payload, REQUEST_TIMEOUT_MS),
    /** @param {string} room */
    sendTyping: (room) => hub.sendTyping(room),

    // Seams (docs/using.md, ISSUE13-PAGE.md).
    /** @param {RoomMessageHook} fn */
    onRoomMessage(fn) {
      counts.onRoomMessage(fn);
    },
    /** @returns {string | null} */
    currentRoom: () => currentKey,
    /** The name this page uses in `room` (default: the room on screen), or null when not in it. @param {string | null} [room] */
    myName: (room = currentKey) => (room === null ? null : (sessions.get(room)?.state.username ?? null)),
    /** Who is in `room` (default: the room on screen), as its people list shows them. @param {string | null} [room] */
    members: (room = currentKey) => (room === null ? [] : [...(sessions.get(room)?.state.presence.names ?? [])]),
    /** Where notification levels come from (notifications.js); redraws at once. @param {(room: string) => Level} fn */
    setLevelSource(fn) {
      counts.setLevelSource(fn);
    },
    /** A level changed, or a room's title: badges, names and the title again. */
    redraw: () => counts.draw(),
    /** Every time the connection comes up (first, and after each drop). @param {() => void} fn */
    onConnected(fn) {
      connectedHooks.add(fn);
    },
    /** A conversation opened with this browser, or a message in one it has no tab in (issue 17). @param {(ev: RoomAddedEvent) => void} fn */
    onRoomAdded(fn) {
      addedHooks.add(fn);
    },
    /** A private room's or conversation's members changed (members_changed): its members list asks again. @param {(room: string) => void} fn */
    onMembersChanged(fn) {
      membersHooks.add(fn);
    },
  };
}

/** @typedef {ReturnType<typeof createRooms>} Rooms */
