// In-process nodes for the multi-node tests: each a createApp on 127.0.0.1:0 with its own PostgreSQL pool and
// its own Redis connections, all on one database and one Redis, as separate processes would be.
import type { AddressInfo } from "node:net";
import { io as connectClient } from "socket.io-client";
import { createApp, type App } from "../../src/app.js";
import { systemClock } from "../../src/clock.js";
import { connectRedisTarget, type RedisClient } from "../../src/cluster/redis.js";
import { loadConfig, type Config } from "../../src/config.js";
import { newSessionCookie } from "../../src/http/session.js";
import { createCapturingLogger } from "../../src/log.js";
import type { RedisSetup } from "../helpers/redis-setups.js";
import { joinRoom, type ClientSocket, type Joined } from "../helpers/app.js";
import type { PostgresMessageRepository } from "../../src/storage/postgres.js";
import { openPostgresRepo } from "./pg.js";

export interface TestNode {
  id: string;
  url: string;
  app: App;
  config: Config;
  /** The node's store, for a test that holds one of its reads (a spy) to open a window between two steps. */
  repo: PostgresMessageRepository;
  redis: RedisClient;
  adapterRedis: RedisClient;
  logs: ReturnType<typeof createCapturingLogger>["lines"];
  connect(session?: string): Promise<ClientSocket>;
  joined(room: string, username: string, session?: string): Promise<Joined>;
  close(): Promise<void>;
}

const SECRET_KEY = "cluster-test-secret-0123456789";

/** A session cookie every node accepts (they share SECRET_KEY). */
export const newSession = (): string => newSessionCookie(SECRET_KEY, false).split(";")[0] as string;

/** `redis`: a redis:// URL, or a set-up (redis-setups.ts: one server or a Redis Cluster). */
export async function startNode(id: string, databaseUrl: string, redis: string | Pick<RedisSetup, "env">, env: Record<string, string> = {}): Promise<TestNode> {
  const redisEnv = typeof redis === "string" ? { REDIS_URL: redis } : redis.env;
  // JOIN_LOOP_BUSY_MS off, as in test/helpers/app.ts: the nodes share one event loop with the test and each other, so
  // on a loaded machine their joins were refused `overloaded` (access.model-nodes.test.ts failed so under load).
  const config = loadConfig({ PORT: "0", DATABASE_URL: databaseUrl, ...redisEnv, NODE_ID: id, SECRET_KEY, JOIN_LOOP_BUSY_MS: "0", ...env });
  const log = createCapturingLogger();
  const repo = await openPostgresRepo(databaseUrl);
  const redisClients = await connectRedisTarget(config.redisCluster !== null ? { cluster: config.redisCluster } : { url: config.redisUrl as string });
  const app = createApp({ config, repo, log, clock: systemClock, cluster: redisClients });
  await new Promise<void>((resolve) => app.http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.http.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];

  const connect = async (session?: string): Promise<ClientSocket> => {
    const socket: ClientSocket = connectClient(url, { transports: ["websocket"], reconnection: false, forceNew: true, extraHeaders: session ? { cookie: session } : {} });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return socket;
  };
  const joined = async (room: string, username: string, session?: string): Promise<Joined> => {
    const socket = await connect(session);
    const res = await joinRoom(socket, room, username);
    if (!res.ok) throw new Error(`join failed on ${id}: ${res.error.code}`);
    return Object.assign(socket, { joinResult: res });
  };
  let isClosed = false;
  return {
    id,
    url,
    app,
    config,
    repo,
    redis: redisClients.redis,
    adapterRedis: redisClients.adapterRedis,
    logs: log.lines,
    connect,
    joined,
    async close() {
      if (isClosed) return;
      isClosed = true;
      for (const c of clients) c.disconnect();
      await app.close();
    },
  };
}
