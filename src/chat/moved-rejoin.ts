// A page that was away while its public room was made private comes back to the room's old name, which is a fresh
// public room now: joining it there would show strangers' messages as the room's and send what the reader wrote
// offline into that public room. The rejoin's `since` (the last message the page saw) tells the two apart: when the
// room's latest move took that message along, the page was in the room before it moved: the rejoin is refused
// (`room_moved`), and a socket whose browser was let in hears first where the room went, as the sockets present at
// the move did. A private address left behind by a room made public needs nothing here: it answers not_found.
import type { Failure } from "../protocol.js";
import { isPrivateAddress } from "../access/room-address.js";
import { fail } from "../validation.js";
import type { ChatDeps, ChatSocket } from "./types.js";

/** Null when the rejoin goes ahead; else the refusal, after a socket whose browser was let in was told where the room went. */
export async function refuseRejoinOfMovedRoom(socket: ChatSocket, deps: ChatDeps, room: string, since: number | undefined): Promise<Failure | null> {
  if (since === undefined || since <= 0 || isPrivateAddress(room)) return null;
  const to = await deps.store.access.movedWith(room, since);
  if (to === null) return null;
  const access = await deps.store.access.roomAccess(to, socket.data.ownerKey);
  if (access?.member) socket.emit("room_moved", { room, to: { room: to, title: access.record.title, kind: access.record.kind } });
  return fail("room_moved", "This room was made private while you were away; it is no longer at this name.");
}
