// A node's Redis connections (ioredis): presence, names and the shared limits on one, the Socket.IO adapter's
// publishing on another (and its subscriber, cluster/room-routing.ts, opened from that one's options). Start-up
// checks those two once, so a bad URL, an unreachable server or a wrong password is one clear line.
import { Cluster, Redis } from "ioredis";
import { describeRedisCluster, type RedisClusterSettings } from "../redis-cluster-config.js";

/**
 * What the Redis-backed parts take: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). Both answer
 * the same commands; on a cluster every multi-key command must stay in one slot (the keys carry hash tags).
 */
export type RedisClient = Redis | Cluster;

/** Which of the two a node was given (server.ts reads it from the config). */
export type RedisTarget = { url: string } | { cluster: RedisClusterSettings };

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

/** Why start-up could not use Redis; the message is the whole line server.ts prints. */
export class RedisConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisConnectError";
  }
}

/** The URL without its password, for logs and error lines. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "redis://…";
  }
}

export interface RedisOptions {
  /** Gives up on the first connection after this long (start-up). */
  connectTimeoutMs?: number;
  /**
   * REDIS_COMMAND_TIMEOUT_MS: a command unanswered this long fails with "Command timed out" (ioredis' commandTimeout);
   * 0 or absent = it waits as long as Redis does. A Redis that keeps its connections open but answers nothing (frozen,
   * swamped) then costs a join or a send this long, not the whole freeze. The reply that comes later is matched to
   * its command and dropped, so the connection stays in step. Subscriber connections inherit it: it bounds only an
   * SSUBSCRIBE's confirmation (RoomChannels retries one that failed), never the wait for published messages.
   */
  commandTimeoutMs?: number;
  /**
   * The adapter's publishing connection: commands wait for one reconnect attempt instead of failing at once, so a
   * blip of the link does not drop a broadcast; one that cannot be sent then is failed (the local sockets still
   * got it) and never resent later. The adapter's subscriber is a connection of its own (cluster/room-routing.ts).
   */
  isForAdapter?: boolean;
}

/**
 * A client that fails commands at once while disconnected (no offline queue): a broadcast or a presence
 * change never waits for Redis to come back, and the node catches its clients up afterwards (resync). It
 * reconnects by itself, forever, with a capped back-off.
 */
export function createRedisClient(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: opts.isForAdapter === true,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    ...commandTimeout(opts),
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
}

/** ioredis arms a timer only when commandTimeout is a number: 0 (off) must leave it out. */
function commandTimeout(opts: RedisOptions): { commandTimeout?: number } {
  return opts.commandTimeoutMs !== undefined && opts.commandTimeoutMs > 0 ? { commandTimeout: opts.commandTimeoutMs } : {};
}

/** What ioredis rejects a command with when commandTimeout passed without an answer: Redis is there but not answering. */
export function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === "Command timed out";
}

/** Connects and PINGs once; a failure is a RedisConnectError naming the cause, and the client is closed. */
export async function connectRedis(url: string, opts: RedisOptions = {}): Promise<Redis> {
  const client = createRedisClient(url, opts);
  // Start-up gets one try: ioredis would otherwise retry forever in the background.
  client.options.retryStrategy = () => null;
  const lastError: { err: Error | null } = { err: null };
  client.on("error", (err: Error) => (lastError.err = err));
  try {
    await withinStartDeadline(async () => {
      await client.connect();
      await client.ping();
    }, startDeadlineMs(opts, 1));
  } catch (err) {
    client.disconnect();
    throw new RedisConnectError(err instanceof StartDeadlineError ? err.describe(redactRedisUrl(url)) : describe((lastError.err ?? err) as Error, url));
  }
  client.options.retryStrategy = (attempt: number) => Math.min(50 * attempt, 1000);
  client.removeAllListeners("error");
  return client;
}

/** The target for error lines and logs, without its password. */
export function describeRedisTarget(target: RedisTarget): string {
  return "url" in target ? redactRedisUrl(target.url) : `cluster ${describeRedisCluster(target.cluster)}`;
}

/**
 * A Redis Cluster client with the same manners as createRedisClient: commands fail soon rather than wait for a
 * master that is down (a presence change, a broadcast never waits for it; the node catches up afterwards).
 * - scaleReads "master": presence is read right after it is written; a replica may lag.
 * - No offline queue for presence and limits (a command for a master whose connection is not ready fails at once,
 *   then is retried as below). The adapter's publisher has one, as on one server: ioredis opens a master's
 *   connection on its first command, and a broadcast sent while it is still connecting must wait for it, not be
 *   dropped; a node connection gives up on a queued command after one reconnect attempt (maxRetriesPerRequest 1).
 * - retryDelayOnFailover/maxRedirections: presence and limits retry a command whose connection closed a few times
 *   (a failover or a restart that is already over), then fail in about half a second instead of ioredis' 16
 *   tries. The adapter's publisher never does (0): the command may have been carried out before the connection
 *   closed, and sent again to the next master a broadcast would arrive twice; pub/sub is at most once here, and
 *   what it drops is repaired from PostgreSQL. MOVED and CLUSTERDOWN answers (nothing was done) are followed by both.
 * - clusterNodeRetryStrategy: a master that restarts on the same address is reconnected to, not forgotten.
 */
export function createRedisClusterClient(settings: RedisClusterSettings, opts: RedisOptions = {}): Cluster {
  return new Cluster(
    settings.seeds.map((s) => ({ host: s.host, port: s.port })),
    {
      lazyConnect: true,
      enableOfflineQueue: opts.isForAdapter === true,
      scaleReads: "master",
      retryDelayOnFailover: opts.isForAdapter === true ? 0 : 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: 5,
      clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2000),
      clusterNodeRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      redisOptions: nodeOptions(settings, opts),
    },
  );
}

/** What every connection to a cluster's node uses: credentials, TLS, and the fail-fast settings of createRedisClient. */
export function nodeOptions(settings: RedisClusterSettings, opts: RedisOptions = {}) {
  return {
    ...(settings.username !== null ? { username: settings.username } : {}),
    ...(settings.password !== null ? { password: settings.password } : {}),
    ...(settings.isTls ? { tls: {} } : {}),
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // Set on each node's connection: ioredis arms it when a command is written to one, so it bounds MOVED/ASK
    // redirections too (the timer is armed once). The adapter's queue for a cluster not yet ready has no timer; the
    // presence and limits client has no such queue (see createRedisClusterClient).
    ...commandTimeout(opts),
  };
}

/** Connects to the cluster and PINGs once; like connectRedis, a failure is one RedisConnectError and the client is closed. */
export async function connectRedisCluster(settings: RedisClusterSettings, opts: RedisOptions = {}): Promise<Cluster> {
  const client = createRedisClusterClient(settings, opts);
  const where = `cluster ${describeRedisCluster(settings)}`;
  // Start-up gets one round over the seeds: ioredis would otherwise retry forever in the background.
  client.options.clusterRetryStrategy = () => null;
  // A node's own error (refused, wrong password) says more than the cluster's "Failed to refresh slots cache".
  const lastError: { node: Error | null; cluster: Error | null } = { node: null, cluster: null };
  client.on("error", (err: Error) => (lastError.cluster = err));
  client.on("node error", (err: Error) => (lastError.node = err));
  try {
    await withinStartDeadline(async () => {
      await client.connect();
      await client.ping();
    }, startDeadlineMs(opts, settings.seeds.length));
  } catch (err) {
    client.disconnect();
    throw new RedisConnectError(err instanceof StartDeadlineError ? err.describe(where) : describeFailure((lastError.node ?? lastError.cluster ?? err) as Error, where));
  }
  client.options.clusterRetryStrategy = (attempt: number) => Math.min(100 * attempt, 2000);
  client.removeAllListeners("error");
  client.removeAllListeners("node error");
  return client;
}

/**
 * The node's two clients (presence and limits; the adapter's publisher) for either kind of target. `commandTimeoutMs`
 * (REDIS_COMMAND_TIMEOUT_MS) applies to both and to the subscriber connections made from them (room-routing.ts).
 */
export async function connectRedisTarget(target: RedisTarget, commandTimeoutMs = 0): Promise<{ redis: RedisClient; adapterRedis: RedisClient }> {
  const opts: RedisOptions = { commandTimeoutMs };
  if ("url" in target) return { redis: await connectRedis(target.url, opts), adapterRedis: await connectRedis(target.url, { ...opts, isForAdapter: true }) };
  const redis = await connectRedisCluster(target.cluster, opts);
  try {
    return { redis, adapterRedis: await connectRedisCluster(target.cluster, { ...opts, isForAdapter: true }) };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** What start-up's ready check and PING get once a connection is open. */
const START_ANSWER_MS = 5000;

/**
 * The longest start-up's connect and PING may take: each seed's TCP connect in turn (a seed that drops packets
 * costs its connectTimeout before the next is tried), then the answer. ioredis' connectTimeout ends at the TCP
 * connection and REDIS_COMMAND_TIMEOUT_MS=0 leaves commands unbounded: a server that accepts and never answers
 * (frozen, or TLS on the port of a redis:// URL) kept start-up waiting forever without a line.
 */
const startDeadlineMs = (opts: RedisOptions, seeds: number): number => (opts.connectTimeoutMs ?? 5000) * seeds + START_ANSWER_MS;

class StartDeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }

  describe(where: string): string {
    return `no answer from Redis at ${where} within ${this.ms} ms (is it frozen, or does it want rediss://?)`;
  }
}

/** `work`, or a StartDeadlineError once `ms` passed; the caller disconnects, which ends `work` too. */
async function withinStartDeadline(work: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new StartDeadlineError(ms)), ms)));
  const running = work();
  running.catch(() => undefined); // after the deadline its rejection (the disconnect) has no one to tell
  try {
    await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: Error, url: string): string {
  return describeFailure(err, redactRedisUrl(url));
}

function describeFailure(err: Error, where: string): string {
  const text = err.message;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) return `wrong Redis credentials for ${where} (${text})`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|connect/i.test(text)) return `cannot reach Redis at ${where} (${text})`;
  return `Redis at ${where} failed: ${text}`;
}
