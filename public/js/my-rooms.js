// The private rooms and direct conversations this browser is admitted to (issue 17), asked once (my_rooms) after
// the page's first connection: their titles and what this browser may do in them, and the ones this page is not
// in joined in the background. A conversation counts what arrived after the reader closed it (or all of it, when
// it never was), and stays closed while nothing new arrived; a private room the browser did not remember is
// joined as it is now (nothing unread). What the browser remembered is rooms.js's (restore).
/** @import { MyRoom } from "../../src/protocol.js" */

/**
 * Whether a direct conversation shows: never closed, or something arrived after the reader closed it.
 * @param {Pick<MyRoom, "newestId" | "closedUpto">} r
 */
export function isOpenDirect(r) {
  return r.closedUpto === undefined || r.newestId > r.closedUpto;
}

/**
 * @param {{
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   fallbackName: () => string,
 *   maxRooms: number,
 * }} deps maxRooms: MAX_ROOMS_PER_CONNECTION (data-max-rooms): joining more in the background would only be refused
 */
export function createMyRooms({ rooms, info, fallbackName, maxRooms }) {
  let hasAsked = false;

  async function load() {
    const res = await rooms.request("my_rooms", {});
    if (!res.ok) {
      hasAsked = false; // the next connection asks again
      return;
    }
    for (const r of res.rooms) {
      const { name, newestId, closedUpto, ...about } = r;
      info.set(about);
      if (rooms.has(r.room) || rooms.isJoining(r.room) || rooms.count() >= maxRooms) continue;
      const as = name ?? fallbackName();
      if (as === "") continue;
      if (r.kind === "direct") {
        if (isOpenDirect({ newestId, closedUpto })) void rooms.joinInBackground(as, r.room, { since: closedUpto ?? 0 });
      } else {
        void rooms.joinInBackground(as, r.room, { since: newestId });
      }
    }
  }

  rooms.onConnected(() => {
    if (hasAsked) return;
    hasAsked = true;
    void load();
  });
}
