// What arrives in one joined room while it is joined: messages (each shown once, our own pending ones turned into
// sent ones), notices, edits and deletes, reactions, presence, typing, a moderator's removal and a cluster resync;
// and trimming a room off screen back to its newest messages. Kept apart from room-session.js, which owns the
// session's lifecycle (joining, leaving, the connection dropping) and what it shows (on screen, older history):
// this file only takes in events and keeps the room's state and list current with them.
import { nameKey } from "./format.js";
import { messageSummary } from "./file-info.js";
import { shownText } from "./link-text.js";
import { mergeReactions } from "./reactions-view.js";

/** Live messages kept while a detached window is shown; more than this and the live end is reloaded. */
const MAX_LIVE_BUFFER = 500;

/** @import { MessageEvent, MessageUpdatedEvent, Notice, PresenceEvent, ReactionsUpdatedEvent, RemovedEvent, ResyncEvent, TypingEvent, WireMessage } from "../../src/protocol.js" */
/** @import { RoomState, Source } from "./room-session.js" */

/**
 * What the live events need of their room's session.
 * @typedef {{
 *   views: import("./views.js").Views,
 *   isShown: () => boolean,
 *   keepMessages: number,
 *   onArrival: (s: RoomState, msg: WireMessage, source: Source) => void,
 *   onUpdated: (s: RoomState, ev: MessageUpdatedEvent) => void,
 *   onRemoved: (s: RoomState, ev: RemovedEvent) => void,
 *   rejoin: () => void,
 * }} LiveDeps
 */

/** @param {RoomState} s @param {LiveDeps} deps */
export function createLiveEvents(s, deps) {
  const { views, isShown } = deps;
  const list = s.list;

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
    if (isShown()) views.announce(`${msg.sender}: ${spokenSummary(msg)}`, { room: s.room, id: msg.id });
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
    views.reviseAnnouncement({ room: s.room, id: ev.id }, shown ? `${shown.sender}: ${spokenSummary(shown)}` : null);
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
    deps.rejoin();
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

  return {
    /** The hub's routes for this room (hub.route). */
    routes: { message: onMessage, updated: onMessageUpdated, reactions: onReactions, removed: onRemoved, presence: onPresence, typing: onTyping, resync: onResync },
    ingest,
    trimAway,
    takePresence,
  };
}

/**
 * A message as the live region reads it out: its summary with each URL's host as its link shows it (link-text.js),
 * so a screen reader says the punycode host the list shows, not a look-alike read as the site it imitates.
 * @param {Pick<WireMessage, "content" | "caption" | "attachments">} msg
 */
function spokenSummary(msg) {
  return shownText(messageSummary(msg));
}
