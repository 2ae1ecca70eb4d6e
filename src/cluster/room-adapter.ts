// Per-room routing between nodes (issue 21): a Socket.IO cluster adapter on Redis sharded pub/sub. A broadcast to
// one chat room (its message, notices, presence deltas, typing, edits, reactions) is published on that room's
// channel, which only the nodes with a member of the room subscribe to; the node-wide server-side events (evict,
// to_session, room_moved, ...) and anything aimed at several rooms or at everybody go on one channel every node
// holds. A node therefore decodes only the traffic of the rooms it serves, whatever the cluster's size.
//
// Why our own and not createShardedAdapter of @socket.io/redis-adapter (the same channels, in "dynamic" mode):
// its SSUBSCRIBE on a room's first member is fired and forgotten, so a join cannot wait for it (the join race:
// a message published between the join's history read and the live subscription would be lost to that member);
// it re-subscribes after a reconnect without saying when that is done (so the node cannot catch its rooms up
// after it); a chat message's link (`previousId`, for the room sequencer) travels as a server-side event, which
// that adapter sends to every node; and it makes one channel per Socket.IO room, so our per-session tab rooms
// (`room\0s:…`) would each cost a subscription. Measured: docs/cluster.md, "per-room routing".
//
// Pub/sub is at most once: what the link drops is repaired from PostgreSQL (the room sequencer's gap reads, and
// the resync after a reconnect). Payloads are JSON: nothing the app sends between nodes is binary.
import { ClusterAdapter, MessageType, type ClusterMessage, type ClusterResponse, type Offset } from "socket.io-adapter";
import type { Namespace } from "socket.io";
import { isCluster, type RedisClient } from "./redis.js";
import { keySlot, roomHashTag } from "./key-slot.js";
import type { ChannelSubscriptions } from "./room-channels.js";

export interface RoomRoutingOptions {
  /** Publishes (SPUBLISH, routed by the channel's slot on a cluster); may be shared with other commands. */
  publisher: RedisClient;
  /** This node's subscriptions (their own connections). */
  channels: ChannelSubscriptions;
  /** Prefix of every channel, e.g. "mr:sio". */
  prefix: string;
  /**
   * The chat room a Socket.IO room belongs to. Our per-audience rooms (`room\0legacy`, `room\0s:…`) are always
   * joined together with their chat room, so the chat room's channel carries their broadcasts too and a node holds
   * one subscription per chat room, not one per session in it.
   */
  chatRoomOf(socketIoRoom: string): string;
}

/** Anything a node emits with the adapter: the adapter's own messages, and its answers to requests. */
type Wire = ClusterMessage | ClusterResponse;

export class RoomRoutingAdapter extends ClusterAdapter {
  private readonly everyNode: string;
  private readonly responses: string;

  constructor(
    nsp: Namespace,
    private readonly opts: RoomRoutingOptions,
  ) {
    super(nsp);
    this.everyNode = `${opts.prefix}#${nsp.name}#`;
    this.responses = `${this.everyNode}${this.uid}#`;
    void opts.channels.subscribe(this.everyNode);
    void opts.channels.subscribe(this.responses);
    // The in-memory part says when this node's first member enters a room and its last one leaves. A socket's own
    // room (its id) is never a chat room: this app reaches a socket elsewhere with server-side events instead.
    this.on("create-room", (room: string) => {
      if (this.isChatRoom(room)) void opts.channels.subscribe(this.roomChannel(room));
    });
    this.on("delete-room", (room: string) => {
      if (this.isChatRoom(room)) opts.channels.unsubscribe(this.roomChannel(room));
    });
  }

  /** Resolves when this node hears the room's channel (see RoomChannels.subscribe): a join's history is read after it. */
  subscribed(room: string): Promise<void> {
    return this.opts.channels.subscribed(this.roomChannel(room));
  }

  /**
   * A server-side event only the nodes with a member of `room` need (the room sequencer's `room_message`): on the
   * room's channel, received as io.on(event) like any server-side event. Never to this node itself.
   */
  serverSideEmitToRoom(room: string, packet: unknown[]): void {
    const message: ClusterMessage = { uid: this.uid, nsp: this.nsp.name, type: MessageType.SERVER_SIDE_EMIT, data: { packet } };
    this.send(this.roomChannel(room), message).catch(() => undefined); // at most once; the sequencer repairs from the database
  }

  /** A message from Redis: the node's response channel carries answers to its own requests, the rest are events. */
  receive(channel: string, raw: string): void {
    let message: Wire;
    try {
      message = JSON.parse(raw) as Wire;
    } catch {
      return; // not ours
    }
    if (channel === this.responses) this.onResponse(message as ClusterResponse);
    else this.onMessage(message as ClusterMessage);
  }

  override doPublish(message: ClusterMessage): Promise<Offset> {
    return this.send(this.channelFor(message), message).then(() => "");
  }

  override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
    return this.send(`${this.everyNode}${requesterUid}#`, response);
  }

  /** Nodes that hold the node-wide channel: how many answers a request with an ack waits for. */
  override async serverCount(): Promise<number> {
    return shardSubscribers(this.opts.publisher, this.everyNode);
  }

  override close(): void {
    for (const room of this.rooms.keys()) if (this.isChatRoom(room)) this.opts.channels.unsubscribe(this.roomChannel(room));
    this.opts.channels.unsubscribe(this.everyNode);
    this.opts.channels.unsubscribe(this.responses);
  }

  /**
   * A broadcast (or a socketsJoin/Leave, disconnectSockets) aimed at rooms of one chat room goes to that room's
   * channel: only nodes with a member there have anyone it concerns. Everything else goes to every node, and so do
   * broadcasts that wait for acks (they count the answering nodes with serverCount()).
   */
  private channelFor(message: ClusterMessage): string {
    switch (message.type) {
      case MessageType.BROADCAST:
        if (message.data.requestId !== undefined) return this.everyNode;
        return this.channelOfRooms(message.data.opts.rooms);
      case MessageType.SOCKETS_JOIN:
      case MessageType.SOCKETS_LEAVE:
      case MessageType.DISCONNECT_SOCKETS:
        return this.channelOfRooms(message.data.opts.rooms);
      default:
        return this.everyNode;
    }
  }

  private channelOfRooms(rooms: string[]): string {
    const first = rooms[0];
    if (first === undefined) return this.everyNode; // to everybody
    const room = this.opts.chatRoomOf(first);
    return rooms.every((r) => this.opts.chatRoomOf(r) === room) ? this.roomChannel(room) : this.everyNode;
  }

  private isChatRoom(room: string): boolean {
    return !this.sids.has(room) && this.opts.chatRoomOf(room) === room;
  }

  /** Tagged like the room's presence keys: on a Redis Cluster the channel lives on the master that holds the room's presence. */
  private roomChannel(room: string): string {
    return `${this.everyNode}r#${roomHashTag(room)}`;
  }

  private async send(channel: string, message: Wire): Promise<void> {
    await this.opts.publisher.spublish(channel, JSON.stringify(message));
  }
}

/**
 * How many connections hold a sharded channel. PUBSUB SHARDNUMSUB counts only on the server asked, and names no key
 * ioredis could route by, so on a cluster it is asked of the master that owns the channel's slot.
 */
export async function shardSubscribers(publisher: RedisClient, channel: string): Promise<number> {
  let server: RedisClient = publisher;
  if (isCluster(publisher)) {
    const owner = publisher.slots[keySlot(channel)]?.[0];
    server = publisher.nodes("master").find((n) => `${n.options.host}:${n.options.port}` === owner) ?? publisher;
  }
  const reply = (await server.call("PUBSUB", "SHARDNUMSUB", channel)) as [string, number];
  return Number(reply[1]);
}

/** io.adapter(...) for one Socket.IO server: every namespace's adapter reads from the same subscriptions. */
export function createRoomRoutingAdapter(opts: Omit<RoomRoutingOptions, "channels"> & { subscribe: (onMessage: (channel: string, message: string) => void) => ChannelSubscriptions }): {
  adapter: (nsp: Namespace) => RoomRoutingAdapter;
  channels: ChannelSubscriptions;
} {
  const adapters: RoomRoutingAdapter[] = [];
  const channels = opts.subscribe((channel, message) => {
    for (const adapter of adapters) adapter.receive(channel, message);
  });
  return {
    channels,
    // Socket.IO calls the factory with `new`, so it must be a function, not an arrow; returning an object from it is what `new` yields.
    adapter: function (nsp: Namespace) {
      const adapter = new RoomRoutingAdapter(nsp, { ...opts, channels });
      adapters.push(adapter);
      return adapter;
    },
  };
}
