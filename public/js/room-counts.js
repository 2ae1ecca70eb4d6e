// Each joined room's unread and mention counts (issue 13), and what shows and keeps them: every message that
// arrives in any room is counted here (and handed to the onRoomMessage hooks: notifications), the "read" rule
// clears the room on screen, the sidebar and the tab title are drawn once per burst of events, and the list of
// joined rooms is written to localStorage with each room's counts (and a private room's or a conversation's
// title). In a direct conversation every message from the other person counts as a mention (issue 17). Which
// rooms are joined, and which one is on screen, is rooms.js's.
//
// Read rule: a room's messages are read while it is the room on screen, the page is visible and its list is
// scrolled to the newest message. Anything else that arrives (live or in a catch-up) counts as unread.
/* global queueMicrotask */
import { nameKey } from "./format.js";
import { mentionsMe } from "./mentions.js";
import { recallRooms, rememberRooms } from "./remembered.js";
import { badgeFor, countArrival, countDeletion, freshCounts, markRead, pageTitle, titleText, totals } from "./unread.js";

const TITLE = "Messenger Room";

/** @import { WireMessage } from "../../src/protocol.js" */
/** @import { RoomState, RoomSession, Source } from "./room-session.js" */
/** @import { RoomCounts, Level } from "./unread.js" */
/**
 * Called for every message that arrives in any joined room.
 * @typedef {(room: string, msg: WireMessage, info: { source: Source, me: string, isCurrent: boolean }) => void} RoomMessageHook
 * @typedef {{ room: string, name: string, title: string, kind: import("../../src/protocol.js").RoomKind, isCurrent: boolean, badge: ReturnType<typeof badgeFor> }} SidebarEntry
 */

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   sessions: ReadonlyMap<string, RoomSession>,
 *   currentRoom: () => string | null,
 *   render: (entries: SidebarEntry[]) => void,
 *   info: import("./room-info.js").RoomInfos,
 * }} deps
 */
export function createRoomCounts({ doc, els, sessions, currentRoom, render, info }) {
  /** @type {Map<string, RoomCounts>} */
  const counts = new Map();
  /** Rooms this page left (or lost): dropped from storage even when another tab wrote them there. */
  const forgotten = new Set();
  let isFlushQueued = false;
  /** @type {Set<RoomMessageHook>} */
  const hooks = new Set();
  /** The notification level of a room (notifications.js), "mentions" until one is wired. */
  let levelOf = /** @type {(room: string) => Level} */ (() => "mentions");

  /** @param {RoomState} s @param {WireMessage} msg @param {Source} source */
  function onArrival(s, msg, source) {
    const me = s.username;
    const isCurrent = currentRoom() === s.room;
    const c = counts.get(s.room);
    if (c) {
      const isMine = msg.mine === true || nameKey(msg.sender) === nameKey(me);
      // A catch-up counts first and is read in one go afterwards, so the "New messages" line marks where it began.
      const isRead = source === "live" && isReading(s);
      const isMention = info.isDirect(s.room) || mentionsMe(msg, me);
      const isDeleted = msg.deletedAt !== undefined;
      const next = countArrival(c, { id: msg.id, isMine, mentionsMe: isMention, source, isRead, isDeleted });
      if (next !== c) {
        counts.set(s.room, next);
        queueFlush();
      }
    }
    for (const hook of hooks) hook(s.room, msg, { source, me, isCurrent });
  }

  /**
   * A message of a joined room was deleted (live, or in a rejoin's `changed`): unread, it stops counting, and the
   * badge, the mention badge, the title and the device's copy follow. @param {string} room @param {number} id
   */
  function onDeleted(room, id) {
    const c = counts.get(room);
    if (!c) return;
    const next = countDeletion(c, id);
    if (next === c) return;
    counts.set(room, next);
    queueFlush();
  }

  /** @param {RoomState} s */
  function isReading(s) {
    return currentRoom() === s.room && !doc.hidden && s.list.isPinned && !s.isDetached && !els.chat.hidden;
  }

  /** The room on screen is being read: its counts clear, and the "New messages" line marks where they began. */
  function readIfLooking() {
    const key = currentRoom();
    const r = key === null ? undefined : sessions.get(key);
    const c = key === null ? undefined : counts.get(key);
    if (!r || !c || !isReading(r.state)) return;
    if (c.unread > 0) r.state.list.markUnreadFrom(c.lastReadId);
    const next = markRead(c);
    if (next !== c) counts.set(r.state.room, next);
  }

  /** Counts changed: read, save, draw the sidebar and the title once, after the current burst of events. */
  function queueFlush() {
    if (isFlushQueued) return;
    isFlushQueued = true;
    queueMicrotask(flush);
  }

  function flush() {
    isFlushQueued = false;
    readIfLooking();
    save();
    draw();
  }

  /** The sidebar and the tab title (the room on screen, after the counts), from the joined rooms (in the order they were joined) and their counts. */
  function draw() {
    const key = currentRoom();
    const entries = [...sessions.values()].map((r) => {
      const room = r.state.room;
      const c = counts.get(room) ?? freshCounts(0);
      const { title, kind } = info.get(room);
      return { room, name: r.state.username, title, kind, isCurrent: room === key, badge: badgeFor(c, levelOf(room)) };
    });
    render(entries);
    const base = pageTitle(TITLE, key === null ? null : info.titleOf(key));
    doc.title = titleText(base, totals([...counts].map(([room, c]) => ({ counts: c, level: levelOf(room) }))));
  }

  /** Writes this page's rooms, keeping those another tab of the browser joined meanwhile (one list for the browser). */
  function save() {
    const mine = [...sessions.values()].map((r) => {
      const room = r.state.room;
      const about = info.known(room);
      const named = about && about.kind !== "public" ? { title: about.title, kind: about.kind } : {};
      const token = r.state.rejoinToken === undefined ? {} : { rejoinToken: r.state.rejoinToken };
      return { room, name: r.state.username, ...named, ...token, ...(counts.get(room) ?? freshCounts(0)) };
    });
    const others = recallRooms().filter((r) => !sessions.has(r.room) && !forgotten.has(r.room));
    rememberRooms([...mine, ...others]);
  }

  doc.addEventListener("visibilitychange", () => queueFlush());

  return {
    onArrival,
    onDeleted,
    readIfLooking,
    queueFlush,
    draw,
    save,
    /** A room joined (or rejoined from storage) with these counts. @param {string} room @param {RoomCounts} c */
    track(room, c) {
      counts.set(room, c);
      forgotten.delete(room);
    },
    /** A room left or lost: its counts go, and the next save drops it from storage. @param {string} room */
    drop(room) {
      counts.delete(room);
      forgotten.add(room);
    },
    /** @param {RoomMessageHook} fn */
    onRoomMessage(fn) {
      hooks.add(fn);
    },
    /** Where notification levels come from (notifications.js); redraws at once. @param {(room: string) => Level} fn */
    setLevelSource(fn) {
      levelOf = fn;
      draw();
    },
  };
}

/** @typedef {ReturnType<typeof createRoomCounts>} RoomCounter */
