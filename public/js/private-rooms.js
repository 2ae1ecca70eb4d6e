// Private rooms (issue 17) on the page: making one from the join form ("Private room": the Room field is its name),
// the room bar's controls for the room on screen (Invite when this browser may invite, a moderator's Make private
// or Make public, Leave or, in a conversation, Close), and leaving a private room, which asks first: it ends this
// browser's admission, and only a new invite link lets it back in. The invite dialog is invite-dialog.js's.

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   views: import("./views.js").Views,
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   dialog: import("./dialog.js").ConfirmDialog,
 *   invites: import("./invite-dialog.js").InviteDialog,
 *   announce: (text: string) => void,
 * }} deps
 */
export function createPrivateRooms({ els, views, rooms, info, dialog, invites, announce }) {
  /**
   * Makes a private room named `title` (create_room; this browser is its first member) and joins it.
   * @param {string} name @param {string} title
   * @returns {Promise<boolean>} whether the room is on screen
   */
  async function create(name, title) {
    views.setJoinBusy(true);
    const connected = await rooms.whenConnected();
    const res = connected ? await rooms.request("create_room", { title }) : null;
    views.setJoinBusy(false);
    if (res === null || !res.ok) {
      views.showJoinError(res === null ? { code: "disconnected", message: "" } : res.error);
      return false;
    }
    info.set(res.room);
    const isIn = await rooms.enterRoom(name, res.room.room, { push: true });
    if (isIn) els.privateRoom.checked = false;
    return isIn;
  }

  /** The room bar's controls follow the room on screen, its kind and what this browser may do there. */
  function refresh() {
    const room = rooms.currentRoom();
    invites.follow(room);
    if (room === null) {
      els.inviteButton.hidden = true;
      els.privacyButton.hidden = true;
      return;
    }
    const about = info.get(room);
    els.inviteButton.hidden = !(about.kind === "private" && about.canInvite === true);
    const isModerator = rooms.current()?.isModerator === true;
    els.privacyButton.hidden = !isModerator || about.kind === "direct";
    els.privacyLabel.textContent = about.kind === "private" ? "Make public" : "Make private";
    // On a phone only the icon shows: a lock to make private, an open lock to make public.
    els.privacyButton.dataset.action = about.kind === "private" ? "make-public" : "make-private";
    const isDirect = about.kind === "direct";
    els.leaveLabel.textContent = isDirect ? "Close" : "Leave";
    els.leave.dataset.action = isDirect ? "close" : "leave";
    if (isDirect) els.leave.title = "Close this conversation: it comes back when a new message arrives";
    else els.leave.removeAttribute("title");
  }

  /** Leave (or Close): a private room asks first, anything else goes at once. @param {string} room */
  function leave(room) {
    const about = info.get(room);
    if (about.kind !== "private") {
      rooms.leave(room, { push: true });
      return;
    }
    dialog.ask({
      title: `Leave ${about.title}?`,
      text: `${about.title} is a private room: once you leave it, you can only come back with a new invite link.`,
      confirmLabel: "Leave",
      action: async () => {
        rooms.leave(room, { push: true });
        return null;
      },
      // Left: the focus goes to the next room's message box, or to the join form after the last (Cancel: back to Leave).
      returnFocus: () => (rooms.has(room) ? null : els.chat.hidden ? els.roomName : els.content),
    });
  }

  /** A moderator makes the public room on screen private, or the private one public, after saying what that means. */
  function changePrivacy() {
    const room = rooms.currentRoom();
    if (room === null) return;
    const about = info.get(room);
    const toPrivate = about.kind === "public";
    dialog.ask(
      toPrivate
        ? {
            title: `Make ${about.title} private?`,
            text: `The room moves to a new private address: its old link stops working, it leaves the list of active rooms, and only people with an invite link can join from now on. Everyone in it now stays in it.`,
            confirmLabel: "Make private",
            action: async () => {
              const res = await rooms.request("update_room", { room, isPrivate: true });
              return res.ok ? null : res.error.message;
            },
          }
        : {
            title: `Make ${about.title} public?`,
            text: `Anyone can then join it by its name, ${about.title}, and it shows in the list of active rooms. Its invite links stop mattering.`,
            confirmLabel: "Make public",
            action: async () => {
              const res = await rooms.request("update_room", { room, isPrivate: false });
              return res.ok ? null : res.error.message;
            },
          },
    );
  }

  els.inviteButton.addEventListener("click", () => {
    const room = rooms.currentRoom();
    if (room !== null) invites.open(room);
  });
  els.privacyButton.addEventListener("click", changePrivacy);
  info.onChange((room) => {
    if (room === rooms.currentRoom()) refresh();
  });
  els.privateRoom.addEventListener("change", () => {
    els.roomNameLabel.textContent = els.privateRoom.checked ? "Private room's name" : "Room";
    if (els.privateRoom.checked) announce("The room will be private: only people you invite can join it.");
  });

  return { create, refresh, leave };
}
