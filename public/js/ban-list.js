// A moderator's list of the room's bans in force (list_bans), under the people list, each with Unban
// (unban_user). Hidden from everyone else; the server checks again on every request. Names are text nodes only.
/* global Element */
import { fullDateLabel } from "./format.js";

/**
 * @param {{
 *   doc: Document,
 *   els: { bans: HTMLElement, bansToggle: HTMLButtonElement, bansList: HTMLUListElement, bansStatus: HTMLElement },
 *   rooms: import("./rooms.js").Rooms,
 *   announce: (text: string) => void,
 * }} deps
 */
export function createBanList({ doc, els, rooms, announce }) {
  /** The room whose bans are shown: another room on screen closes the list, so it never shows the wrong room's. */
  let shownRoom = /** @type {string | null} */ (null);

  /** Shows the Bans button to moderators only; closes the list when the room on screen changed. */
  function refresh() {
    const room = rooms.currentRoom();
    els.bans.hidden = rooms.current()?.isModerator !== true;
    if (room !== shownRoom || els.bans.hidden) close();
  }

  function close() {
    shownRoom = null;
    els.bansToggle.setAttribute("aria-expanded", "false");
    els.bansList.hidden = true;
    els.bansList.replaceChildren();
    els.bansStatus.textContent = "";
  }

  /** Asks the server for the room's bans and lists them. @returns {Promise<void>} */
  async function load() {
    const room = rooms.currentRoom();
    if (room === null) return;
    const res = await rooms.request("list_bans", { room });
    if (rooms.currentRoom() !== room) return; // switched away meanwhile: refresh() closed the list
    shownRoom = room;
    els.bansStatus.textContent = "";
    els.bansToggle.setAttribute("aria-expanded", "true");
    els.bansList.hidden = false;
    if (!res.ok) {
      els.bansList.replaceChildren();
      els.bansStatus.textContent = res.error.message;
      return;
    }
    els.bansList.replaceChildren(...res.bans.map((b) => entry(b.username, b.until)));
    if (res.bans.length === 0) els.bansStatus.textContent = "No bans in force in this room.";
  }

  /** @param {string} name @param {string} until */
  function entry(name, until) {
    const li = doc.createElement("li");
    li.className = "bans__item";
    const who = doc.createElement("span");
    who.className = "bans__name";
    who.textContent = name;
    const end = doc.createElement("span");
    end.className = "bans__until";
    end.textContent = `until ${fullDateLabel(new Date(until))}`;
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "btn btn--small";
    b.dataset.name = name;
    b.textContent = "Unban";
    b.setAttribute("aria-label", `Unban ${name}`);
    li.append(who, end, b);
    return li;
  }

  /** @param {string} name */
  async function unban(name) {
    const room = rooms.currentRoom();
    if (room === null) return;
    const res = await rooms.request("unban_user", { room, username: name });
    const said = res.ok ? `${name} was unbanned and can join again.` : res.error.message;
    await load();
    els.bansStatus.textContent = said;
    announce(said);
    // The pressed button is gone with its entry: the focus goes to the next one, or back to Bans.
    (els.bansList.querySelector("button") ?? els.bansToggle).focus();
  }

  /** A ban made on this page while the list is open shows in it at once. */
  function banMade() {
    if (shownRoom !== null && shownRoom === rooms.currentRoom()) void load();
  }

  els.bansToggle.addEventListener("click", () => {
    if (els.bansToggle.getAttribute("aria-expanded") === "true") close();
    else void load();
  });
  els.bansList.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button[data-name]") : null;
    if (b instanceof HTMLElement && b.dataset.name) void unban(b.dataset.name);
  });

  return { refresh, banMade };
}
