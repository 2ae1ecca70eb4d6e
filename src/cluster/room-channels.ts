// The subscribing side of per-room routing (issue 21): one Redis connection in subscriber mode holding this node's
// sharded pub/sub channels (SSUBSCRIBE, Redis 7), one per room with a member here plus the node-wide ones. Pub/sub
// delivers at most once and nothing that was published while a channel was not subscribed, so this file says when
// a subscription is live (a join waits for it before reading its history) and when the link came back with every
// channel subscribed again (the node then has its rooms catch up from the database: see node.ts resyncAll).
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";

export interface RoomChannelsEvents {
  /** The link came back (or first came up) and every wanted channel is subscribed again. */
  resubscribed: [];
}

/** A refused SSUBSCRIBE (CLUSTERDOWN from a master that is rejoining, MOVED during a failover) is tried again after this long. */
const RETRY_MS = 200;

/**
 * This node's sharded pub/sub subscriptions, on one server (RoomChannels) or spread over a Redis Cluster's masters
 * (ShardChannels, shard-channels.ts): the adapter and the app see only this.
 */
export interface ChannelSubscriptions extends EventEmitter<RoomChannelsEvents> {
  subscribe(channel: string): Promise<void>;
  subscribed(channel: string): Promise<void>;
  unsubscribe(channel: string): void;
  count(): number;
  isLive(): boolean;
  close(): Promise<void>;
  /** The connection that holds (or would hold) `channel`: on a cluster, the one to the master of its slot. */
  connectionOf(channel: string): Redis;
  /** Every subscriber connection (one, or one per master): their health counts as the node's link to Redis. */
  connections(): Redis[];
}

export class RoomChannels extends EventEmitter<RoomChannelsEvents> implements ChannelSubscriptions {
  /** Channel -> its subscription: resolves once Redis confirmed it, or once the link failed meanwhile (see subscribe). */
  private readonly wanted = new Map<string, Promise<void>>();
  /** Resolves at the link's next "close": an SSUBSCRIBE in flight then may never be answered. */
  private linkClosed!: Promise<void>;
  private isClosing = false;

  /**
   * `client` must be this object's alone (subscriber mode allows no other commands) and created with
   * autoResubscribe off: this class subscribes again itself, so it knows when that is done.
   */
  constructor(
    private readonly client: Redis,
    onMessage: (channel: string, message: string) => void,
  ) {
    super();
    this.armClose();
    client.on("close", () => this.armClose());
    client.on("ready", () => void this.resubscribe());
    client.on("smessage", onMessage);
  }

  /**
   * Subscribes to `channel` once (a second call shares the first's promise). Resolves when Redis confirmed it; also
   * when the link is down or failed meanwhile, so a join never hangs on Redis: the channel stays wanted, and when
   * the link is back `resubscribed` has the node catch its rooms up from the database. Never rejects.
   */
  subscribe(channel: string): Promise<void> {
    const known = this.wanted.get(channel);
    if (known !== undefined) return known;
    const live = this.client.status === "ready" ? this.send(channel) : Promise.resolve();
    this.wanted.set(channel, live);
    return live;
  }

  /** The subscription of `channel`, or a settled promise when it is not wanted. */
  subscribed(channel: string): Promise<void> {
    return this.wanted.get(channel) ?? Promise.resolve();
  }

  unsubscribe(channel: string): void {
    if (!this.wanted.delete(channel)) return;
    if (this.client.status === "ready") this.client.sunsubscribe(channel).catch(() => undefined);
  }

  /** Channels held: one per room with a member on this node, plus the node-wide ones. */
  count(): number {
    return this.wanted.size;
  }

  isLive(): boolean {
    return this.client.status === "ready";
  }

  connectionOf(): Redis {
    return this.client;
  }

  connections(): Redis[] {
    return [this.client];
  }

  /**
   * Ends the connection for good. QUIT needs a live link: without an offline queue ioredis refuses it on a link that
   * is reconnecting (a master that died), and the connection would go on retrying, and closing, forever.
   */
  async close(): Promise<void> {
    this.isClosing = true;
    this.wanted.clear();
    if (this.client.status === "ready") await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }

  private send(channel: string): Promise<void> {
    const confirmed = this.client.ssubscribe(channel).then(
      () => undefined,
      () => this.retryLater(channel),
    );
    return Promise.race([confirmed, this.linkClosed]);
  }

  /**
   * Redis answered an SSUBSCRIBE with an error while the link was up: a master that restarted answers CLUSTERDOWN
   * until it has met its peers again, and a channel whose slot moved gets MOVED. Treating that as subscribed would
   * lose the room's messages for good, so it is tried again until it holds; then the rooms catch up (resubscribed),
   * since whatever was published meanwhile never reached this node. A link that dropped instead is left to "ready".
   */
  private retryLater(channel: string): void {
    const isStillWanted = (): boolean => !this.isClosing && this.client.status === "ready" && this.wanted.has(channel);
    if (!isStillWanted()) return;
    setTimeout(() => {
      if (!isStillWanted()) return;
      const retried = this.client.ssubscribe(channel).then(
        () => void this.emit("resubscribed"),
        () => this.retryLater(channel),
      );
      this.wanted.set(channel, Promise.race([retried, this.linkClosed]));
    }, RETRY_MS).unref();
  }

  private armClose(): void {
    this.linkClosed = new Promise((resolve) => this.client.once("close", () => resolve()));
  }

  /** On every "ready": every wanted channel again, one command each (on Redis Cluster each may live on its own slot). */
  private async resubscribe(): Promise<void> {
    const channels = [...this.wanted.keys()];
    await Promise.all(
      channels.map((channel) => {
        const live = this.send(channel);
        if (this.wanted.has(channel)) this.wanted.set(channel, live);
        return live;
      }),
    );
    // Closed again meanwhile: the next "ready" tries once more and announces it then.
    if (!this.isClosing && this.client.status === "ready") this.emit("resubscribed");
  }
}
