// Reaching sockets wherever they are connected (issue 17): taking a name or a browser session out of a room
// (a kick, a ban, an admission that ended), telling one session's every tab about a room, and moving a room's
// sockets when it changes address. This node acts at once; the other nodes hear it through the adapter.
import type { EvictEvent, InterServerEvents, RoomMoveOrder, SessionEvent } from "../server-events.js";
import { nameKey } from "../shared/names.js";
import { logExitFailure } from "./exit-failures.js";
import { endHeldNames, exitRoom } from "./membership.js";
import { noteFollowing } from "./presence-notices.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

/** How a node reaches the others: Socket.IO's serverSideEmit with several nodes, nothing with one. */
export interface NodeBus {
  broadcast<E extends keyof InterServerEvents>(event: E, ...args: Parameters<InterServerEvents[E]>): void;
}

export const singleNode: NodeBus = { broadcast: () => undefined };

export function clusterBus(io: ChatServer): NodeBus {
  return { broadcast: (event, ...args) => void io.serverSideEmit(event, ...args) };
}

/** This node's sockets in `room`. */
function socketsIn(io: ChatServer, room: string): ChatSocket[] {
  const found: ChatSocket[] = [];
  for (const id of io.of("/").adapter.rooms.get(room) ?? []) {
    const socket = io.of("/").sockets.get(id);
    if (socket !== undefined) found.push(socket);
  }
  return found;
}

/** The socket holds the event's name in its room (by key), or belongs to its session. */
function matches(socket: ChatSocket, ev: EvictEvent): boolean {
  const name = socket.data.rooms.get(ev.room);
  if (name === undefined) return false;
  return (ev.nameKey !== undefined && nameKey(name) === ev.nameKey) || (ev.sessionKey !== undefined && socket.data.ownerKey === ev.sessionKey);
}

/** Takes the socket out of the room at once (no name grace: the room hears it leave), then tells it why. */
function takeOut(io: ChatServer, deps: ChatDeps, socket: ChatSocket, room: string, tell: () => void): void {
  exitRoom(io, socket, deps, room).catch((err: unknown) => logExitFailure(deps, "room_exit_failed", { room, err }));
  tell();
}

export function evictHere(io: ChatServer, deps: ChatDeps, ev: EvictEvent): void {
  for (const socket of socketsIn(io, ev.room)) if (matches(socket, ev)) takeOut(io, deps, socket, ev.room, () => socket.emit("removed", ev.removed));
}

/** On every node: this one now, the others as soon as the adapter carries it. */
export function evict(io: ChatServer, deps: ChatDeps, ev: EvictEvent): void {
  evictHere(io, deps, ev);
  deps.nodes.broadcast("evict", ev);
}

function reachSessionHere(io: ChatServer, ev: SessionEvent): void {
  for (const socket of io.of("/").sockets.values()) if (socket.data.ownerKey === ev.sessionKey && socket.id !== ev.exceptSocket) socket.emit("room_added", ev.roomAdded);
}

/** Every tab of one browser session, on every node. A walk over this node's sockets: rare (a conversation opened or revived). */
export function reachSession(io: ChatServer, deps: ChatDeps, ev: SessionEvent): void {
  reachSessionHere(io, ev);
  deps.nodes.broadcast("to_session", ev);
}

/** Each socket leaves; one that may follow hears where to, the others only that they are out (the new address is not theirs to know). */
function moveRoomHere(io: ChatServer, deps: ChatDeps, order: RoomMoveOrder): void {
  const { moved, admitted } = order;
  deps.unmovedRooms.moved(moved.room);
  for (const socket of socketsIn(io, moved.room)) {
    const mayFollow = admitted === undefined || admitted.includes(socket.data.ownerKey);
    if (mayFollow) noteFollowing(socket, moved.to.room); // before it hears where: its join there is no arrival
    takeOut(io, deps, socket, moved.room, () => (mayFollow ? socket.emit("room_moved", moved) : socket.emit("removed", { room: moved.room, reason: "private" })));
  }
}

/** The names held at the room's old address end silently (membership.ts endHeldNames); the move is done, so a failure is logged. */
function endHeldNamesAt(deps: ChatDeps, room: string): Promise<void> {
  return endHeldNames(deps, room).catch((err: unknown) => logExitFailure(deps, "held_names_end_failed", { room, err }));
}

/**
 * Every socket in the room, on every node, leaves it; those admitted where it went hear where. The names held there
 * (a closed tab's grace, on any node: the presence store is shared) end silently, before the mover's ack.
 */
export async function moveRoom(io: ChatServer, deps: ChatDeps, order: RoomMoveOrder): Promise<void> {
  moveRoomHere(io, deps, order);
  deps.nodes.broadcast("room_moved", order);
  await endHeldNamesAt(deps, order.moved.room);
}

/** What the other nodes send: the same acts, on this node's sockets. */
export function listenToOtherNodes(io: ChatServer, deps: ChatDeps): void {
  io.on("evict", (ev: EvictEvent) => evictHere(io, deps, ev));
  io.on("to_session", (ev: SessionEvent) => reachSessionHere(io, ev));
  io.on("room_moved", (order: RoomMoveOrder) => {
    moveRoomHere(io, deps, order);
    // Again here: a tab of this node that closed before it heard the move may have had its name held after the
    // moving node ended the holds. That leave was sent to the presence store before this, so this sees it.
    void endHeldNamesAt(deps, order.moved.room);
  });
}
