// Which arrivals and departures the room hears as "has joined" / "has left" notices. The notices are the Flask
// original's and stay as they were in public and private rooms, with two exceptions a person would call noise:
// - A direct conversation has none: closing and reopening one's own conversation (or the page joining it in the
//   background when a message arrives) is no event to the other person, as in Slack or Signal. Only browser
//   sessions can be in one, so no client of the original misses a notice it waited for.
// - A member a room's move carries to its new address (Make private / Make public) did not join anything: the
//   page says "This room is now private" instead. Clients of the original already in a public room the move lands
//   in still hear the arrival, as they always did.
// The presence deltas ({joined} / {left}) go out as always: people lists stay right; only the sentences go.
import { isPrivateAddress } from "../access/room-address.js";
import type { RoomAccessStore } from "../access/store.js";
import type { ChatSocket } from "./types.js";

/** How an arrival is told: to everyone (as the original did), to the original's clients only, or to nobody. */
export type ArrivalNotice = "room" | "legacy_only" | "none";

/** The socket heard room_moved to `room`: its next join there follows the move. */
export function noteFollowing(socket: ChatSocket, room: string): void {
  (socket.data.followingMoves ??= new Set()).add(room);
}

/** How this socket's arrival in `room` is told; a move it follows is used up by the arrival. */
export function arrivalNotice(socket: ChatSocket, room: string, kind: "public" | "private" | "direct"): ArrivalNotice {
  const isFollowing = socket.data.followingMoves?.delete(room) === true;
  if (kind === "direct") return "none";
  if (!isFollowing) return "room";
  return kind === "public" ? "legacy_only" : "none";
}

/** Whether the socket's departure from `room` is told with a notice; read before its entry in privateRooms goes. */
export const isDepartureTold = (socket: ChatSocket, room: string): boolean => socket.data.privateRooms?.get(room)?.kind !== "direct";

/**
 * The same for a name no socket is left to tell about (its grace ended, or its node died): a direct conversation's
 * is not told. A public room asks the store nothing.
 */
export async function isReleaseTold(access: RoomAccessStore, room: string): Promise<boolean> {
  if (!isPrivateAddress(room)) return true;
  const found = await access.roomAccess(room, "");
  return found?.record.kind !== "direct";
}
