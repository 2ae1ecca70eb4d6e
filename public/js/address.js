// The address bar: which room the page shows is kept in the URL (/r/<room>) with the History API.
import { roomPath } from "./format.js";

/** @param {string} room @param {boolean} push a new history entry (a click), else replace (load, back/forward) */
export function showRoomAddress(room, push) {
  const path = roomPath(room);
  if (location.pathname === path) return;
  if (push) history.pushState({ room }, "", path);
  else history.replaceState({ room }, "", path);
}

/** @param {boolean} push */
export function showHomeAddress(push) {
  if (push && location.pathname !== "/") history.pushState({}, "", "/");
}
