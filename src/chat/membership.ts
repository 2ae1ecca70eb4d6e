// Entering and leaving a room: presence, Socket.IO rooms, and the notices the original sent.
import type { Failure } from "../protocol.js";
import { fail } from "../validation.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";
import { joinedNotice, leftNotice } from "./wire.js";

/** Claims the name in the room for this socket; the socket is in the room when this returns null. */
export function enterRoom(socket: ChatSocket, deps: ChatDeps, room: string, username: string): { isFirst: boolean } | Failure {
  const claim = deps.presence.join(room, username, socket.data.sessionId, socket.id);
  if (!claim.ok) return fail("name_taken", `"${username}" is already in this room; pick another name.`);
  socket.data.rooms.set(room, username);
  void socket.join(room);
  return { isFirst: claim.isFirst };
}

/** Tells the room about an arrival. A further tab of a present name hears its own notice only. */
export function announceArrival(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, username: string, isFirst: boolean): void {
  if (isFirst) {
    io.to(room).emit("message", joinedNotice(room, username));
    io.to(room).emit("presence", { room, users: deps.presence.users(room) });
  } else {
    socket.emit("message", joinedNotice(room, username));
    socket.emit("presence", { room, users: deps.presence.users(room) });
  }
}

/** Takes the socket out of the room; the last tab of a name leaving is announced to those who stay. */
export function exitRoom(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string): void {
  const username = socket.data.rooms.get(room);
  if (username === undefined) return;
  socket.data.rooms.delete(room);
  void socket.leave(room);
  const { isLast } = deps.presence.leave(room, username, socket.id);
  if (!isLast) return;
  // After socket.leave, the leaver is no longer in the room: as in the original, it does not hear its own notice.
  io.to(room).emit("message", leftNotice(room, username));
  io.to(room).emit("presence", { room, users: deps.presence.users(room) });
}

/** Undoes an enterRoom whose arrival was never announced (the join failed): nobody heard it come, so nobody hears it go. */
export function retractEntry(socket: ChatSocket, deps: ChatDeps, room: string): void {
  const username = socket.data.rooms.get(room);
  if (username === undefined) return;
  socket.data.rooms.delete(room);
  void socket.leave(room);
  deps.presence.leave(room, username, socket.id);
}

/** A closed tab leaves every room it was in (the original never announced these). */
export function exitAllRooms(io: ChatServer, socket: ChatSocket, deps: ChatDeps): void {
  for (const room of [...socket.data.rooms.keys()]) exitRoom(io, socket, deps, room);
}
