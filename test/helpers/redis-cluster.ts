// A real Redis Cluster of N masters (no replicas) for the cluster suite, from Debian's redis-server and redis-cli
// (package redis-tools): each master a redis.ts server in cluster mode on a free loopback port, in its own
// temporary folder without persistence, joined with `redis-cli --cluster create`. A master stopped with SIGKILL and
// started again keeps its port and nodes.conf, so it rejoins with its slots (and, without persistence, no data).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { keySlot, roomHashTag } from "../../src/cluster/key-slot.js";
import { startRedis, type RedisServer } from "./redis.js";

const run = promisify(execFile);

export interface RedisClusterServer {
  /** The masters as created, in slot order (the first owns slot 0); a replica that took over is in `replicas`. */
  masters: RedisServer[];
  /** One replica per master when asked for (replicas: 1), in the same order: replicas[i] follows masters[i]. */
  replicas: RedisServer[];
  /** REDIS_CLUSTER_NODES: 127.0.0.1:port of every master. */
  seeds: string;
  /** The index in `masters` of the master that owns `key`'s slot (a room's channel, a key with a hash tag). */
  masterOf(key: string): number;
  /** Resolves when every running master says cluster_state:ok and agrees on who owns every slot. */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** FLUSHALL on every master. */
  flushAll(): Promise<void>;
  /** A Cluster client for assertions (closed by remove()). */
  admin(): Cluster;
  remove(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Replicas per master: 0 (the default) or 1. */
  replicas?: number;
  /** cluster-node-timeout of every server (Redis' default 15 s): a failover starts after it. */
  nodeTimeoutMs?: number;
}

export async function startRedisCluster(count = 3, opts: RedisClusterOptions = {}): Promise<RedisClusterServer> {
  const masters: RedisServer[] = [];
  const replicas: RedisServer[] = [];
  let admin: Cluster | null = null;
  const remove = async (): Promise<void> => {
    admin?.disconnect();
    await Promise.all([...masters, ...replicas].map((m) => m.remove()));
  };
  try {
    const serverOptions = { isClusterNode: true, ...(opts.nodeTimeoutMs !== undefined ? { clusterNodeTimeoutMs: opts.nodeTimeoutMs } : {}) };
    for (let i = 0; i < count; i++) masters.push(await startRedis(serverOptions));
    for (let i = 0; i < count * (opts.replicas ?? 0); i++) replicas.push(await startRedis(serverOptions));
    const addresses = masters.map((m) => `127.0.0.1:${m.port}`);
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
    // Replicas are attached one by one, so replicas[i] follows masters[i] (redis-cli's own placement may differ).
    for (const [i, replica] of replicas.entries()) await attachReplica(replica, masters[i] as RedisServer);
    const ranges: [number, number, number][] = [];

    const waitUntilOk = async (timeoutMs = 20_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      // CLUSTER INFO has no event to wait for: ask every 50 ms.
      while (!(await isOk(masters))) {
        if (Date.now() > deadline) throw new Error(`Redis Cluster not ok within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitUntilOk();
    for (const [from, to, port] of await slotRanges(masters[0] as RedisServer)) {
      const index = masters.findIndex((m) => m.port === port);
      ranges.push([from, to, index]);
    }
    return {
      masters,
      replicas,
      seeds: addresses.join(","),
      masterOf(key) {
        const slot = keySlot(key);
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (range === undefined) throw new Error(`no master owns slot ${slot}`);
        return range[2];
      },
      waitUntilOk,
      async flushAll() {
        for (const m of masters) if (m.pid() !== null) await withClient(m, (c) => c.flushall()).catch(() => undefined); // a replica refuses it
      },
      admin() {
        admin ??= new Cluster(addresses.map((a) => ({ host: "127.0.0.1", port: Number(a.split(":")[1]) })));
        return admin;
      },
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** `replica` joins the cluster and follows `master`; resolves once the master sees it connected (master_link_status:up on the replica). */
async function attachReplica(replica: RedisServer, master: RedisServer): Promise<void> {
  await run("redis-cli", ["--cluster", "add-node", `127.0.0.1:${replica.port}`, `127.0.0.1:${master.port}`, "--cluster-slave", "--cluster-master-id", await nodeId(master)]);
  const deadline = Date.now() + 20_000;
  // INFO replication has no event to wait for: ask every 50 ms.
  while (!/master_link_status:up/.test(await withClient(replica, (c) => c.info("replication")).catch(() => ""))) {
    if (Date.now() > deadline) throw new Error(`replica on ${replica.port} never synced with ${master.port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function nodeId(server: RedisServer): Promise<string> {
  return (await withClient(server, (c) => c.call("CLUSTER", "MYID"))) as string;
}

/** Every running master: cluster_state:ok, and every one sees all slots assigned to masters that are up. */
async function isOk(masters: RedisServer[]): Promise<boolean> {
  for (const m of masters) {
    if (m.pid() === null) continue;
    const info = await withClient(m, (c) => c.call("CLUSTER", "INFO") as Promise<string>).catch(() => "");
    if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
  }
  return true;
}

async function slotRanges(master: RedisServer): Promise<[number, number, number][]> {
  const reply = (await withClient(master, (c) => c.call("CLUSTER", "SLOTS"))) as [number, number, [string, number, ...unknown[]]][];
  return reply.map(([from, to, owner]) => [from, to, owner[1]]);
}

async function withClient<T>(server: RedisServer, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: "127.0.0.1", port: server.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** How many connections hold a subscription to the sharded `channel` on `server` (PUBSUB SHARDNUMSUB): a node's subscription holds once Redis counts it. */
export async function shardSubscribers(server: RedisServer, channel: string): Promise<number> {
  const reply = (await withClient(server, (c) => c.call("PUBSUB", "SHARDNUMSUB", channel))) as [string, number];
  return Number(reply[1]);
}

/** A chat room's sharded channel, as src/cluster/room-adapter.ts names it (prefix "mr:sio", namespace "/", the room's hash tag). */
export const roomChannel = (room: string): string => `mr:sio#/#r#${roomHashTag(room)}`;

/** For each master (by index), a room named `<prefix>-<n>` whose channel hashes to one of that master's slots. */
export function roomsOnEveryMaster(cluster: Pick<RedisClusterServer, "masterOf" | "masters">, prefix = "room"): string[] {
  const rooms: (string | undefined)[] = new Array<string | undefined>(cluster.masters.length).fill(undefined);
  for (let i = 0; rooms.includes(undefined); i++) {
    const room = `${prefix}-${i}`;
    const index = cluster.masterOf(roomChannel(room));
    if (rooms[index] === undefined) rooms[index] = room;
  }
  return rooms as string[];
}
