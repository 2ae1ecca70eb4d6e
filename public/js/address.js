// The address bar: which room the page shows is kept in the URL (/r/<room>) with the History API, and
// each history entry the page joined a room from is marked in its state, so that coming back to it
// (Back, Forward, reload) joins again without asking, while a link from elsewhere asks first.
import { roomPath } from "./format.js";

/**
 * The page joined `room`: its address, in a new history entry (a click) or in place of the current one
 * (load, Back/Forward, "Join as"); either way the entry is marked as this room's.
 * @param {string} room
 * @param {boolean} push
 */
export function showRoomAddress(room, push) {
  const path = roomPath(room);
  if (push && location.pathname !== path) history.pushState({ room }, "", path);
  else history.replaceState({ room }, "", path);
}

/** @param {boolean} push */
export function showHomeAddress(push) {
  if (push && location.pathname !== "/") history.pushState({}, "", "/");
}

/**
 * Whether the current history entry is one this page joined `room` from. History state is per entry,
 * written only by this page's own script, and kept across reloads and Back/Forward (even from another
 * site); a link followed from anywhere else makes a new entry without it.
 * @param {string} room
 */
export function isOwnEntryFor(room) {
  const state = /** @type {unknown} */ (history.state);
  return typeof state === "object" && state !== null && "room" in state && state.room === room;
}
