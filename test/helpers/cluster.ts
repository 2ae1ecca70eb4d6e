// Three (or N) app processes on one PostgreSQL and one Redis, all on 127.0.0.1, for the cluster suite and the
// bench: the built dist/server.js as child processes (real signals, real sockets), each on a free port with
// NODE_ID=node-a/b/c. PostgreSQL is the suite's (a database per cluster) or one of the cluster's own when a test
// stops it; Redis is always the cluster's own. Short PRESENCE_TTL_MS / NAME_GRACE_MS and storage timeouts keep
// the fault tests quick. remove() stops everything and deletes every temporary folder, also after a failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnChildServer, type ChildServer, type Exit } from "./child-server.js";
import { createDatabase, startPostgres, type PostgresServer } from "./postgres.js";
import { startRedis, type RedisServer } from "./redis.js";
import { startRedisCluster, type RedisClusterServer } from "./redis-cluster.js";
import { freePort } from "./free-port.js";

export const NODE_IDS = ["node-a", "node-b", "node-c", "node-d", "node-e"] as const;

/** What the fault tests set on every node; a test adds or overrides through ClusterOptions.env. */
export const CLUSTER_TEST_ENV: Readonly<Record<string, string>> = {
  PRESENCE_TTL_MS: "1500",
  // Joins refused while the event loop is late depend on the machine's load, not on what these tests check.
  JOIN_LOOP_BUSY_MS: "0",
  NAME_GRACE_MS: "500",
  PG_POOL_SIZE: "4",
  PG_STATEMENT_TIMEOUT_MS: "2000",
  PG_CONNECT_TIMEOUT_MS: "1000",
  HEALTH_PROBE_INTERVAL_MS: "200",
  SHUTDOWN_TIMEOUT_MS: "5000",
  // The tests send from a few sockets on one address as fast as acks come back: limits are not under test here.
  RATE_SEND_PER_SEC: "10000",
  RATE_SEND_BURST: "10000",
  RATE_JOIN_PER_SEC: "10000",
  RATE_JOIN_BURST: "10000",
  RATE_HISTORY_PER_SEC: "10000",
  RATE_HISTORY_BURST: "10000",
  RATE_TYPING_PER_SEC: "10000",
  RATE_TYPING_BURST: "10000",
  MAX_CONNECTIONS_PER_IP: "0",
  HANDSHAKES_PER_MINUTE_PER_IP: "0",
};

export interface ClusterOptions {
  nodes?: number;
  /** An admin URL of a running PostgreSQL to make this cluster's database on; default: start one of our own. */
  pgAdminUrl?: string;
  /** Added to every node's environment (after CLUSTER_TEST_ENV); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Keep fsync on in our own PostgreSQL (the bench). */
  isDurable?: boolean;
  /** A Redis Cluster of 3 masters (REDIS_CLUSTER_NODES) instead of one redis-server (REDIS_URL). */
  isRedisCluster?: boolean;
}

export interface ClusterNode {
  id: string;
  port: number;
  url: string;
  /** The running process, or null while the node is down. */
  server(): ChildServer | null;
  isUp(): boolean;
  /** SIGKILL: no shutdown, no goodbye to clients. */
  kill(): Promise<Exit>;
  /** SIGTERM: the graceful shutdown. */
  terminate(): Promise<Exit>;
  /** Starts the node again, same id, port and environment; waits for its "listening" line. */
  start(): Promise<void>;
}

export interface Cluster {
  nodes: ClusterNode[];
  /** nodes[index], or an error naming the index. */
  node(index: number): ClusterNode;
  databaseUrl: string;
  /** The one redis-server's URL; null on a Redis Cluster. */
  redisUrl: string | null;
  /** The one redis-server, or null on a Redis Cluster. */
  redis: RedisServer | null;
  /** The Redis Cluster (isRedisCluster), or null. */
  redisCluster: RedisClusterServer | null;
  /** Only when the cluster started its own PostgreSQL (no pgAdminUrl). */
  postgres: PostgresServer | null;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** Everything stops, every folder goes. Safe to call twice and after a failed start. */
  remove(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const count = opts.nodes ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "mr-cluster-"));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const remove = async (): Promise<void> => {
    while (cleanups.length > 0) await cleanups.pop()?.().catch(() => undefined);
  };
  try {
    let postgres: PostgresServer | null = null;
    let databaseUrl: string;
    if (opts.pgAdminUrl !== undefined) databaseUrl = await createDatabase(opts.pgAdminUrl);
    else {
      const pg = await startPostgres({ isDurable: opts.isDurable === true });
      postgres = pg;
      cleanups.push(() => pg.remove());
      databaseUrl = await pg.createDatabase("cluster");
    }
    const redis = opts.isRedisCluster === true ? null : await startRedis();
    const redisCluster = opts.isRedisCluster === true ? await startRedisCluster(3) : null;
    cleanups.push(async () => {
      await redis?.remove();
      await redisCluster?.remove();
    });
    const redisEnv = redisCluster !== null ? { REDIS_CLUSTER_NODES: redisCluster.seeds } : { REDIS_URL: (redis as RedisServer).url };

    const env = { ...CLUSTER_TEST_ENV, DATABASE_URL: databaseUrl, ...redisEnv, ...opts.env };
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < count; i++) {
      const id = NODE_IDS[i] ?? `node-${i}`;
      const node = makeNode(id, await freePort(), join(dir, `${id}.db`), env);
      nodes.push(node);
      cleanups.push(async () => void (await node.kill()));
    }
    // One at a time: the first node runs the PostgreSQL migrations; the others find them done.
    for (const node of nodes) await node.start();

    const needOneRedis = (): RedisServer => {
      if (redis === null) throw new Error("this cluster runs on a Redis Cluster: stop one of its masters instead");
      return redis;
    };
    const needOwnPostgres = (): PostgresServer => {
      if (postgres === null) throw new Error("this cluster shares the suite's PostgreSQL: start it without pgAdminUrl to stop PostgreSQL");
      return postgres;
    };
    return {
      nodes,
      node: (index) => {
        const node = nodes[index];
        if (node === undefined) throw new Error(`no node ${index}: the cluster has ${nodes.length}`);
        return node;
      },
      databaseUrl,
      redisUrl: redis?.url ?? null,
      redis,
      redisCluster,
      postgres,
      stopRedis: () => needOneRedis().stop(),
      startRedis: () => needOneRedis().start(),
      stopPostgres: () => needOwnPostgres().stop(),
      startPostgres: () => needOwnPostgres().start(),
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

function makeNode(id: string, port: number, databasePath: string, env: Record<string, string | undefined>): ClusterNode {
  let current: ChildServer | null = null;
  const halt = async (signal: NodeJS.Signals): Promise<Exit> => {
    const server = current;
    current = null;
    if (server === null) return { code: null, signal: null };
    server.proc.kill(signal);
    return server.exited;
  };
  return {
    id,
    port,
    url: `http://127.0.0.1:${port}`,
    server: () => current,
    isUp: () => current !== null,
    kill: () => halt("SIGKILL"),
    terminate: () => halt("SIGTERM"),
    start: async () => {
      if (current !== null) throw new Error(`${id} is already running`);
      const server = await spawnChildServer({ databasePath, port, env: { ...env, NODE_ID: id } });
      try {
        await answersHttp(server);
      } catch (err) {
        await server.stop();
        throw err;
      }
      current = server;
    },
  };
}

/** Ready once /healthz answers at all (the bench runs nodes at LOG_LEVEL=warn: no "listening" line to wait for). */
async function answersHttp(server: ChildServer, timeoutMs = 20_000): Promise<void> {
  let hasExited = false;
  void server.exited.then(() => (hasExited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`node exited before it answered: ${server.stderr()}`);
    if ((await health(server.url, 1000)).status !== 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`node did not answer /healthz within ${timeoutMs} ms: ${server.stderr()}`);
}

/** GET /healthz of a node (or through nginx): status and parsed body; no answer in time is status 0 with the error. */
export async function health(url: string, timeoutMs = 3000): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { status: 0, body: { error: `no answer within ${timeoutMs} ms: ${(err as Error).message}` } };
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}
