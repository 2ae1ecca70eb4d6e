// The real app for browser tests: createApp on 127.0.0.1 with a temporary SQLite file and the system clock
// (pages show "Today" and local times), which can be stopped and started again on the same port and file.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connectClient } from "socket.io-client";
import { onTestFinished } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { systemClock } from "../../../src/clock.js";
import { loadConfig, type Config } from "../../../src/config.js";
import { createCapturingLogger, type Logger, type LogLine } from "../../../src/log.js";
import type { WireMessage } from "../../../src/protocol.js";
import type { ClientSocket } from "../../helpers/app.js";
import type { MessageRepository } from "../../../src/storage/repository.js";
import { SqliteMessageRepository } from "../../../src/storage/sqlite.js";
import { toWire } from "../../../src/chat/wire.js";
import { newSessionCookie } from "../../../src/http/session.js";

/** A Socket.IO client from Node: the protocol's typed client. */
export type NodeClient = ClientSocket;

export interface E2eServerOptions {
  env?: Record<string, string>;
  /** Wrap the repository (fault injection); applied again on every start. */
  wrapRepo?: (repo: SqliteMessageRepository) => MessageRepository;
  /** Serve the page from this folder instead of public/ (a copy a test changes to make a new build, issue 23). */
  publicDir?: string;
}

export interface SeedMessage {
  sender: string;
  content: string;
  sentAt?: Date;
}

export interface E2eServer {
  readonly url: string;
  readonly port: number;
  readonly databasePath: string;
  readonly config: Config;
  /** The running app's repository (replaced on every start). */
  readonly repo: SqliteMessageRepository;
  readonly app: App;
  /** Graceful stop, as on SIGTERM: clients get server_shutdown, then the port and the database close. */
  stop(): Promise<void>;
  /** A new app on the same port and database file. */
  start(): Promise<void>;
  /** Writes messages straight into the database, oldest first (no Socket.IO, no broadcast). */
  seed(room: string, messages: SeedMessage[]): Promise<WireMessage[]>;
  /** A Socket.IO client from Node (no browser), joined to `room` as `username`; with `session`, as that browser session. */
  joined(room: string, username: string, opts?: { session?: string }): Promise<NodeClient>;
  /** A new session cookie ("mr_session=..."), as a browser gets with the page. */
  newSession(): string;
  /** Log lines of the running app (since its last start). */
  readonly logs: LogLine[];
  /** Every error line logged by any app of this server (restarts and side doors too), oldest first. */
  readonly errorLines: readonly LogLine[];
  /**
   * While the main app is stopped: a second app over the same database file on another port, so other
   * people can write to the room "meanwhile" through the real server while the browsers cannot connect.
   */
  sideDoor(): Promise<SideDoor>;
  close(): Promise<void>;
}

export interface SideDoor {
  joined(room: string, username: string): Promise<NodeClient>;
  close(): Promise<void>;
}

interface Running {
  app: App;
  sqlite: SqliteMessageRepository;
  logs: LogLine[];
  url: string;
}

/** The moderator token every e2e app starts with (MODERATOR_TOKEN). */
export const E2E_MODERATOR_TOKEN = "e2e-moderator-token-0123456789";

export async function startServer(opts: E2eServerOptions = {}): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), "mr-e2e-"));
  const databasePath = join(dir, "chat.db");
  const parsed = loadConfig({
    PORT: "0",
    DATABASE_PATH: databasePath,
    SECRET_KEY: "e2e-secret-key-0123456789abcdef",
    LOG_LEVEL: "silent",
    // Short name grace: a test that closes a person's last tab awaits the "has left" that follows it.
    NAME_GRACE_MS: "300",
    // Joins refused while the event loop is late depend on the machine's load, not on what a page test checks.
    JOIN_LOOP_BUSY_MS: "0",
    // Issue 12: /moderate accepts this token, so a test can make a browser a moderator.
    MODERATOR_TOKEN: E2E_MODERATOR_TOKEN,
    ...opts.env,
  });
  const config = opts.publicDir === undefined ? parsed : { ...parsed, publicDir: opts.publicDir };
  const clients: NodeClient[] = [];
  let port = 0;
  let running: Running | null = null;
  let lastRepo: SqliteMessageRepository | null = null;
  const errorLines: LogLine[] = [];

  const launch = async (onPort: number): Promise<Running> => {
    const log = watchErrors(createCapturingLogger(), errorLines);
    const sqlite = new SqliteMessageRepository(databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs, log });
    const repo = opts.wrapRepo ? opts.wrapRepo(sqlite) : sqlite;
    const app = createApp({ config, repo, store: sqlite, log, clock: systemClock });
    await new Promise<void>((resolve, reject) => {
      app.http.once("error", reject);
      app.http.listen(onPort, "127.0.0.1", () => resolve());
    });
    const bound = (app.http.address() as AddressInfo).port;
    return { app, sqlite, logs: log.lines, url: `http://127.0.0.1:${bound}` };
  };

  const connectJoined = async (url: string, room: string, username: string, session?: string): Promise<NodeClient> => {
    const socket: NodeClient = connectClient(url, { transports: ["websocket"], reconnection: false, forceNew: true, ...(session ? { extraHeaders: { cookie: session } } : {}) });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    const res = await socket.timeout(5000).emitWithAck("join_chat", { room, username });
    if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
    return socket;
  };

  const start = async (): Promise<void> => {
    if (running) throw new Error("server already running");
    running = await launch(port);
    port = (running.app.http.address() as AddressInfo).port;
    lastRepo = running.sqlite;
  };

  const stop = async (): Promise<void> => {
    const current = running;
    running = null;
    if (current) await current.app.close();
  };

  await start();

  const server: E2eServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    databasePath,
    config,
    get repo() {
      if (!lastRepo) throw new Error("server not started");
      return lastRepo;
    },
    get app() {
      if (!running) throw new Error("server not running");
      return running.app;
    },
    get logs() {
      return running?.logs ?? [];
    },
    errorLines,
    stop,
    start,
    async seed(room, messages) {
      const now = Date.now();
      const saved: WireMessage[] = [];
      // One at a time keeps ids in the given order.
      for (const [i, m] of messages.entries()) {
        const res = await server.repo.append({ room, sender: m.sender, content: m.content, sentAt: m.sentAt ?? new Date(now - (messages.length - i) * 1000) });
        saved.push(toWire(res.message));
      }
      return saved;
    },
    joined: (room, username, opts) => connectJoined(server.url, room, username, opts?.session),
    newSession: () => newSessionCookie(config.secretKey, false).split(";")[0] as string,
    async sideDoor() {
      if (running) throw new Error("stop the server first: one app at a time writes the database");
      const side = await launch(0);
      const own: NodeClient[] = [];
      return {
        async joined(room, username) {
          const socket = await connectJoined(side.url, room, username);
          own.push(socket);
          return socket;
        },
        async close() {
          for (const c of own) c.disconnect();
          await side.app.close();
        },
      };
    },
    async close() {
      for (const c of clients) c.disconnect();
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A capturing logger that also copies every error line into `sink`, which outlives restarts. */
function watchErrors(log: Logger & { lines: LogLine[] }, sink: LogLine[]): Logger & { lines: LogLine[] } {
  return {
    ...log,
    error(event, fields) {
      log.error(event, fields);
      const line = log.lines[log.lines.length - 1];
      if (line) sink.push(line);
    },
  };
}

/**
 * Holds every WebSocket handshake the server gets until `release` (also at the test's end), so a dropped page
 * cannot come back until the test has made its changes, however fast it reconnects.
 */
export function holdHandshakes(server: E2eServer): { release: () => void } {
  const held: (() => void)[] = [];
  let isHolding = true;
  const release = (): void => {
    isHolding = false;
    for (const next of held.splice(0)) next();
  };
  onTestFinished(release);
  const engine = server.app.io.engine as unknown as { use(fn: (req: { headers: Record<string, string | undefined> }, res: unknown, next: () => void) => void): void };
  engine.use((req, _res, next) => {
    if (isHolding && req.headers.upgrade?.toLowerCase() === "websocket") held.push(next);
    else next();
  });
  return { release };
}
