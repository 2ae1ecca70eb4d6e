// What is on screen: the home view (join form, its errors, the active-room list) or the chat view
// (banner, the room's name, people list, history status), plus screen-reader announcements. A private room
// or a conversation is named by its title, never by its address (issue 17). The tab title is room-counts.js's
// (unread counts of every room).
import { createLiveRegion } from "./live-region.js";
import { codePointLength, fullDateLabel, hasControlChars, localTimesIn, nameKey } from "./format.js";
import { isPrivateAddress, UNKNOWN_PRIVATE_TITLE } from "./room-info.js";
import { lockIcon } from "./lock-icon.js";
import { bindRoomActions, peopleButtonShown } from "./room-actions.js";
/** @import { ErrorBody, RemovedEvent, RoomInfo } from "../../src/protocol.js" */
/** @import { LocalFailure } from "./connection.js" */

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   limits: import("./elements.js").Limits,
 *   directory: import("./home.js").Directory,
 *   titleOf: (room: string) => string,
 *   kindOf: (room: string) => import("../../src/protocol.js").RoomKind,
 * }} deps
 */
export function createViews({ doc, els, limits, directory, titleOf, kindOf }) {
  /** Adds controls to a name in the people list (moderation.js: Kick, Ban); set once by the wiring. */
  let decoratePerson = /** @type {(li: HTMLLIElement, name: string, isMe: boolean) => void} */ (() => {});
  /** A phone's "Room actions" panel (People, Notify, Invite, Make private/public, Leave). */
  const roomActions = bindRoomActions(doc, { toggle: els.roomActionsToggle, panel: els.roomActions, people: els.presenceToggle });

  /**
   * The sidebar is a column beside the home view and, on a phone, a closed drawer over the chat view: a switch
   * between the two moves it there at once. With its slide (the drawer's close transition) it swept across the
   * room just opened for 0.15 s, covering the Rooms button and the composer. The style is settled while
   * transitions are off, so turning them back on starts none.
   * @param {() => void} change
   */
  function switchViews(change) {
    els.sidebar.classList.add("is-still");
    change();
    void els.sidebar.getBoundingClientRect(); // the new place, computed with no transition
    els.sidebar.classList.remove("is-still");
  }

  /** @param {{ focus: boolean }} opts */
  function showHome(opts) {
    switchViews(() => {
      els.chat.hidden = true;
      els.home.hidden = false;
    });
    els.home.removeAttribute("data-deep-link");
    showForm();
    closeRoomPanels();
    directory.start();
    if (opts.focus) {
      els.roomName.focus();
      els.roomName.select();
    }
  }

  function showChat() {
    directory.stop();
    clearJoinErrors();
    els.home.hidden = true;
    els.home.removeAttribute("data-deep-link");
    els.removedNote.hidden = true;
    switchViews(() => {
      els.chat.hidden = false;
    });
    doc.getElementById("room-error")?.remove();
  }

  /** The room whose chat view is on screen; its people panel closes when another takes its place. */
  let shownRoom = /** @type {string | null} */ (null);

  /** The chat view of a room just joined, empty and ready for its history. @param {RoomInfo} room */
  function openRoom(room) {
    // On a phone the people panel lies over the messages: left open, it covered the conversation just opened
    // from its "Message privately" button (or any other room put on screen), listing that room's people. The
    // room actions on a phone likewise.
    if (room.room !== shownRoom) closeRoomPanels();
    shownRoom = room.room;
    setBanner(null);
    showRoomName(room);
    showChat();
  }

  /** The room bar's name: # a public room, a lock and a private room's title, @ the other person's name. @param {RoomInfo} room */
  function showRoomName(room) {
    els.roomTitle.dataset.kind = room.kind;
    els.roomTitleKind.textContent = room.kind === "direct" ? "Direct messages with " : room.kind === "private" ? "Private room " : "Room ";
    els.roomTitleLock.hidden = room.kind !== "private";
    els.roomTitleName.textContent = room.title;
    els.roomTitleName.title = room.title; // cut with "…" when long, on a phone sooner
  }

  /**
   * A room opened from a link elsewhere, with a remembered name: the room and one button to join it under
   * that name (and one to pick another), rather than joining on arrival.
   * @param {string} room @param {string} name
   */
  function offerJoinAs(room, name) {
    showHome({ focus: false });
    setJoinTitle(room);
    els.joinAsName.textContent = name;
    els.joinAs.hidden = false;
    els.joinForm.hidden = true;
    els.joinAsButton.focus();
  }

  /** The join form instead of the "Join as" button. */
  function showForm() {
    els.joinAs.hidden = true;
    els.joinForm.hidden = false;
  }

  /**
   * @param {string} room an empty room: the plain "Join a room". A private address shows its title when the
   *   page knows it ("Join a private room" when not), and the form asks only for a name: the room is the link's.
   */
  function setJoinTitle(room) {
    els.joinTitle.replaceChildren();
    const isPrivate = room !== "" && isPrivateAddress(room);
    els.roomNameField.hidden = isPrivate;
    els.privateRoomField.hidden = isPrivate;
    const title = room === "" ? "" : titleOf(room);
    if (title !== "" && !(isPrivate && title === UNKNOWN_PRIVATE_TITLE)) {
      const ref = doc.createElement("span");
      ref.className = "room-ref";
      ref.textContent = title;
      els.joinTitle.append("Join ", ref);
      // As in the sidebar: the lock shows it, the words say it. Without them, the form an invite falls back to
      // (its name taken in the room) read as if for a public room of that name.
      if (kindOf(room) === "private") {
        const said = doc.createElement("span");
        said.className = "sr-only";
        said.textContent = " (private)";
        ref.before(lockIcon(doc));
        ref.after(said);
      }
    } else {
      els.joinTitle.textContent = isPrivate ? "Join a private room" : "Join a room";
    }
  }

  /** @param {boolean} isBusy */
  function setJoinBusy(isBusy) {
    els.joinButton.disabled = isBusy;
    els.joinButton.textContent = isBusy ? "Joining…" : "Join Chat";
    els.joinAsButton.disabled = isBusy;
  }

  function clearJoinErrors() {
    /** @type {[HTMLElement, HTMLElement][]} */
    const fields = [
      [els.username, els.usernameError],
      [els.roomName, els.roomNameError],
    ];
    for (const [input, error] of fields) {
      input.removeAttribute("aria-invalid");
      error.hidden = true;
      error.textContent = "";
    }
    els.joinError.hidden = true;
    els.joinError.textContent = "";
  }

  /** @param {HTMLElement} input @param {HTMLElement} errorEl @param {string} message */
  function showFieldError(input, errorEl, message) {
    input.setAttribute("aria-invalid", "true");
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  /** @param {ErrorBody | LocalFailure["error"]} error */
  function showJoinError(error) {
    showForm();
    clearJoinErrors();
    if (error.code === "name_taken" || error.code === "invalid_name") {
      showFieldError(els.username, els.usernameError, error.message);
      els.username.focus();
    } else if (error.code === "invalid_room") {
      showFieldError(els.roomName, els.roomNameError, error.message);
      els.roomName.focus();
    } else {
      els.joinError.textContent = error.code === "disconnected" || error.code === "timeout" ? "Cannot reach the server right now; try again in a moment." : localTimesIn(error.message);
      els.joinError.hidden = false;
      els.joinButton.focus();
    }
  }

  /** @param {string} message */
  function showNameError(message) {
    showFieldError(els.username, els.usernameError, message);
  }

  /** @param {string} message */
  function showRoomError(message) {
    showFieldError(els.roomName, els.roomNameError, message);
  }

  /** The name in the form if it is valid, else null (and, with `show`, says why next to the field). */
  function readName(show = false) {
    const name = els.username.value.normalize("NFC").trim();
    const problem = labelProblem(name, "name", limits.name);
    if (problem && show) showNameError(problem);
    return problem ? null : name;
  }

  /** The room in the form, and what is wrong with it (null when nothing). */
  function readRoom() {
    const room = els.roomName.value.normalize("NFC").trim();
    return { room, problem: labelProblem(room, "room", limits.room) };
  }

  /** @param {string | null} text null hides the banner */
  function setBanner(text) {
    els.banner.textContent = text ?? "";
    els.banner.hidden = text === null;
    // Who is here is what the server said before the connection went: the list says so until the rooms are caught up.
    els.presence.classList.toggle("is-stale", text !== null);
  }

  /** @param {string[]} users @param {string} me the name shown as "(you)" */
  function renderPresence(users, me) {
    const myKey = me ? nameKey(me) : "";
    els.presenceList.replaceChildren(
      ...users.map((name) => {
        const li = doc.createElement("li");
        li.className = "presence__item";
        const label = doc.createElement("span");
        label.textContent = name;
        label.dir = "auto"; // a right-to-left name keeps its order beside "(you)"
        li.append(label);
        const isMe = nameKey(name) === myKey;
        if (isMe) {
          li.classList.add("presence__item--me");
          const you = doc.createElement("span");
          you.className = "presence__you";
          you.textContent = " (you)";
          li.append(you);
        }
        decoratePerson(li, name, isMe);
        return li;
      }),
    );
    // Nobody at all means the server has not said who is here (a room reopened offline): no count, rather than a
    // "0" that leaves out even the reader.
    const count = users.length === 0 ? "" : String(users.length);
    els.presenceCount.textContent = count;
    els.presenceToggleCount.textContent = count;
  }

  /** @param {{ hasMore: boolean, isLoading: boolean }} state */
  function updateHistoryStatus({ hasMore, isLoading }) {
    const hadFocus = doc.activeElement === els.loadOlder;
    els.loadOlder.hidden = !hasMore || isLoading;
    els.historyNote.hidden = hasMore && !isLoading;
    els.historyNote.textContent = isLoading ? "Loading older messages…" : hasMore ? "" : "Beginning of the room";
    if (hadFocus && els.loadOlder.hidden) els.scroller.focus();
  }

  /** The people panel and a phone's room actions belong to the room on screen. */
  function closeRoomPanels() {
    closePresence();
    roomActions.close();
  }

  function closePresence() {
    els.presence.classList.remove("is-open");
    els.presenceToggle.setAttribute("aria-expanded", "false");
  }

  /**
   * A moderator took the reader out of the room (or made it private without letting this page in): said on the
   * home view, above the join form.
   * @param {Exclude<RemovedEvent["reason"], "left">} reason @param {string | undefined} until ISO time a ban ends
   */
  function showRemoved(reason, until) {
    const end = until ? new Date(until) : null;
    const when = end && !Number.isNaN(end.getTime()) ? fullDateLabel(end) : "later";
    els.removedNote.textContent =
      reason === "banned" ? `A moderator banned you from this room until ${when}.` : reason === "kicked" ? "A moderator removed you from this room." : "A moderator made this room private, and this browser was not let in.";
    els.removedNote.hidden = false;
    announce(els.removedNote.textContent);
  }

  const live = createLiveRegion(doc, els.live);
  const announce = live.announce;

  els.presenceToggle.addEventListener("click", () => {
    const isOpen = els.presence.classList.toggle("is-open");
    els.presenceToggle.setAttribute("aria-expanded", String(isOpen));
  });
  doc.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && els.presence.classList.contains("is-open")) {
      closePresence();
      peopleButtonShown(els.presenceToggle, els.roomActionsToggle).focus();
    }
  });

  return {
    showHome,
    showChat,
    offerJoinAs,
    showForm,
    openRoom,
    showRoomName,
    setJoinTitle,
    setJoinBusy,
    clearJoinErrors,
    showJoinError,
    showNameError,
    showRoomError,
    readName,
    readRoom,
    setBanner,
    renderPresence,
    updateHistoryStatus,
    announce,
    reviseAnnouncement: live.revise,
    showRemoved,
    /** @param {(li: HTMLLIElement, name: string, isMe: boolean) => void} fn */
    setPersonDecorator(fn) {
      decoratePerson = fn;
    },
  };
}

/** @typedef {ReturnType<typeof createViews>} Views */

/**
 * @param {string} value @param {"name" | "room"} what @param {number} max
 * @returns {string | null}
 */
function labelProblem(value, what, max) {
  if (value === "") return what === "name" ? "Enter your name." : "Enter a room name.";
  if (codePointLength(value) > max) return `Use at most ${max} characters.`;
  if (hasControlChars(value)) return "Remove the control characters.";
  return null;
}
