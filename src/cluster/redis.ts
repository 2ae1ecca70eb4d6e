// A node's Redis connections (ioredis): presence, names and the shared limits on one, the Socket.IO adapter's
// publishing on another (and its subscriber, cluster/room-routing.ts, opened from that one's options). Start-up
// checks those two once, so a bad URL, an unreachable server or a wrong password is one clear line.
import { Redis } from "ioredis";

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
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
}

/** Connects and PINGs once; a failure is a RedisConnectError naming the cause, and the client is closed. */
export async function connectRedis(url: string, opts: RedisOptions = {}): Promise<Redis> {
  const client = createRedisClient(url, opts);
  // Start-up gets one try: ioredis would otherwise retry forever in the background.
  client.options.retryStrategy = () => null;
  const lastError: { err: Error | null } = { err: null };
  client.on("error", (err: Error) => (lastError.err = err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new RedisConnectError(describe((lastError.err ?? err) as Error, url));
  }
  client.options.retryStrategy = (attempt: number) => Math.min(50 * attempt, 1000);
  client.removeAllListeners("error");
  return client;
}

function describe(err: Error, url: string): string {
  const where = redactRedisUrl(url);
  const text = err.message;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) return `wrong Redis credentials for ${where} (${text})`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|connect/i.test(text)) return `cannot reach Redis at ${where} (${text})`;
  return `Redis at ${where} failed: ${text}`;
}
