// The rooms this page is in (issue 13): every joined room keeps its session live on the one connection;
// one is on screen at a time. Joining (on screen, or in the background: issue 17's conversations and private
// rooms), switching (instant: nothing is fetched again), the rooms remembered across visits joined again (with
// `since`), and the seams other parts use: onRoomMessage, openRoom, currentRoom, myName, members, onConnected,
// onRoomAdded. Leaving and losing a room, and a room that moved, are room-exits.js's; counting what is unread,
// the sidebar and the title room-counts.js's; what a room is called room-info.js's.
import { createHub } from "./connection-hub.js";
import { createRoomSession } from "./room-session.js";
import { createRoomCounts } from "./room-counts.js";
import { createRoomExits } from "./room-exits.js";
import { showHomeAddress, showRoomAddress } from "./address.js";
import { recallRooms, rememberName } from "./remembered.js";
import { freshCounts } from "./unread.js";

const JOIN_TIMEOUT_MS = 10_000;
/** How many times a first join refused with `overloaded` is sent (each after the server's retryAfterMs) before the page shows why. */
const OVERLOADED_TRIES = 5;
const REQUEST_TIMEOUT_MS = 10_000;

/** @import { ClientToServerEvents, ErrorBody, MessageUpdatedEvent, RoomAddedEvent } from "../../src/protocol.js" */
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
  let hasRestored = false;
  /** Joins on their way (the form, a link, the background), so one room is never joined twice at once. @type {Map<string, Promise<boolean>>} */
  const joining = new Map();
  /** @type {Set<() => void>} */
  const connectedHooks = new Set();
  /** @type {Set<(ev: RoomAddedEvent) => void>} */
  const addedHooks = new Set();
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

  // ---------- joining, switching ----------

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
      const session = createRoomSession({ room: r.room, username: r.name, lastId: r.lastReadId }, sessionDeps);
      sessions.set(r.room, session);
      counts.track(r.room, { lastReadId: r.lastReadId, lastSeenId: r.lastSeenId, unread: r.unread, mentions: r.mentions, unreadIds: r.unreadIds, mentionIds: r.mentionIds });
      void session.rejoin({ evenOffline: true });
    }
    if (sessions.size > 0) counts.draw();
  }

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
    if (joining.has(key)) await joining.get(key); // being joined in the background right now: that join is this one
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
    isJoining: (room) => joining.has(room),
    /** How many rooms this page is in or joining (the server caps them per connection). */
    count: () => sessions.size + joining.size,
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
  };
}

/** @typedef {ReturnType<typeof createRooms>} Rooms */
