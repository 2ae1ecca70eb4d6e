// Wires per-room routing (issue 21) into a Socket.IO server: the subscriber connection(s), the adapter
// (room-adapter.ts) and what the room sequencer needs of them.
import { Redis } from "ioredis";
import { chatRoomOf } from "../chat/audiences.js";
import type { ChatServer } from "../chat/types.js";
import { isCluster, type RedisClient } from "./redis.js";
import { createRoomRoutingAdapter, type RoomRoutingAdapter } from "./room-adapter.js";
import { RoomChannels, type ChannelSubscriptions } from "./room-channels.js";
import type { RoomRouting } from "./room-sequencer.js";
import { ShardChannels } from "./shard-channels.js";

/** Channel names start with it; the streams adapter's stream was "mr:socket.io", so old and new never mix. */
const CHANNEL_PREFIX = "mr:sio";

export interface RoomRoutingLink extends RoomRouting {
  /** The subscriptions; their connections' health counts as the node's link to Redis. */
  channels: ChannelSubscriptions;
}

type OnMessage = (channel: string, message: string) => void;

/**
 * `publisher` is the adapter's connection (its commands wait for one reconnect attempt and are never resent, so a
 * broadcast cannot arrive twice). The subscriber is a new connection to the same server (one per master on a Redis
 * Cluster: shard-channels.ts): subscriber mode allows no other command on it, and it subscribes again itself after
 * a reconnect (autoResubscribe off) so it knows when that is done. Its commands fail at once while it is away (no
 * offline queue): a join never waits for Redis.
 */
export function createRoomRouting(io: ChatServer, publisher: RedisClient): RoomRoutingLink {
  const subscribe = (onMessage: OnMessage): ChannelSubscriptions => (isCluster(publisher) ? new ShardChannels(publisher, onMessage) : new RoomChannels(subscriberOf(publisher), onMessage));
  const { adapter, channels } = createRoomRoutingAdapter({ publisher, subscribe, prefix: CHANNEL_PREFIX, chatRoomOf });
  io.adapter(adapter as unknown as Parameters<ChatServer["adapter"]>[0]);
  const main = (): RoomRoutingAdapter => io.of("/").adapter as unknown as RoomRoutingAdapter;
  return {
    channels,
    subscribed: (room) => main().subscribed(room),
    emitToRoom: (room, event, payload) => main().serverSideEmitToRoom(room, [event, payload]),
  };
}

function subscriberOf(publisher: Redis): Redis {
  return new Redis({
    ...publisher.options,
    lazyConnect: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
  });
}
