// The hint that a private room's (or direct conversation's) members changed, for the pages that show the list.
import { isPrivateAddress } from "../access/room-address.js";
import type { ChatServer } from "./types.js";

/**
 * Tells every member's page in the room, on every node (the adapter carries a room's broadcasts as it carries
 * presence deltas), that its members changed: someone was let in, left for good, or was kicked or banned. Presence
 * deltas say who comes and goes; this says what they cannot (an away member let in or removed). No names: a page
 * that shows the list asks list_members again, which answers members only.
 */
export function tellMembersChanged(io: ChatServer, room: string): void {
  if (isPrivateAddress(room)) io.to(room).emit("members_changed", { room });
}
