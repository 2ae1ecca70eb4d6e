// The only module that touches the process: environment, port, signals.
import { config as loadDotenv } from "dotenv";
import { createApp, openFileStore, type App } from "./app.js";
import { releaseClosedTerminalAtExit } from "./closed-terminal.js";
import { startHealthListener, type HealthListener } from "./http/health-listener.js";
import { backlogCap, readSomaxconn } from "./http/listen-backlog.js";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { misspeltVariables, notingReads } from "./misspelt-variables.js";
import { createPinoLogger, type Logger } from "./log.js";
import { connectRedisTarget, describeRedisTarget, RedisConnectError, type RedisClient, type RedisTarget } from "./cluster/redis.js";
import { PostgresMessageRepository } from "./storage/postgres.js";
import { PostgresConnectError, redactDatabaseUrl } from "./storage/postgres-pool.js";
import type { FileStore } from "./storage/files.js";
import type { MessageRepository } from "./storage/repository.js";
import { SqliteMessageRepository } from "./storage/sqlite.js";

async function main(): Promise<void> {
  releaseClosedTerminalAtExit();
  loadDotenv({ quiet: true });
  let config: Config;
  const settings = new Set<string>();
  try {
    config = loadConfig(notingReads(process.env, settings));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(1);
  }
  const log = createPinoLogger(config.logLevel, config.nodeId);
  for (const { name, meant } of misspeltVariables(Object.keys(process.env), settings)) log.warn("config_unknown_variable", { name, hint: `not a setting; did you mean ${meant}?` });
  if (config.isSecretGenerated) log.warn("secret_key_generated", { hint: "set SECRET_KEY so sessions survive a restart" });

  const target = redisTarget(config);
  const cluster = await openRedis(target, config.redisCommandTimeoutMs);
  const repo = await openRepository(config, log);
  const fileStore = openFiles(config, repo);
  const app = createApp({ config, repo, log, clock: systemClock, fileStore, withProcessMetrics: true, ...(cluster ? { cluster } : {}) });

  // Each start-up failure is one line naming the variable(s) to change, as for a value that does not parse.
  app.http.once("error", (err) => {
    process.stderr.write(`cannot listen on ${config.host}:${config.port} (HOST, PORT): ${err.message}\n`);
    process.exit(1);
  });
  const health = await openHealthListener(config, app, log);
  // Node's default backlog (511) overflowed when 10,000 clients came back after a restart: 100,000+ connections
  // dropped by the kernel, each client then waiting a SYN retransmit (1 s, 2 s, 4 s...) before reaching the server.
  const cap = backlogCap(config.listenBacklog, readSomaxconn());
  if (cap !== null) log.warn("listen_backlog_capped", { ...cap, hint: `the kernel queues at most ${cap.somaxconn} connections; for restarts with many people connected: sysctl -w net.core.somaxconn=${cap.requested} (docs/operations.md#restarts)` });
  app.http.listen({ port: config.port, host: config.host, backlog: config.listenBacklog }, () => {
    void app.restored.then(() => health?.serving());
    const address = app.http.address();
    const port = typeof address === "object" && address !== null ? address.port : config.port;
    log.info("listening", { url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`, database: config.databaseUrl === null ? config.databasePath : redactDatabaseUrl(config.databaseUrl), ...(target === null ? {} : { redis: describeRedisTarget(target) }) });
  });

  installShutdown(
    async () => {
      health?.stopping(); // probes fail from the signal on, so the load balancer sends nobody new
      await app.close();
      await health?.close();
    },
    log,
    {
      timeoutMs: config.shutdownTimeoutMs,
      repeatIgnoreMs: config.shutdownRepeatIgnoreMs,
      // SQLite commits in the calling turn, so the queued batch is on disk before exit; PostgreSQL's would have to
      // wait on the network, so a batch in flight there commits or rolls back on its own, unanswered either way.
      commitQueuedNow: () => {
        if (repo instanceof SqliteMessageRepository) repo.commitQueuedNow();
      },
    },
  );
}

/** HEALTH_PORT (issue 19): /healthz from a thread of its own, which answers while the app's loop is busy; or one line and exit 1. */
async function openHealthListener(config: Config, app: App, log: Logger): Promise<HealthListener | null> {
  const { healthPort, healthHost, healthStallMs } = config.restart;
  if (healthPort === null) return null;
  try {
    const listener = await startHealthListener({ host: healthHost, port: healthPort, nodeId: config.nodeId, stallMs: healthStallMs, check: () => app.health(), log });
    log.info("health_listening", { url: `http://${healthHost.includes(":") ? `[${healthHost}]` : healthHost}:${listener.port}/healthz` });
    return listener;
  } catch (err) {
    process.stderr.write(`cannot listen for health checks on ${healthHost}:${healthPort} (HEALTH_HOST, HEALTH_PORT): ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** REDIS_URL (one server) or REDIS_CLUSTER_NODES (a Redis Cluster; config.ts refuses both), or null for one node. */
function redisTarget(config: Config): RedisTarget | null {
  if (config.redisCluster !== null) return { cluster: config.redisCluster };
  return config.redisUrl === null ? null : { url: config.redisUrl };
}

/** Multi-node mode: two clients (presence and limits; the adapter's), or one line and exit 1. */
async function openRedis(target: RedisTarget | null, commandTimeoutMs: number): Promise<{ redis: RedisClient; adapterRedis: RedisClient } | null> {
  if (target === null) return null;
  try {
    return await connectRedisTarget(target, commandTimeoutMs);
  } catch (err) {
    if (!(err instanceof RedisConnectError)) throw err;
    process.stderr.write(`cannot connect to Redis (${"cluster" in target ? "REDIS_CLUSTER_NODES" : "REDIS_URL"}): ${err.message}\n`);
    process.exit(1);
  }
}

/** PostgreSQL when DATABASE_URL is set, SQLite otherwise; a store that cannot be opened ends start-up with one line. */
async function openRepository(config: Config, log: Logger): Promise<MessageRepository> {
  if (config.databaseUrl !== null) {
    try {
      return await PostgresMessageRepository.open({ url: config.databaseUrl, ...config.postgres, healthProbeIntervalMs: config.healthProbeIntervalMs, log });
    } catch (err) {
      if (!(err instanceof PostgresConnectError)) throw err;
      process.stderr.write(`cannot connect to PostgreSQL (DATABASE_URL): ${err.message}\n`);
      process.exit(1);
    }
  }
  try {
    return new SqliteMessageRepository(config.databasePath, {
      busyTimeoutMs: config.dbBusyTimeoutMs,
      writeRetryMs: config.dbWriteRetryMs,
      searchIndexDelayMs: config.searchIndexDelayMs,
      healthProbeIntervalMs: config.healthProbeIntervalMs,
      fullResumeBytes: config.dbFullResumeBytes,
      historyCacheRooms: config.historyCacheRooms,
      historyCacheRows: config.historyLimit,
      log,
    });
  } catch (err) {
    process.stderr.write(`cannot open database ${config.databasePath} (DATABASE_PATH): ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** The files' folder (FILES_PATH, or the upload spool with PostgreSQL), or one line and exit 1: a folder that cannot be made was a stack trace. */
function openFiles(config: Config, repo: MessageRepository): FileStore {
  try {
    return openFileStore(config, repo);
  } catch (err) {
    const folder = config.databaseUrl === null ? `${config.files.path} (FILES_PATH)` : "for upload spooling";
    process.stderr.write(`cannot use the files folder ${folder}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

interface ShutdownOptions {
  timeoutMs: number;
  repeatIgnoreMs: number;
  /** Called before a cut-short exit: writes what can be written without waiting (SQLite), nothing more. */
  commitQueuedNow: () => void;
}

/**
 * SIGTERM, SIGINT and SIGHUP (the terminal closed) drain: acknowledged work is committed, clients are told. A second
 * SIGINT or SIGTERM during the drain exits 1 at once, as an operator pressing Ctrl-C twice means; within
 * repeatIgnoreMs of the first it is the same request delivered twice (npm start passes on the signal its process
 * group also got). A second SIGHUP never cuts it short: a closing terminal may send it twice (kernel, then shell).
 */
function installShutdown(close: () => Promise<void>, log: Logger, opts: ShutdownOptions): void {
  let startedAtMs: number | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (startedAtMs !== null) {
      if (signal !== "SIGHUP" && performance.now() - startedAtMs >= opts.repeatIgnoreMs) cutShort(signal);
      return;
    }
    startedAtMs = performance.now();
    log.info("shutdown_started", { signal });
    // A stuck close must not keep the process alive past the deadline.
    setTimeout(() => {
      log.error("shutdown_timed_out", { timeoutMs: opts.timeoutMs });
      process.exit(1);
    }, opts.timeoutMs).unref();
    close().then(
      () => {
        log.info("shutdown_complete", {});
        process.exit(0);
      },
      (err: unknown) => {
        log.error("shutdown_failed", { err });
        process.exit(1);
      },
    );
  };
  const cutShort = (signal: NodeJS.Signals): void => {
    opts.commitQueuedNow();
    log.error("shutdown_cut_short", { signal, hint: "a second signal ended the drain: unanswered events were dropped" });
    process.exit(1);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => stop(signal));
}

void main();
