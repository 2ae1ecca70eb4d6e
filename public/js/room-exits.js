// How a room stops being one of this page's: Leave (leave_chat; in a conversation, Close), taken out by a
// moderator, left in another tab of this browser (issue 17: `removed {reason: "left"}`), a rejoin that cannot
// succeed, and a room that moved to another address (issue 17: made private or public; its session ends and the
// room is joined again at the new address, with the messages still on their way). When the room was on screen, the
// next one takes its place, or the home view says why; what the reader wrote and can no longer send there is kept on
// it to copy (unsent-view.js), as is what a move held when the page came back to the old address without following
// it. Which room is on screen is rooms.js's; how a room is joined room-joins.js's.
import { createUnsentView } from "./unsent-view.js";

/** @import { ErrorBody, RemovedEvent, RoomMovedEvent } from "../../src/protocol.js" */
/** @import { LocalFailure } from "./connection.js" */
/** @import { RoomState, RoomSession } from "./room-session.js" */
/** @import { CarriedItem } from "./outbox.js" */

const LEAVE_TIMEOUT_MS = 10_000;

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   info: import("./room-info.js").RoomInfos,
 *   hub: import("./connection-hub.js").Hub,
 *   sessions: Map<string, RoomSession>,
 *   counts: import("./room-counts.js").RoomCounter,
 *   composer: () => { draft(): string },
 *   currentRoom: () => string | null,
 *   clearCurrent: () => void,
 *   sidebarOrder: () => string[],
 *   switchTo: (room: string, push: boolean) => boolean,
 *   joinFresh: (username: string, room: string) => Promise<RoomSession | { error: ErrorBody | LocalFailure["error"] }>,
 *   showHomeAddress: (push: boolean) => void,
 *   onSwitched: () => void,
 *   onForgotten: (room: string) => void,
 * }} deps onForgotten: what the device keeps of the room goes too
 */
export function createRoomExits(deps) {
  const { els, views, info, sessions, counts } = deps;
  /** The empty list shown when no room is on screen (the page's own #messages). */
  const placeholder = els.messages;
  const unsent = createUnsentView(els);

  /**
   * Messages of a room this page is out of: never sent anywhere (the old address may be another room now), kept to
   * copy. Off screen, the announcement says where they are. @param {string} title @param {CarriedItem[]} items
   */
  function keepUnsent(title, items) {
    if (unsent.keep(title, items) > 0) views.announce(`${items.length === 1 ? "A message" : `${items.length} messages`} you wrote in ${title} could not be sent: kept on the home page to copy.`);
  }

  /**
   * The session ends and the room goes from the sidebar and from what the browser remembers, its cached messages
   * too: a room left, taken away or made private must not stay readable on the device. @param {RoomSession} r
   */
  function forget(r) {
    r.close();
    sessions.delete(r.state.room);
    counts.drop(r.state.room);
    counts.save();
    deps.onForgotten(r.state.room);
  }

  /**
   * Leaves a room for real (leave_chat): it goes from the sidebar and from what the browser remembers.
   * The next room takes the screen, or the home view when it was the last.
   * @param {string} room @param {{ push: boolean }} opts
   */
  function leave(room, opts) {
    const r = sessions.get(room);
    if (!r) return;
    if (deps.hub.isConnected()) void deps.hub.request("leave_chat", { room, username: r.state.username }, LEAVE_TIMEOUT_MS);
    // Said first: the next room taking the screen says "Now in …" (rooms.js).
    views.announce(`Left ${info.titleOf(room)}.`);
    afterLeaving(r, opts.push, true);
  }

  /**
   * Forgets a room; when it was on screen, the next one (or home) takes its place.
   * @param {RoomSession} r @param {boolean} push @param {boolean} focusHome
   * @returns {boolean} whether the home view came up
   */
  function afterLeaving(r, push, focusHome) {
    const room = r.state.room;
    const keys = deps.sidebarOrder();
    const index = keys.indexOf(room);
    const wasCurrent = deps.currentRoom() === room;
    forget(r);
    if (!wasCurrent) {
      counts.draw();
      return false;
    }
    r.state.list.hide(placeholder);
    deps.clearCurrent();
    const neighbour = keys[index + 1] ?? keys[index - 1];
    if (neighbour !== undefined && neighbour !== room) {
      deps.switchTo(neighbour, push);
      return false;
    }
    showNoRoom(push, focusHome);
    return true;
  }

  /**
   * A moderator took the reader out of one room (only that one goes), or this browser left it in another tab
   * (this tab follows). @param {RoomState} s @param {RemovedEvent} ev
   */
  function onRemoved(s, ev) {
    const r = sessions.get(s.room);
    if (!r) return;
    if (ev.reason === "left") {
      afterLeaving(r, false, false);
      return;
    }
    // Taken out (kicked, banned, or not let into the room made private): nothing of it is sent anywhere.
    const notSent = r.state.outbox.handOver();
    if (deps.currentRoom() === s.room) {
      showJoinFormAfterLoss(r);
      views.showRemoved(ev.reason, ev.until);
    } else {
      afterLeaving(r, false, false);
      const title = info.titleOf(s.room);
      views.announce(
        ev.reason === "banned" ? `A moderator banned you from ${title}.` : ev.reason === "kicked" ? `A moderator removed you from ${title}.` : `A moderator made ${title} private, and this browser was not let in.`,
      );
    }
    keepUnsent(info.titleOf(s.room), notSent);
  }

  /**
   * A rejoin that cannot succeed (a ban, the name taken meanwhile, a private room this browser is no longer
   * let into): the room goes; on screen, the join form says why. @param {RoomState} s @param {ErrorBody | LocalFailure["error"]} error
   */
  function onLost(s, error) {
    const r = sessions.get(s.room);
    if (!r) return;
    const notSent = r.state.outbox.handOver();
    const isShown = deps.currentRoom() === s.room;
    if (isShown) showJoinFormAfterLoss(r);
    else afterLeaving(r, false, false);
    const said = error.code === "name_taken" ? { code: error.code, message: `While you were away, ${error.message}` } : error;
    if (isShown) views.showJoinError(said);
    else views.announce(`Left ${info.titleOf(s.room)}: ${said.message}`);
    keepUnsent(info.titleOf(s.room), notSent);
  }

  /**
   * Back in a room at its old address without having followed its move (a send refused `room_moved`, then the
   * connection dropped before `room_moved` came, and the rejoin joined the fresh room of that name): what the move
   * held was written for the room that moved away. Kept to copy, and the room's list says so where the reader is.
   * @param {RoomState} s @param {CarriedItem[]} items
   */
  function keepHeld(s, items) {
    const title = info.titleOf(s.room);
    s.list.addNotice({ content: `${items.length === 1 ? "A message" : `${items.length} messages`} written before this room moved away from this address were not sent here: kept on the home page to copy.`, kind: "joined", username: "", room: s.room });
    keepUnsent(title, items);
  }

  /** The room on screen was lost: the home view says why, the other rooms stay joined. @param {RoomSession} r */
  function showJoinFormAfterLoss(r) {
    forget(r);
    r.state.list.hide(placeholder);
    deps.clearCurrent();
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
    deps.showHomeAddress(push);
    views.showHome({ focus });
    deps.onSwitched();
    counts.draw();
  }

  /**
   * A moderator moved a joined room to a new address (made it private, or public again): this socket has left
   * the old one already. Its session ends quietly and the room is joined at its new address under the same
   * name, in the same place in the sidebar, on screen if it was, with what the reader had typed, and with the
   * messages still on their way (a send refused `room_moved` among them): sent there in order, each under its
   * clientId, so one the old address did store (it moved with the room) is answered as a repeat, not stored twice.
   * Their files go too: an upload is this browser session's, not a room's, until a message takes it.
   * @param {RoomMovedEvent} ev
   */
  async function move(ev) {
    const old = ev && typeof ev.room === "string" ? sessions.get(ev.room) : undefined;
    if (!old || !ev.to || typeof ev.to.room !== "string") return;
    // Before anything waits: from now on nothing of this room is sent to the old address.
    const carried = old.state.outbox.handOver(ev.to.room);
    info.set(ev.to);
    const wasCurrent = deps.currentRoom() === ev.room;
    const draft = wasCurrent ? deps.composer().draft() : old.state.draft;
    const order = [...sessions.keys()];
    forget(old);
    if (wasCurrent) {
      old.state.list.hide(placeholder);
      deps.clearCurrent();
    }
    const said =
      ev.to.kind === "public" ? `This room is now public: anyone can join ${ev.to.title} by its name.` : "This room is now private: only people invited can join it. Everyone who was here stays in it.";
    const session = await deps.joinFresh(old.state.username, ev.to.room);
    if ("error" in session) {
      if (wasCurrent) {
        showNoRoom(false, false);
        views.showJoinError(session.error);
      } else {
        counts.draw();
      }
      views.announce(`${said} Joining it again failed: ${session.error.message}`);
      keepUnsent(ev.to.title, carried);
      return;
    }
    session.state.outbox.restore(carried.map((c) => ({ ...c, sender: session.state.username })));
    // Back in its place in the sidebar.
    const entries = [...sessions].filter(([room]) => room !== session.state.room);
    entries.splice(Math.min(order.indexOf(ev.room), entries.length), 0, [session.state.room, session]);
    sessions.clear();
    for (const [room, r] of entries) sessions.set(room, r);
    session.state.draft = draft;
    session.state.list.addNotice({ content: said, kind: "joined", username: "", room: session.state.room });
    if (wasCurrent) deps.switchTo(session.state.room, false);
    else counts.draw();
    counts.save();
    views.announce(said);
  }

  return { leave, onRemoved, onLost, keepHeld, move, placeholder };
}
