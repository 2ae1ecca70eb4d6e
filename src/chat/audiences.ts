// Who hears what in a room (issue 22). Clients without the page's session cookie (the Flask original's, scripts)
// know nothing of replies or reactions: they read a reply's quote from `content`, and never get `replyTo`,
// `reactions` or `reactions_updated`. A browser session's tabs in a room share a Socket.IO room of their own, so
// its reaction reaches exactly them on every node (the adapter carries rooms and exceptions to the other nodes).
import type { WireMessage } from "../protocol.js";
import type { ChatServer, ChatSocket } from "./types.js";

// NUL cannot be in a room's name (validation refuses control characters): these never meet a chat room.
/** The sockets of the room without the session cookie. */
export const legacyRoomOf = (room: string): string => `${room}\u0000legacy`;
/** One browser session's tabs in the room. */
export const tabsRoomOf = (room: string, ownerKey: string): string => `${room}\u0000s:${ownerKey}`;

/** The chat room a Socket.IO room of this file belongs to (the room itself for a chat room). */
export function chatRoomOf(socketIoRoom: string): string {
  const end = socketIoRoom.indexOf("\u0000");
  return end === -1 ? socketIoRoom : socketIoRoom.slice(0, end);
}

/** No session cookie: a client of the Flask original, or a script; it is sent what the original knew. */
export const isLegacy = (socket: ChatSocket): boolean => !socket.data.sessionId.startsWith("s:");

/** The Socket.IO rooms a socket joins with a chat room (and leaves with it). */
export function audienceRooms(socket: ChatSocket, room: string): string[] {
  return [room, isLegacy(socket) ? legacyRoomOf(room) : tabsRoomOf(room, socket.data.ownerKey)];
}

/** The message as a client without the session cookie gets it: the quote stays in `content`, the new fields go. */
export function forLegacy(message: WireMessage): WireMessage {
  if (message.replyTo === undefined && message.reactions === undefined) return message;
  const { replyTo: _replyTo, reactions: _reactions, ...rest } = message;
  return rest;
}

/** A stored message to its room: a reply goes in two shapes, the page's and the original's. `target` is io or io.local. */
export function emitMessage(target: ChatServer | ChatServer["local"], message: WireMessage): void {
  if (message.replyTo === undefined && message.reactions === undefined) {
    target.to(message.room).emit("message", message);
    return;
  }
  const legacy = legacyRoomOf(message.room);
  target.to(message.room).except(legacy).emit("message", message);
  target.to(legacy).emit("message", forLegacy(message));
}
