// How a stored chat message reaches the members of its room. One node: one room broadcast, as always. Several
// nodes: cluster/room-sequencer.ts, which keeps each node's live deliveries in id order.
import type { AppendResult } from "../storage/repository.js";
import type { ChatServer } from "./types.js";
import { toWire } from "./wire.js";

export interface MessageFanout {
  /**
   * A socket of this node has just joined the room (Socket.IO room) and its join history is read next. Resolves
   * when that read may start; rejects when the store cannot answer.
   */
  enter(room: string): Promise<void>;
  /** A message this node stored (not a duplicate): to every member of the room. Resolves once this node's members have it. */
  publish(saved: AppendResult): Promise<void>;
}

/** `linkBase` goes before the file links the original's clients see (PUBLIC_URL; "" for paths). */
export function createLocalFanout(io: ChatServer, linkBase = ""): MessageFanout {
  return {
    enter: () => Promise.resolve(),
    publish(saved) {
      io.to(saved.message.room).emit("message", toWire(saved.message, undefined, linkBase));
      return Promise.resolve();
    },
  };
}
