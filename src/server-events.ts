// What the server keeps to itself: the events nodes send each other (multi-node mode, through the Socket.IO
// adapter) and the state each socket carries. Never on the wire to a client, so apart from src/protocol.ts, which
// is the clients' contract (the page type-checks against it).
import type { RemovedEvent, RoomAddedEvent, RoomMovedEvent, WireMessage } from "./protocol.js";

export interface InterServerEvents {
  /**
   * Between nodes only (multi-node mode), never to a client: a message one node stored, with the room's id before
   * it, so every node can hand its members the room's messages in id order (src/cluster/room-sequencer.ts).
   */
  room_message: (ev: RoomMessageEvent) => void;
  /** Take matching sockets of this node out of a room (issue 17: a kick, a ban, a left or ended admission), on every node. */
  evict: (ev: EvictEvent) => void;
  /** An event for every socket of one browser session, wherever it is connected. */
  to_session: (ev: SessionEvent) => void;
  /** A room changed its address: every socket of this node in it moves (RoomMoveOrder). */
  room_moved: (ev: RoomMoveOrder) => void;
}

/** A room's move, between nodes: to a private address, only the sockets of the admitted sessions are told where. */
export interface RoomMoveOrder {
  moved: RoomMovedEvent;
  /** Session keys let into the new (private) room; absent when it is public (everyone may follow). */
  admitted?: string[];
}

/** Which sockets leave the room: those holding the name (by its key), and those of the session (by its key). */
export interface EvictEvent {
  room: string;
  nameKey?: string;
  sessionKey?: string;
  removed: RemovedEvent;
}

export interface SessionEvent {
  sessionKey: string;
  roomAdded: RoomAddedEvent;
  /** A socket that is not to be told (the one that asked: it has the answer). */
  exceptSocket?: string;
}

/** A stored message as it travels between nodes: the room broadcast's payload and the room's id before it. */
export interface RoomMessageEvent {
  message: WireMessage;
  previousId?: number;
}

export interface SocketData {
  /** Browser session (signed cookie) or, without one, this connection: who owns a name. */
  sessionId: string;
  /** sessionKey(SECRET_KEY, sessionId): stored as a message's owner, a moderator, a ban (issue 12). */
  ownerKey: string;
  /** The moderator table's key for this cookie's sign-in grant (http/session.ts); null when it carries none. */
  moderatorKey: string | null;
  /** Client address after TRUST_PROXY. */
  ip: string;
  /** room -> the name this socket joined it with. */
  rooms: Map<string, string>;
  /**
   * room -> when this socket entered it (epoch ms, deps.clock), kept beside `rooms`: a send carries it to the store,
   * which refuses the send when the room moved away since (made private or public). Absent until the first join.
   */
  joinedAt?: Map<string, number>;
  /** Private rooms and direct conversations this socket is in (issue 17); absent until it joins one, so a public-only socket pays nothing. */
  privateRooms?: Map<string, { kind: "private" | "direct" }>;
  /** Addresses a room moved to that this socket was told to follow (room_moved): its join there is not announced. */
  followingMoves?: Set<string>;
}
