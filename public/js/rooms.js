// The rooms this page is in (issue 13): every joined room keeps its session live on the one connection;
// one is on screen at a time. Joining, switching (instant: nothing is fetched again), leaving, losing a room
// (a moderator, a rejoin refused), the rooms remembered across visits joined again (with `since`), and the
// seams other parts use: onRoomMessage, openRoom, currentRoom, myName, members. Counting what is unread, the
// sidebar and the title are room-counts.js's.
import { createHub } from "./connection-hub.js";
import { createRoomSession } from "./room-session.js";
import { createRoomCounts } from "./room-counts.js";
import { showHomeAddress, showRoomAddress } from "./address.js";
import { recallRooms, rememberName } from "./remembered.js";
import { freshCounts } from "./unread.js";

const JOIN_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** @import { ClientToServerEvents, ErrorBody, MessageUpdatedEvent, RemovedEvent } from "../../src/protocol.js" */
/** @import { AckOf, LocalFailure } from "./connection.js" */
/** @import { RoomState, RoomSession } from "./room-session.js" */
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
 *   onUpdated?: (ev: MessageUpdatedEvent) => void,
 *   onSwitched?: () => void,
 * }} deps
 */
export function createRooms({ doc, els, views, composer, decorate, render, keepMessages, onUpdated = () => {}, onSwitched = () => {} }) {
  /** Joined rooms, in the order they were joined (the sidebar's order). @type {Map<string, RoomSession>} */
  const sessions = new Map();
  /** The room on screen, or null (home view). */
  let currentKey = /** @type {string | null} */ (null);
  let isRestarting = false;
  /** The connection banner ("Reconnecting…"): the connection is one for every room. */
  let banner = /** @type {string | null} */ (null);
  let hasRestored = false;
  const counts = createRoomCounts({ doc, els, sessions, currentRoom: () => currentKey, render });

  const hub = createHub({
    onConnect: () => {
      for (const r of sessions.values()) void r.rejoin();
    },
    onDisconnect: () => {
      for (const r of sessions.values()) r.disconnected();
      if (sessions.size > 0) setBanner(isRestarting ? "Server restarting…" : "Reconnecting…");
    },
    onServerShutdown: () => {
      isRestarting = true;
      if (sessions.size > 0) setBanner("Server restarting…");
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
      if (currentKey === s.room) onUpdated(ev);
    },
    onRemoved,
    onLost,
    onCaughtUp: () => {
      if ([...sessions.values()].every((r) => r.state.isJoined)) {
        isRestarting = false;
        setBanner(null);
        hub.settled();
      }
    },
    focusComposer: () => composer().focus(),
  };

  // ---------- joining, switching, leaving ----------

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
      counts.track(r.room, { lastReadId: r.lastReadId, lastSeenId: r.lastSeenId, unread: r.unread, mentions: r.mentions });
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
    if (sessions.has(key)) return openRoom(key, opts.messageId ?? undefined, opts.push);
    views.setJoinBusy(true);
    const { res, settle } = await hub.join({ username, room }, JOIN_TIMEOUT_MS);
    views.setJoinBusy(false);
    if (!res.ok) {
      settle();
      if (currentKey === null) views.showHome({ focus: false });
      views.showJoinError(res.error);
      return false;
    }
    rememberName(res.username);
    els.username.value = res.username;
    const last = res.history.at(-1)?.id ?? 0;
    const session = createRoomSession({ room: res.room, username: res.username, lastId: last }, sessionDeps);
    sessions.set(res.room, session);
    counts.track(res.room, freshCounts(last));
    session.start(res, settle);
    isRestarting = false;
    switchTo(res.room, opts.push);
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
    views.openRoom(room);
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

  /**
   * Leaves a room for real (leave_chat): it goes from the sidebar and from what the browser remembers.
   * The next room takes the screen, or the home view when it was the last.
   * @param {string} room @param {{ push: boolean }} opts
   */
  function leave(room, opts) {
    const r = sessions.get(room);
    if (!r) return;
    if (hub.isConnected()) void hub.request("leave_chat", { room, username: r.state.username }, JOIN_TIMEOUT_MS);
    afterLeaving(r, opts.push, true);
  }

  /**
   * Forgets a room; when it was on screen, the next one (or home) takes its place.
   * @param {RoomSession} r @param {boolean} push @param {boolean} focusHome
   * @returns {boolean} whether the home view came up
   */
  function afterLeaving(r, push, focusHome) {
    const room = r.state.room;
    const keys = [...sessions.keys()];
    const index = keys.indexOf(room);
    const wasCurrent = currentKey === room;
    r.close();
    sessions.delete(room);
    counts.drop(room);
    counts.save();
    if (!wasCurrent) {
      counts.draw();
      return false;
    }
    r.state.list.hide(placeholder);
    currentKey = null;
    const neighbour = keys[index + 1] ?? keys[index - 1];
    if (neighbour !== undefined && neighbour !== room) {
      switchTo(neighbour, push);
      return false;
    }
    showNoRoom(push, focusHome);
    return true;
  }

  /** A moderator took the reader out of one room: only that one goes. @param {RoomState} s @param {RemovedEvent} ev */
  function onRemoved(s, ev) {
    const r = sessions.get(s.room);
    if (!r) return;
    if (ev.reason === "left") {
      // This browser left the private room (or closed the conversation) in another tab: this tab follows.
      afterLeaving(r, false, false);
      return;
    }
    if (currentKey === s.room) {
      showJoinFormAfterLoss(r);
      views.showRemoved(ev.reason, ev.until);
    } else {
      afterLeaving(r, false, false);
      views.announce(ev.reason === "banned" ? `A moderator banned you from ${s.room}.` : `A moderator removed you from ${s.room}.`);
    }
  }

  /**
   * A rejoin that cannot succeed (a ban, the name taken meanwhile): the room goes; on screen, the join
   * form says why. @param {RoomState} s @param {ErrorBody | LocalFailure["error"]} error
   */
  function onLost(s, error) {
    const r = sessions.get(s.room);
    if (!r) return;
    const isShown = currentKey === s.room;
    if (isShown) showJoinFormAfterLoss(r);
    else afterLeaving(r, false, false);
    const said = error.code === "name_taken" ? { code: error.code, message: `While you were away, ${error.message}` } : error;
    if (isShown) views.showJoinError(said);
    else views.announce(`Left ${s.room}: ${said.message}`);
  }

  /** The room on screen was lost: the home view says why, the other rooms stay joined. @param {RoomSession} r */
  function showJoinFormAfterLoss(r) {
    const room = r.state.room;
    r.close();
    sessions.delete(room);
    counts.drop(room);
    counts.save();
    r.state.list.hide(placeholder);
    currentKey = null;
    showNoRoom(true, false);
  }

  /**
   * No room is left on screen: the home view (join form and sidebar), with nothing of the last room showing.
   * @param {boolean} push a new history entry for the home address @param {boolean} focus focus the join form
   */
  function showNoRoom(push, focus) {
    views.setBanner(null);
    views.renderPresence([], "");
    els.typing.textContent = "";
    views.setJoinTitle("");
    showHomeAddress(push);
    views.showHome({ focus });
    onSwitched();
    counts.draw();
  }

  /** The empty list shown when no room is on screen (the page's own #messages). */
  const placeholder = els.messages;

  // ---------- for the other parts ----------

  function current() {
    return currentKey === null ? null : (sessions.get(currentKey)?.state ?? null);
  }

  /** @param {number} step -1 the room above in the sidebar, +1 the one below (wrapping) */
  function moveBy(step) {
    const keys = [...sessions.keys()];
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
    leave,
    moveBy,
    /** @param {string} room */
    has: (room) => sessions.has(room.normalize("NFC").trim()),
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
    /** A level changed: badges and the title again. */
    redraw: () => counts.draw(),
  };
}

/** @typedef {ReturnType<typeof createRooms>} Rooms */
