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
import { isNotice, type Ack, type ClientToServerEvents, type JoinPayload, type JoinResult, type MessageEvent, type PresenceEvent, type ServerToClientEvents } from "../../src/protocol.js";
import type { ChatStore, MessageRepository } from "../../src/storage/repository.js";
import { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { newSessionCookie } from "../../src/http/session.js";
import { parseRoom } from "../../src/validation.js";

/** The typed Socket.IO client of the protocol; tests, e2e, bench and soak all use this one. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database file (restart tests); default: a fresh one in a new temp dir. */
  databasePath?: string;
  /** Wrap or replace the repository (fault injection). */
  wrapRepo?: (repo: SqliteMessageRepository) => MessageRepository;
  /**
   * Another store (PostgreSQL, in test/cluster/) as repository and store both, instead of the SQLite file; the app
   * closes it. `sqlite` is then still opened, unused, and closed with the app.
   */
  store?: ChatStore;
  /** Settings the environment cannot express (e.g. a temporary publicDir), applied after loadConfig. */
  config?: Partial<Config>;
  /** Node's process metrics (RSS, CPU, event loop lag) on /metrics, as the real server has them. */
  withProcessMetrics?: boolean;
}

export interface ConnectOptions {
  /** A browser session: clients with the same session may share a name in a room. */
  session?: string;
  /** Extra Socket.IO client options (transports, extraHeaders...). */
  options?: Partial<ManagerOptions & SocketOptions>;
}

export interface JoinOptions {
  /** Reconnect cursor, sent as join_chat {since}. */
  since?: number;
  /** A rejoin's older messages on screen, sent as join_chat {shown}. */
  shown?: number[];
  /** Sockets already in the room that must have heard this arrival (its "has joined" notice) before the join resolves. */
  heardBy?: ClientSocket[];
  /**
   * The socket heard room_moved to this address and follows the room: the arrival has no "has joined" notice
   * (presence-notices.ts), so the join resolves on the others' `joined` delta instead (as in a direct conversation).
   */
  isFollowingMove?: boolean;
}

export type Joined = ClientSocket & { joinResult: { ok: true } & JoinResult };

/**
 * Joins with an ack and resolves once the joiner has also received the events that follow the ack (a new
 * presence's `joined` delta to the others, then its "has joined" notice, which the joiner always hears), so a
 * test that starts listening afterwards sees only later events. An arrival told with no notice (a direct
 * conversation, or `isFollowingMove`) resolves once `heardBy` got the `joined` delta; nothing follows the joiner's ack.
 */
export async function joinRoom(socket: ClientSocket, room: string, username: string, opts: JoinOptions = {}): Promise<Ack<JoinResult>> {
  const parsed = parseRoom(room);
  const expectedRoom = parsed.ok ? parsed.value : room;
  const listeners: [ClientSocket, (m: MessageEvent) => void][] = [];
  const deltaListeners: [ClientSocket, (ev: PresenceEvent) => void][] = [];
  const heard = [socket, ...(opts.heardBy ?? [])].map(
    (s) =>
      new Promise<void>((resolve) => {
        const listener = (m: MessageEvent): void => {
          if (!isNotice(m) || m.kind !== "joined" || m.room !== expectedRoom) return;
          s.off("message", listener);
          resolve();
        };
        listeners.push([s, listener]);
        s.on("message", listener);
      }),
  );
  // Listening from before the join: the delta may arrive right behind the ack.
  const heardDelta = (opts.heardBy ?? []).map(
    (s) =>
      new Promise<void>((resolve) => {
        const listener = (ev: PresenceEvent): void => {
          if (ev.room !== expectedRoom || ev.joined === undefined) return;
          s.off("presence", listener);
          resolve();
        };
        deltaListeners.push([s, listener]);
        s.on("presence", listener);
      }),
  );
  const payload: JoinPayload = { room, username, ...(opts.since !== undefined ? { since: opts.since } : {}), ...(opts.shown !== undefined ? { shown: opts.shown } : {}) };
  try {
    const res = await socket.timeout(5000).emitWithAck("join_chat", payload);
    if (res.ok) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no "has joined" notice after joining ${expectedRoom}`)), 5000);
      });
      const isToldQuietly = res.roomInfo?.kind === "direct" || opts.isFollowingMove === true;
      await Promise.race([Promise.all(isToldQuietly ? heardDelta : heard), timeout]).finally(() => clearTimeout(timer));
    }
    return res;
  } finally {
    for (const [s, listener] of listeners) s.off("message", listener);
    for (const [s, listener] of deltaListeners) s.off("presence", listener);
  }
}

/** A database path in a fresh temporary directory that outlives the apps using it (restart tests); remove() deletes it. */
export function tempDatabase(name = "chat.db"): { dir: string; path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mr-db-"));
  return { dir, path: join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
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
  /** Closes a client and resolves once the server has handled its disconnect (rooms left, notices sent). */
  disconnect(socket: ClientSocket): Promise<void>;
  /** Connects and joins with an ack (see joinRoom); returns the socket and the join answer. */
  joined(room: string, username: string, opts?: ConnectOptions & JoinOptions): Promise<Joined>;
  close(): Promise<void>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  // A given file belongs to the caller (restart tests); otherwise a fresh folder, removed on close.
  const dir = opts.databasePath === undefined ? mkdtempSync(join(tmpdir(), "mr-test-")) : null;
  const databasePath = opts.databasePath ?? join(dir as string, "chat.db");
  // JOIN_LOOP_BUSY_MS off: the test and the app share one event loop, so the test's own work would make joins
  // refused at random (test/chat.admission.test.ts sets what it tests).
  const loaded = loadConfig({ PORT: "0", DATABASE_PATH: databasePath, SECRET_KEY: "test-secret-key-0123456789", JOIN_LOOP_BUSY_MS: "0", ...opts.env });
  const config: Config = opts.config ? Object.freeze({ ...loaded, ...opts.config }) : loaded;
  const log = createCapturingLogger();
  const clock = createManualClock();
  const sqlite = new SqliteMessageRepository(databasePath, {
    busyTimeoutMs: config.dbBusyTimeoutMs,
    writeRetryMs: config.dbWriteRetryMs,
    healthProbeIntervalMs: config.healthProbeIntervalMs,
    fullResumeBytes: config.dbFullResumeBytes,
    historyCacheRooms: config.historyCacheRooms,
    historyCacheRows: config.historyLimit,
    log,
  });
  const repo = opts.store ?? (opts.wrapRepo ? opts.wrapRepo(sqlite) : sqlite);
  const app = createApp({ config, repo, store: opts.store ?? sqlite, log, clock, withProcessMetrics: opts.withProcessMetrics ?? false });
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

  const joined = async (room: string, username: string, joinOpts: ConnectOptions & JoinOptions = {}): Promise<Joined> => {
    const socket = await connect(joinOpts);
    const res = await joinRoom(socket, room, username, joinOpts);
    if (!res.ok) throw new Error(`join failed: ${res.error.code}`);
    return Object.assign(socket, { joinResult: res });
  };

  const disconnect = (socket: ClientSocket): Promise<void> => {
    const serverSide = app.io.of("/").sockets.get(socket.id ?? "");
    if (serverSide === undefined) throw new Error("no such socket on the server");
    // Registered after the app's own handler, so it runs once the app has handled the disconnect.
    const done = new Promise<void>((resolve) => serverSide.once("disconnect", () => resolve()));
    socket.disconnect();
    return done;
  };

  let isClosed = false;
  const close = async (): Promise<void> => {
    if (isClosed) return;
    isClosed = true;
    for (const c of clients) c.disconnect();
    await app.close();
    if (opts.store !== undefined) await sqlite.close();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  };

  return { url, port, config, app, repo, sqlite, databasePath, clock, logs: log.lines, newSession, connect, disconnect, joined, close };
}
