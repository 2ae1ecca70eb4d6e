import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import proxyAddr from "proxy-addr";
import { LIMITS } from "./protocol.js";
import { accessSettings, type AccessSettings } from "./access/settings.js";
import { fileSettings, MIB, type FileSettings } from "./files/settings.js";
import { transportSettings, type TransportSettings } from "./http/settings.js";
import { parseServiceUrl } from "./shared/service-url.js";
import { DEFAULT_HEALTH_PROBE_INTERVAL_MS } from "./storage/repository.js";
import { pushSettings, type PushSettings } from "./push/settings.js";
import { parseRedisClusterNodes, type RedisClusterSettings } from "./redis-cluster-config.js";

export type { AccessSettings, FileSettings, PushSettings, TransportSettings };

export interface TokenBucketSpec {
  /** Tokens added per second; 0 turns the limit off. */
  perSec: number;
  burst: number;
}

export interface RateLimits {
  send: TokenBucketSpec;
  join: TokenBucketSpec;
  history: TokenBucketSpec;
  typing: TokenBucketSpec;
  /** More rate_limited answers than this within disconnectWindowMs ends the connection; 0 = never. */
  disconnectAfter: number;
  disconnectWindowMs: number;
  /** Concurrent Socket.IO connections from one address; 0 = unlimited. */
  maxConnectionsPerIp: number;
  /** Socket.IO handshakes from one address per minute; 0 = unlimited. */
  handshakesPerMinutePerIp: number;
  /**
   * Connections without a session cookie share their send/join/history limits per address, at this many
   * times one connection's rate and burst (several scripts may sit behind one address).
   */
  cookielessIpFactor: number;
  /** Rooms one connection may be in at once. */
  maxRoomsPerConnection: number;
  /** IPv6 clients count per network of this prefix length for per-address limits (64: one customer's /64). */
  ipv6PrefixLength: number;
}

export interface Config {
  port: number;
  host: string;
  /**
   * Connections the kernel completes and queues for the server while its event loop is busy (listen backlog,
   * capped by net.core.somaxconn, which the server warns of at start); beyond it new connections are dropped and
   * their clients wait a SYN retransmit.
   */
  listenBacklog: number;
  databasePath: string;
  /** postgres://… selects the PostgreSQL store; null keeps SQLite at databasePath. */
  databaseUrl: string | null;
  postgres: PostgresSettings;
  historyLimit: number;
  /** list_bans answers at most this many names (the newest bans first). */
  bansListLimit: number;
  /** SQLite: how many rooms' newest page joins are answered from memory (storage/latest-pages.ts); 0 = none. */
  historyCacheRooms: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  isProduction: boolean;
  secretKey: string;
  /** True when no SECRET_KEY was given and one was made up for this run. */
  isSecretGenerated: boolean;
  /** Extra origins allowed to open a Socket.IO connection; the app's own origin always is. */
  allowedOrigins: readonly string[];
  /** Express "trust proxy" value: false, true, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string;
  rateLimits: RateLimits;
  maxHttpBufferBytes: number;
  /** Text responses at least this long go out compressed (issue 23); 0 compresses every one. */
  compressMinBytes: number;
  /** Outgoing bytes queued for one connection before it counts as not reading and is dropped. */
  maxBufferedBytesPerConnection: number;
  /** How long the app port waits for a request, and how many TCP connections one address may hold open there. */
  transport: TransportSettings;
  /** The longest one write attempt blocks the event loop waiting for another connection's lock. */
  dbBusyTimeoutMs: number;
  /** How long a batch of sends keeps retrying a locked database before answering storage_unavailable. */
  dbWriteRetryMs: number;
  /** SQLite: how soon after a commit the new rows are added to the search index (a search indexes first anyway). */
  searchIndexDelayMs: number;
  /** A failing store is probed with a write at most once per this many ms; /healthz answers the last result between. */
  healthProbeIntervalMs: number;
  /** SQLite: after a write failed for want of disk space, /healthz says full until this many bytes are free. */
  dbFullResumeBytes: number;
  shutdownTimeoutMs: number;
  /** A second SIGINT/SIGTERM this soon after the first is the same request delivered twice (npm start), not "stop now". */
  shutdownRepeatIgnoreMs: number;
  /** How long a name whose last connection dropped (without leave_chat) stays its owner's; 0 = released at once. */
  nameGraceMs: number;
  metricsToken: string | null;
  /** How long after sending the sender may edit or delete a message (issue 12); 0 = forever. */
  editWindowMs: number;
  /** Issue 22: different emoji one message may carry; a further one answers too_many_reactions. */
  maxReactionEmoji: number;
  /** The token that makes a browser a moderator at /moderate; null = no moderation. */
  moderatorToken: string | null;
  /** Token tries at POST /moderate per address per minute. */
  moderatorLoginPerMinute: number;
  /** Addresses one node remembers for that limit (without Redis, or while it is away); the least recent goes first. */
  moderatorLoginMaxAddresses: number;
  /** Repeated warnings of one kind are logged once per this many ms, with a count of the ones left out; 0 logs all. */
  logWarnIntervalMs: number;
  viewsDir: string;
  publicDir: string;
  /** redis://… turns on multi-node mode (Socket.IO adapter, presence, names and limits in Redis); null = one node. */
  redisUrl: string | null;
  /** REDIS_CLUSTER_NODES: multi-node mode on a Redis Cluster instead of one Redis (never both); null = not a cluster. */
  redisCluster: RedisClusterSettings | null;
  /** Names this node in logs, metrics and /healthz. */
  nodeId: string;
  /** NODE_ID was given: only then does the app's public /healthz name the node (the default holds the hostname). */
  isNodeIdSet: boolean;
  /** How long a node's presence entries outlive its last heartbeat (multi-node mode). */
  presenceTtlMs: number;
  /** A Redis command unanswered this long fails (a frozen Redis answers joins presence_unavailable); 0 = wait forever. */
  redisCommandTimeoutMs: number;
  /** The page shows at most one desktop notification per room per this many ms (issue 13); 0 = no limit. */
  notifyIntervalMs: number;
  /** The page keeps at most this many messages of a room that is not on screen; older ones are fetched again on scroll. */
  pageKeepMessages: number;
  /** Private rooms and invite links (issue 17). */
  access: AccessSettings;
  /** Files and images in messages (issue 18). */
  files: FileSettings;
  /** Restarts and reconnection storms (issue 19). */
  restart: RestartSettings;
  /** Web Push (issue 23): notifications while no page of a browser is open. */
  push: PushSettings;
}

export interface RestartSettings {
  /** One node: how often its presence is written down when it changed (a restart gives names back); 0 = never. */
  presenceSnapshotMs: number;
  /** The oldest snapshot a start still restores: a restart slower than this was an outage, and rooms start afresh. */
  presenceSnapshotMaxAgeMs: number;
  /** How long names restored from a snapshot are held for their owners after a start (at least NAME_GRACE_MS). */
  restoreGraceMs: number;
  /** Joins the node expects to take back per second after a restart: server_shutdown spreads the returns over clients / this. */
  rejoinsPerSec: number;
  /** Joins worked on at once; beyond it, joins are answered `overloaded` with a retryAfterMs. 0 = no limit. */
  maxJoinsInFlight: number;
  /** Connection handshakes under way at once; beyond it, a handshake is refused ("overloaded"). 0 = no limit. */
  maxHandshakesInFlight: number;
  /** The event loop's delay above which joins are answered `overloaded`; 0 = never. */
  joinLoopBusyMs: number;
  /** HEALTH_PORT: /healthz also answered by a thread of its own on this port (0: any free one); null = off. */
  healthPort: number | null;
  healthHost: string;
  /** The app's loop may be this late before the health thread's probe fails. */
  healthStallMs: number;
}

export interface PostgresSettings {
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** A misspelt "production" (say "Production") must not quietly run without production's checks. */
const NODE_ENVS = ["production", "development", "test"] as const;

/** Reads every variable once; throws one ConfigError naming every bad one. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === "") return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    problems.push(`${name} must be true or false (got "${env[name]?.trim() ?? ""}")`);
    return fallback;
  };
  const bucket = (prefix: string, perSec: number, burst: number): TokenBucketSpec => ({
    perSec: num(`RATE_${prefix}_PER_SEC`, perSec, 0, 1_000_000),
    burst: int(`RATE_${prefix}_BURST`, burst, 1, 1_000_000),
  });

  const nodeEnv = env.NODE_ENV?.trim() || "development";
  if (!(NODE_ENVS as readonly string[]).includes(nodeEnv)) problems.push(`NODE_ENV must be one of ${NODE_ENVS.join(", ")} (got "${nodeEnv}")`);
  const isProduction = nodeEnv === "production";
  const givenSecret = env.SECRET_KEY?.trim() ?? "";
  if (givenSecret === "" && isProduction) problems.push("SECRET_KEY is required when NODE_ENV=production");
  if (givenSecret !== "" && givenSecret.length < 16) problems.push("SECRET_KEY must be at least 16 characters");

  const logLevel = (env.LOG_LEVEL?.trim() || "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);

  const databasePath = env.DATABASE_PATH?.trim() || "chat_history.db";
  const host = env.HOST?.trim() || "127.0.0.1";
  const databaseUrl = parseDatabaseUrl(env.DATABASE_URL, problems);
  const redisUrl = parseRedisUrl(env.REDIS_URL, problems);
  const redisCluster = parseRedisClusterNodes(env.REDIS_CLUSTER_NODES, problems);
  // Several nodes cannot share one SQLite file: multi-node mode needs the PostgreSQL store.
  if (redisUrl !== null && databaseUrl === null) problems.push("REDIS_URL needs DATABASE_URL (several nodes cannot share an SQLite file)");
  if (redisCluster !== null && databaseUrl === null) problems.push("REDIS_CLUSTER_NODES needs DATABASE_URL (several nodes cannot share an SQLite file)");
  // One names a server, the other a cluster: a node must not guess which one was meant.
  if (redisUrl !== null && redisCluster !== null) problems.push("set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both");

  const allowedOrigins = parseOrigins(env.ALLOWED_ORIGINS ?? "", problems);
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  const moderatorToken = env.MODERATOR_TOKEN?.trim() || null;
  if (moderatorToken !== null && moderatorToken.length < 12) problems.push("MODERATOR_TOKEN must be at least 12 characters");

  const maxConnectionsPerIp = int("MAX_CONNECTIONS_PER_IP", 50, 0, 1_000_000);

  const config: Config = {
    port: int("PORT", 5003, 0, 65535),
    listenBacklog: int("LISTEN_BACKLOG", 16384, 1, 65535),
    host,
    databasePath,
    databaseUrl,
    postgres: {
      poolSize: int("PG_POOL_SIZE", 10, 1, 1000),
      // Bounds every statement, including the wait for a room's insert lock: a send fails rather than hangs.
      statementTimeoutMs: int("PG_STATEMENT_TIMEOUT_MS", 5000, 100, 600_000),
      connectTimeoutMs: int("PG_CONNECT_TIMEOUT_MS", 5000, 100, 600_000),
    },
    historyLimit: int("HISTORY_LIMIT", 100, 1, LIMITS.historyMaxLimit),
    bansListLimit: int("BANS_LIST_LIMIT", 100, 1, 1000),
    historyCacheRooms: int("HISTORY_CACHE_ROOMS", 128, 0, 100_000),
    logLevel,
    isProduction,
    secretKey: givenSecret || randomBytes(32).toString("hex"),
    isSecretGenerated: givenSecret === "",
    allowedOrigins,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    rateLimits: {
      send: bucket("SEND", 5, 10),
      join: bucket("JOIN", 2, 10),
      history: bucket("HISTORY", 5, 20),
      typing: bucket("TYPING", 2, 5),
      disconnectAfter: int("RATE_LIMIT_DISCONNECT_AFTER", 100, 0, 1_000_000),
      disconnectWindowMs: int("RATE_LIMIT_DISCONNECT_WINDOW_MS", 10_000, 1, 3_600_000),
      maxConnectionsPerIp,
      handshakesPerMinutePerIp: int("HANDSHAKES_PER_MINUTE_PER_IP", 300, 0, 1_000_000),
      cookielessIpFactor: int("RATE_COOKIELESS_IP_FACTOR", 10, 1, 10_000),
      maxRoomsPerConnection: int("MAX_ROOMS_PER_CONNECTION", 20, 1, 10_000),
      ipv6PrefixLength: int("IPV6_PREFIX_LENGTH", 64, 1, 128),
    },
    maxHttpBufferBytes: int("MAX_HTTP_BUFFER_BYTES", 16 * 1024, 1024, 10 * 1024 * 1024),
    compressMinBytes: int("COMPRESS_MIN_BYTES", 1024, 0, 100 * 1024 * 1024),
    maxBufferedBytesPerConnection: int("MAX_BUFFERED_BYTES_PER_CONNECTION", 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
    transport: transportSettings(maxConnectionsPerIp, int, problems),
    // better-sqlite3 waits for a lock synchronously, freezing every connection meanwhile: keep it short, and
    // let DB_WRITE_RETRY_MS (retries between event-loop turns) carry the patience.
    dbBusyTimeoutMs: int("DB_BUSY_TIMEOUT_MS", 10, 0, 600_000),
    dbWriteRetryMs: int("DB_WRITE_RETRY_MS", 500, 0, 600_000),
    searchIndexDelayMs: int("SEARCH_INDEX_DELAY_MS", 250, 0, 60_000),
    healthProbeIntervalMs: int("HEALTH_PROBE_INTERVAL_MS", DEFAULT_HEALTH_PROBE_INTERVAL_MS, 0, 3_600_000),
    dbFullResumeBytes: int("DB_FULL_RESUME_BYTES", 64 * MIB, 0, Number.MAX_SAFE_INTEGER),
    shutdownTimeoutMs: int("SHUTDOWN_TIMEOUT_MS", 10_000, 100, 600_000),
    shutdownRepeatIgnoreMs: int("SHUTDOWN_REPEAT_IGNORE_MS", 1000, 0, 60_000),
    nameGraceMs: int("NAME_GRACE_MS", 15_000, 0, 3_600_000),
    metricsToken,
    editWindowMs: int("EDIT_WINDOW_MS", 15 * 60 * 1000, 0, 365 * 24 * 3600 * 1000),
    maxReactionEmoji: int("MAX_REACTION_EMOJI", 20, 1, LIMITS.reactionEmojiMaxPerMessage),
    moderatorToken,
    moderatorLoginPerMinute: int("MODERATOR_LOGIN_PER_MINUTE", 5, 1, 1000),
    moderatorLoginMaxAddresses: int("MODERATOR_LOGIN_MAX_ADDRESSES", 10_000, 1, 10_000_000),
    logWarnIntervalMs: int("LOG_WARN_INTERVAL_MS", 10_000, 0, 3_600_000),
    viewsDir: fileURLToPath(new URL("../views", import.meta.url)),
    publicDir: fileURLToPath(new URL("../public", import.meta.url)),
    redisUrl,
    redisCluster,
    nodeId: env.NODE_ID?.trim() || `${hostname()}-${process.pid}`,
    isNodeIdSet: (env.NODE_ID?.trim() ?? "") !== "",
    presenceTtlMs: int("PRESENCE_TTL_MS", 15_000, 300, 3_600_000),
    redisCommandTimeoutMs: int("REDIS_COMMAND_TIMEOUT_MS", 2000, 0, 600_000),
    notifyIntervalMs: int("NOTIFY_INTERVAL_MS", 10_000, 0, 3_600_000),
    pageKeepMessages: int("PAGE_KEEP_MESSAGES", 500, 10, 100_000),
    access: accessSettings(int, bool, problems),
    files: fileSettings(env, databasePath, int, problems),
    restart: {
      presenceSnapshotMs: int("PRESENCE_SNAPSHOT_MS", 2000, 0, 3_600_000),
      presenceSnapshotMaxAgeMs: int("PRESENCE_SNAPSHOT_MAX_AGE_MS", 120_000, 0, 86_400_000),
      restoreGraceMs: int("RESTORE_GRACE_MS", 60_000, 0, 3_600_000),
      rejoinsPerSec: int("RESTART_REJOINS_PER_SEC", 2000, 1, 1_000_000),
      maxJoinsInFlight: int("MAX_JOINS_IN_FLIGHT", 0, 0, 1_000_000),
      maxHandshakesInFlight: int("MAX_HANDSHAKES_IN_FLIGHT", 0, 0, 1_000_000),
      joinLoopBusyMs: int("JOIN_LOOP_BUSY_MS", 150, 0, 60_000),
      healthPort: env.HEALTH_PORT?.trim() ? int("HEALTH_PORT", 0, 0, 65535) : null,
      healthHost: env.HEALTH_HOST?.trim() || host,
      healthStallMs: int("HEALTH_STALL_MS", 10_000, 500, 600_000),
    },
    push: pushSettings(env, nodeEnv, int, bool, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

const parseDatabaseUrl = (raw: string | undefined, problems: string[]): string | null =>
  parseServiceUrl("DATABASE_URL", raw, ["postgres:", "postgresql:"], "PostgreSQL URL such as postgres://user:password@host:5432/database", problems);

const parseRedisUrl = (raw: string | undefined, problems: string[]): string | null =>
  parseServiceUrl("REDIS_URL", raw, ["redis:", "rediss:"], "Redis URL such as redis://:password@host:6379/0", problems);

function parseOrigins(raw: string, problems: string[]): string[] {
  const origins: string[] = [];
  for (const item of raw.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    try {
      const url = new URL(item);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
      origins.push(url.origin);
    } catch {
      problems.push(`ALLOWED_ORIGINS has an invalid origin "${item}" (expected e.g. https://chat.example.com)`);
    }
  }
  return origins;
}

function parseTrustProxy(raw: string | undefined, problems: string[]): Config["trustProxy"] {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  // Addresses or subnets, split as Express splits them: compiled here, a typo is a configuration error naming the
  // variable, not a stack trace from app.set("trust proxy") after the database was already opened.
  try {
    proxyAddr.compile(value.split(",").map((item) => item.trim()));
  } catch (err) {
    problems.push(`TRUST_PROXY must be true, false, a hop count, or proxy addresses/subnets such as loopback,10.0.0.0/8 (got "${value}": ${(err as Error).message})`);
    return false;
  }
  return value;
}
