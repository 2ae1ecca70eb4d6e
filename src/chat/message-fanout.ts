// How a stored chat message reaches the members of its room. One node: one room broadcast, as always. Several
// nodes: cluster/room-sequencer.ts, which keeps each node's live deliveries in id order.
import type { WireMessage } from "../protocol.js";
import type { AppendResult } from "../storage/repository.js";
import type { ChatServer } from "./types.js";
import { emitMessage } from "./audiences.js";

export interface MessageFanout {
  /**
   * A socket of this node has just joined the room (Socket.IO room) and its join history is read next. Resolves
   * when that read may start; rejects when the store cannot answer.
   */
  enter(room: string): Promise<void>;
  /**
   * A message this node stored (not a duplicate), as the room gets it (`message`: its reply's quote resolved, no
   * `mine`): to every member of the room. Resolves once this node's members have it.
   */
  publish(saved: AppendResult, message: WireMessage): Promise<void>;
}

export function createLocalFanout(io: ChatServer): MessageFanout {
  return {
    enter: () => Promise.resolve(),
    publish(_saved, message) {
      emitMessage(io, message);
      return Promise.resolve();
    },
  };
}
