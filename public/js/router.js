// Which view the address asks for, on load and on Back/Forward, and the ways in and out of a room:
// the join form, "Join as" for a link from elsewhere, a room picked from the active-room list or the
// sidebar, Leave. A permalink (/r/<room>?m=<id>) joins the same way, then opens that message in context.
// The join form's "Private room" makes one (issue 17: private-rooms.js); Leave of a private room asks first.
// Several rooms (issue 13): / is the join form (every joined room stays joined); /r/<room> of a joined
// room switches to it at once. The rooms remembered from earlier visits are rejoined on load, except
// when the page was opened from a link elsewhere: that asks first ("Join as"), before any connection.
import { messageIdFromSearch, roomFromPath } from "./format.js";
import { isOwnEntryFor } from "./address.js";

/**
 * @param {{
 *   body: HTMLElement,
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   rooms: import("./rooms.js").Rooms,
 *   createPrivate: (name: string, title: string) => Promise<boolean>,
 *   leave: (room: string) => void,
 * }} deps
 */
export function createRouter({ body, els, views, rooms, createPrivate, leave }) {
  /** @param {boolean} isInitial */
  function route(isInitial) {
    const room = roomFromPath(location.pathname);
    // A bad room address comes rendered with its error; the offline page (the cached "/", issue 23) reads the address.
    if (room === null || (isInitial && body.dataset.room === "" && els.roomError !== null)) {
      // The home page opened: the remembered rooms come back (the sidebar); a bad room address does not.
      if (isInitial && room === null) rooms.restore();
      rooms.showJoinForm({ push: false, focus: false });
      // Start where typing is needed: the name, or the room when the name is remembered. Also on Back/Forward from
      // a room: the focus was in the room just hidden, and would otherwise fall to the page's body.
      (els.username.value ? els.roomName : els.username).focus();
      return;
    }
    const key = room.normalize("NFC").trim();
    const isOwn = isOwnEntryFor(key);
    if (isInitial && isOwn) rooms.restore();
    if (rooms.has(key)) {
      void rooms.openRoom(key, messageIdFromSearch(location.search) ?? undefined, false);
      return;
    }
    els.roomName.value = room;
    views.setJoinTitle(room);
    const name = views.readName();
    if (name === null) {
      rooms.showJoinForm({ push: false, focus: false });
      views.setJoinTitle(room);
      els.username.focus();
    } else if (isOwn) {
      // Back/Forward or a reload onto an entry this page joined from: the reader was here already.
      void rooms.enterRoom(name, room, { push: false, messageId: linkedMessage(room) });
    } else {
      // A link from elsewhere (another site, a message, a new tab): ask before joining under the remembered name.
      views.offerJoinAs(room, name);
    }
  }

  /** The message a permalink to `room` names (`?m=<id>` on this room's address), else null. @param {string} room */
  function linkedMessage(room) {
    const linked = roomFromPath(location.pathname);
    if (linked === null || linked.normalize("NFC").trim() !== room.normalize("NFC").trim()) return null;
    return messageIdFromSearch(location.search);
  }

  /** A room picked from the list of active rooms. @param {string} room */
  async function pickRoom(room) {
    els.roomName.value = room;
    const name = views.readName();
    if (name === null) {
      views.setJoinTitle(room);
      views.showNameError(`Enter your name to join ${room}.`);
      els.username.focus();
      return;
    }
    await rooms.enterRoom(name, room, { push: true });
  }

  els.joinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (els.joinButton.disabled) return;
    views.clearJoinErrors();
    const name = views.readName(true);
    const { room, problem: roomProblem } = views.readRoom();
    if (roomProblem) views.showRoomError(roomProblem);
    if (name === null) els.username.focus();
    else if (roomProblem) els.roomName.focus();
    else if (els.privateRoom.checked && !els.privateRoomField.hidden) void createPrivate(name, room);
    else void rooms.enterRoom(name, room, { push: true, messageId: linkedMessage(room) });
  });

  els.joinAsButton.addEventListener("click", () => {
    const name = views.readName();
    const { room, problem } = views.readRoom();
    if (name !== null && problem === null) void rooms.enterRoom(name, room, { push: false, messageId: linkedMessage(room) });
  });
  els.changeName.addEventListener("click", () => {
    views.showForm();
    els.username.focus();
    els.username.select();
  });

  els.leave.addEventListener("click", () => {
    const room = rooms.currentRoom();
    if (room !== null) leave(room);
  });

  window.addEventListener("popstate", () => route(false));

  return { route, pickRoom };
}
