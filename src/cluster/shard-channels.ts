// The subscribing side of per-room routing on a Redis Cluster (issue 21, §2). A sharded channel lives on the master
// that owns its slot (SPUBLISH and SSUBSCRIBE both route by the channel's slot), so this node keeps one subscriber
// connection per master, each a RoomChannels (room-channels.ts): the same join wait, the same re-subscribe after
// that connection comes back. A master that dies and restarts therefore affects only the rooms whose channels hash
// to its slots: its connection re-subscribes them when it is back and says so (resubscribed), and the node has its
// rooms catch up from the database; the other masters' connections never drop.
//
// Why not ioredis' own `shardedSubscribers` (Cluster option, 5.11): it re-subscribes after a reconnect or a
// topology change inside the library and never says when that is done, so the node could not catch its rooms up
// afterwards (the tail loss of issue 21 §1); and an SSUBSCRIBE refused while a master rejoins is only logged.
import { EventEmitter } from "node:events";
import { Redis, type Cluster } from "ioredis";
import { keySlot } from "./key-slot.js";
import { RoomChannels, type ChannelSubscriptions, type RoomChannelsEvents } from "./room-channels.js";

type OnMessage = (channel: string, message: string) => void;

export class ShardChannels extends EventEmitter<RoomChannelsEvents> implements ChannelSubscriptions {
  /** Master ("host:port", as ioredis names nodes) -> this node's subscriptions on it. */
  private readonly shards = new Map<string, RoomChannels>();
  /** Channel -> the master it was subscribed on. */
  private readonly placed = new Map<string, string>();

  /**
   * `cluster` is only asked where slots live (its slot map, refreshed by ioredis on MOVED and on its own
   * schedule); the subscriptions are connections of this object's own, made from the cluster's node options.
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly onMessage: OnMessage,
  ) {
    super();
    for (const master of cluster.nodes("master")) this.shardAt(`${master.options.host}:${master.options.port}`);
    // A failover or a resharding moves slots: channels follow their slot to its new master.
    cluster.on("refresh", () => this.replace());
  }

  subscribe(channel: string): Promise<void> {
    const known = this.placed.get(channel);
    if (known !== undefined) return this.shardAt(known).subscribe(channel);
    const owner = this.ownerOf(channel);
    this.placed.set(channel, owner);
    return this.shardAt(owner).subscribe(channel);
  }

  subscribed(channel: string): Promise<void> {
    const owner = this.placed.get(channel);
    return owner === undefined ? Promise.resolve() : this.shardAt(owner).subscribed(channel);
  }

  unsubscribe(channel: string): void {
    const owner = this.placed.get(channel);
    if (owner === undefined) return;
    this.placed.delete(channel);
    this.shards.get(owner)?.unsubscribe(channel);
  }

  count(): number {
    return this.placed.size;
  }

  /** Every master's connection is up (one down means its rooms hear nothing from other nodes until it is back). */
  isLive(): boolean {
    return [...this.shards.values()].every((s) => s.isLive());
  }

  connectionOf(channel: string): Redis {
    return this.shardAt(this.placed.get(channel) ?? this.ownerOf(channel)).connectionOf();
  }

  connections(): Redis[] {
    return [...this.shards.values()].map((s) => s.connectionOf());
  }

  async close(): Promise<void> {
    this.placed.clear();
    await Promise.all([...this.shards.values()].map((s) => s.close()));
  }

  /** The master that owns the channel's slot; before ioredis knows the slot, any master (it answers MOVED, and the retry follows). */
  private ownerOf(channel: string): string {
    const owner = this.cluster.slots[keySlot(channel)]?.[0];
    if (owner !== undefined) return owner;
    const first = this.shards.keys().next();
    if (first.done === true) throw new Error("no Redis Cluster master known");
    return first.value;
  }

  private shardAt(nodeKey: string): RoomChannels {
    const known = this.shards.get(nodeKey);
    if (known !== undefined) return known;
    const shard = new RoomChannels(this.connect(nodeKey), this.onMessage);
    shard.on("resubscribed", () => this.emit("resubscribed"));
    this.shards.set(nodeKey, shard);
    return shard;
  }

  /** A subscriber connection to one master: subscriber mode, no offline queue, re-subscribed by RoomChannels itself. */
  private connect(nodeKey: string): Redis {
    const at = nodeKey.lastIndexOf(":");
    const connection = new Redis({
      ...this.cluster.options.redisOptions,
      host: nodeKey.slice(0, at),
      port: Number(nodeKey.slice(at + 1)),
      lazyConnect: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    });
    // node.ts logs the errors of the connections it was given at start; one made later (the master that took over
    // a failed one's slots) must not make ioredis print "Unhandled error event" on every reconnect attempt.
    connection.on("error", () => undefined);
    // While a master is unreachable, ask the cluster where its slots are on every reconnect attempt: a replica may
    // have taken over, and nothing else would tell a node that only listens to those rooms (ioredis refreshes its
    // map when one of its own commands fails, and such a node may send none there). ioredis runs one refresh at a time.
    connection.on("reconnecting", () => this.cluster.refreshSlotsCache());
    return connection;
  }

  /** After a slot-map refresh: each channel whose slot has a new master is subscribed there and dropped from the old one. */
  private replace(): void {
    const moved: Promise<void>[] = [];
    for (const [channel, owner] of this.placed) {
      const now = this.cluster.slots[keySlot(channel)]?.[0];
      if (now === undefined || now === owner) continue;
      this.shards.get(owner)?.unsubscribe(channel);
      this.placed.set(channel, now);
      moved.push(this.shardAt(now).subscribe(channel));
    }
    // What was published on the old master after it lost the slot never reached this node: catch up once the new subscriptions hold.
    if (moved.length > 0) void Promise.all(moved).then(() => this.emit("resubscribed"));
    this.dropFormerMasters();
  }

  /** A connection to a server that owns no slot any more (a master that failed over) and holds nothing is closed: it no longer counts as a link. */
  private dropFormerMasters(): void {
    const owners = new Set(this.cluster.slots.map((nodes) => nodes[0]));
    for (const [nodeKey, shard] of this.shards) {
      if (owners.has(nodeKey) || shard.count() > 0) continue;
      this.shards.delete(nodeKey);
      void shard.close();
    }
  }
}
