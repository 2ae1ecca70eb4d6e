// Direct messages (issue 17). "Message privately" beside each other person in a room's people list opens the
// conversation with them (open_direct: the same one every time for the same two browsers) and puts it on screen.
// A conversation someone opens with this browser, or a message in one it has no tab in (room_added), is joined in
// the background: it shows in the sidebar under "Direct messages", its messages count (each one as a mention) and
// notify. Closing one (leave_chat) is rooms.js's Leave, labelled Close.
/* global Element, HTMLButtonElement */
/** @import { RoomAddedEvent, WireMessage } from "../../src/protocol.js" */

/**
 * @param {{
 *   doc: Document,
 *   presenceList: HTMLElement,
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   announce: (text: string) => void,
 *   notify: (room: string, msg: WireMessage, me: string) => void,
 * }} deps
 */
export function createDirectMessages({ doc, presenceList, rooms, info, announce, notify }) {
  /** Conversations being opened from the people list: a second click waits for the first. */
  const opening = new Set();

  /**
   * "Message privately" beside a name in the people list (not one's own, and not inside a conversation, where the
   * other person is the conversation). @param {HTMLLIElement} li @param {string} name @param {boolean} isMe
   */
  function decoratePerson(li, name, isMe) {
    const room = rooms.currentRoom();
    if (isMe || room === null || info.isDirect(room)) return;
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "btn btn--small presence__direct";
    b.dataset.direct = name;
    b.setAttribute("aria-label", `Message ${name} privately`);
    b.title = `Message ${name} privately`;
    const svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = doc.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M3 4h14a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H8l-4 3v-3H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z");
    svg.append(path);
    // An icon with a label for screen readers and a tooltip: the list itself stays a list of names.
    b.append(svg);
    li.append(b);
  }

  /** Opens (or reopens) the conversation with `name`, from the room on screen, and shows it. @param {string} name */
  async function openWith(name) {
    const from = rooms.currentRoom();
    if (from === null || opening.has(name)) return;
    opening.add(name);
    try {
      const res = await rooms.request("open_direct", { room: from, username: name });
      if (!res.ok) {
        announce(`Could not open a conversation with ${name}: ${res.error.message}`);
        return;
      }
      info.set(res.room);
      if (!(await rooms.enterRoom(res.name, res.room.room, { push: true }))) announce(`Could not open the conversation with ${name}.`);
    } finally {
      opening.delete(name);
    }
  }

  /**
   * Someone opened a conversation with this browser, or wrote in one it has no tab in: joined in the background
   * (never put on screen), from just before that message so it counts as unread; its notification is the
   * message's own, as a live message that mentions the reader would have.
   * @param {RoomAddedEvent} ev
   */
  function onRoomAdded(ev) {
    if (!ev || !ev.room || typeof ev.room.room !== "string" || typeof ev.name !== "string") return;
    info.set(ev.room);
    const room = ev.room.room;
    if (rooms.has(room) || rooms.isJoining(room)) return;
    const message = ev.message;
    if (message && typeof message.id === "number") {
      notify(room, message, ev.name);
      void rooms.joinInBackground(ev.name, room, { since: message.id - 1 });
    } else {
      void rooms.joinInBackground(ev.name, room, {});
    }
  }

  presenceList.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button[data-direct]") : null;
    if (b instanceof HTMLButtonElement && b.dataset.direct) void openWith(b.dataset.direct);
  });
  rooms.onRoomAdded(onRoomAdded);

  return { decoratePerson };
}
