// The one Redis connection of a node (ioredis): the Socket.IO adapter, presence, names and the shared limits
// all use it. Start-up checks it once so a bad URL, an unreachable server or a wrong password is one clear line.
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
   * The adapter's connection: commands wait for one reconnect attempt instead of failing at once. Its stream
   * reader loops on XREAD and would spin without pause if every read failed instantly; a publish that cannot be
   * sent is failed after that attempt (the local sockets still get the broadcast) and never resent later.
   */
  isForAdapter?: boolean;
}

/**
 * A client that fails commands at once while disconnected (no offline queue): a broadcast or a presence
 * change never waits for Redis to come back, and the node catches its clients up afterwards (resync). It
 * reconnects by itself, forever, with a capped back-off.
 */
export function createRedisClient(url: string, opts: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: opts.isForAdapter === true,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  if (opts.isForAdapter === true) {
    // Without autoResendUnfulfilledCommands, ioredis drops a command that was in flight when the link closed and
    // never settles its promise. The adapter's stream readers are duplicates of this client that loop on a blocking
    // XREAD, which is nearly always in flight: a dropped XREAD ends the loop for good, and after a Redis restart the
    // node would stop hearing the other nodes (the restart test caught it about one run in three). A read is safe to
    // send again, so the readers resend theirs; this client, the publisher, still never resends an XADD.
    const duplicate = client.duplicate.bind(client);
    client.duplicate = (override) => duplicate({ ...override, autoResendUnfulfilledCommands: true });
    // The adapter sends its heartbeats (and other ephemeral packets) with PUBLISH and drops the promise. While
    // Redis is down those are rejected, and an unhandled rejection ends a Node process: mark every PUBLISH as
    // handled here (a caller that awaits it still gets the rejection).
    const publish = client.publish.bind(client) as (channel: string, message: string | Buffer) => Promise<number>;
    client.publish = ((channel: string, message: string | Buffer) => {
      const sent = publish(channel, message);
      sent.catch(() => undefined);
      return sent;
    }) as typeof client.publish;
  }
  return client;
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
