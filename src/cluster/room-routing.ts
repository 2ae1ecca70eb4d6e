// Wires per-room routing (issue 21) into a Socket.IO server: the subscriber connection, the adapter
// (room-adapter.ts) and what the room sequencer needs of them.
import { Redis } from "ioredis";
import { chatRoomOf } from "../chat/audiences.js";
import type { ChatServer } from "../chat/types.js";
import { createRoomRoutingAdapter, type RoomRoutingAdapter } from "./room-adapter.js";
import type { RoomChannels } from "./room-channels.js";
import type { RoomRouting } from "./room-sequencer.js";

/** Channel names start with it; the streams adapter's stream was "mr:socket.io", so old and new never mix. */
const CHANNEL_PREFIX = "mr:sio";

export interface RoomRoutingLink extends RoomRouting {
  /** The subscriber connection (its health counts as the node's link to Redis). */
  subscriber: Redis;
  channels: RoomChannels;
}

/**
 * `publisher` is the adapter's connection (its commands wait for one reconnect attempt and are never resent, so a
 * broadcast cannot arrive twice). The subscriber is a new connection to the same server: subscriber mode allows no
 * other command on it, and it subscribes again itself after a reconnect (autoResubscribe off) so it knows when that
 * is done. Its commands fail at once while it is away (no offline queue): a join never waits for Redis.
 */
export function createRoomRouting(io: ChatServer, publisher: Redis): RoomRoutingLink {
  const subscriber = new Redis({
    ...publisher.options,
    lazyConnect: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
  });
  const { adapter, channels } = createRoomRoutingAdapter({ publisher, subscriber, prefix: CHANNEL_PREFIX, chatRoomOf });
  io.adapter(adapter as unknown as Parameters<ChatServer["adapter"]>[0]);
  const main = (): RoomRoutingAdapter => io.of("/").adapter as unknown as RoomRoutingAdapter;
  return {
    subscriber,
    channels,
    subscribed: (room) => main().subscribed(room),
    emitToRoom: (room, event, payload) => main().serverSideEmitToRoom(room, [event, payload]),
  };
}
