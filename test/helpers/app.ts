// startTestApp(): the whole app on 127.0.0.1, port 0, with its own temporary SQLite file.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connectClient, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { createApp, type App } from "../../src/app.js";
import { createManualClock } from "../../src/clock.js";
import { loadConfig, type Config } from "../../src/config.js";
import { createCapturingLogger } from "../../src/log.js";
import type { ClientToServerEvents, JoinResult, ServerToClientEvents } from "../../src/protocol.js";
import type { MessageRepository } from "../../src/storage/repository.js";
import { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { newSessionCookie } from "../../src/http/session.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database file (restart tests); default: a fresh one in a new temp dir. */
  databasePath?: string;
  /** Wrap or replace the repository (fault injection). */
  wrapRepo?: (repo: SqliteMessageRepository) => MessageRepository;
}

export interface ConnectOptions {
  /** A browser session: clients with the same session may share a name in a room. */
  session?: string;
  /** Extra Socket.IO client options (transports, extraHeaders...). */
  options?: Partial<ManagerOptions & SocketOptions>;
}

export interface TestApp {
  url: string;
  port: number;
  config: Config;
  app: App;
  repo: MessageRepository;
  sqlite: SqliteMessageRepository;
  databasePath: string;
  clock: ReturnType<typeof createManualClock>;
  logs: ReturnType<typeof createCapturingLogger>["lines"];
  /** A new session cookie value ("mr_session=..."), as a browser would get with the page. */
  newSession(): string;
  connect(opts?: ConnectOptions): Promise<ClientSocket>;
  /** Connects and joins with an ack; returns the socket and the join answer. */
  joined(room: string, username: string, opts?: ConnectOptions): Promise<ClientSocket & { joinResult: JoinResult }>;
  close(): Promise<void>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "mr-test-"));
  const databasePath = opts.databasePath ?? join(dir, "chat.db");
  const config = loadConfig({ PORT: "0", DATABASE_PATH: databasePath, SECRET_KEY: "test-secret-key-0123456789", ...opts.env });
  const log = createCapturingLogger();
  const clock = createManualClock();
  const sqlite = new SqliteMessageRepository(databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs, log });
  const repo = opts.wrapRepo ? opts.wrapRepo(sqlite) : sqlite;
  const app = createApp({ config, repo, log, clock });
  await new Promise<void>((resolve) => app.http.listen(0, "127.0.0.1", resolve));
  const port = (app.http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];

  const newSession = (): string => newSessionCookie(config.secretKey, false).split(";")[0] as string;

  const connect = async ({ session, options }: ConnectOptions = {}): Promise<ClientSocket> => {
    const extraHeaders = { ...(options?.extraHeaders ?? {}), ...(session ? { cookie: session } : {}) };
    const socket: ClientSocket = connectClient(url, { transports: ["websocket"], reconnection: false, forceNew: true, ...options, extraHeaders });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return socket;
  };

  const joined = async (room: string, username: string, connectOpts?: ConnectOptions) => {
    const socket = await connect(connectOpts);
    const res = await socket.timeout(5000).emitWithAck("join_chat", { room, username });
    if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
    return Object.assign(socket, { joinResult: res });
  };

  let isClosed = false;
  const close = async (): Promise<void> => {
    if (isClosed) return;
    isClosed = true;
    for (const c of clients) c.disconnect();
    await app.close();
    if (opts.databasePath === undefined) rmSync(dir, { recursive: true, force: true });
  };

  return { url, port, config, app, repo, sqlite, databasePath, clock, logs: log.lines, newSession, connect, joined, close };
}
