import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo, Socket } from "node:net";
import express from "express";
import { Server } from "socket.io";
import { registerChat } from "./chat/controller.js";
import { tellMembersChanged } from "./chat/members-changed.js";
import { releaseHeldName } from "./chat/membership.js";
import { isReleaseTold } from "./chat/presence-notices.js";
import { NameGrace } from "./chat/name-grace.js";
import { UnmovedRooms } from "./chat/moved-rejoin.js";
import { createMemoryPresence, type PresenceSnapshots, type PresenceStore } from "./chat/presence.js";
import { keepPresenceSnapshots } from "./chat/presence-snapshots.js";
import { failStalledReads } from "./chat/stalled-presence.js";
import { JoinAdmission } from "./chat/admission.js";
import { createRedisSharedLimits } from "./chat/shared-limits.js";
import { isCluster, type RedisClient } from "./cluster/redis.js";
import { startClusterNode, type ClusterNode } from "./cluster/node.js";
import { createRedisPresence } from "./cluster/redis-presence.js";
import { createLocalFanout } from "./chat/message-fanout.js";
import { startRoomSequencing } from "./cluster/room-sequencer.js";
import { createRoomRouting, type RoomRoutingLink } from "./cluster/room-routing.js";
import { createRoomDirectory } from "./chat/room-directory.js";
import { startSlowClientSweep } from "./chat/slow-clients.js";
import { Drain, type ChatServer } from "./chat/types.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { createClientIp, createIsTrustedProxy } from "./http/client-ip.js";
import { createHandshakeGuard } from "./http/handshake-guard.js";
import { HandshakeAdmission } from "./http/handshake-admission.js";
import { checkHealth } from "./http/health.js";
import type { HealthAnswer } from "./http-api.js";
import { releaseHandshakeRequests } from "./http/release-handshake.js";
import { useLeanConnections } from "./http/lean-engine.js";
import { requestLog } from "./http/request-log.js";
import { requestDeadlines } from "./http/request-deadlines.js";
import { capTcpConnectionsPerAddress } from "./http/tcp-connection-cap.js";
import { NoAutoPongWebSocketServer } from "./http/ws-engine.js";
import { errorHandler, notFound, renderPage, routes } from "./http/routes.js";
import { inviteRoutes } from "./http/invites.js";
import { createInviteLimiter } from "./http/invite-limiter.js";
import { createSessionAndAddressLimiter } from "./http/minute-limiter.js";
import { createSignInLimiter } from "./http/sign-in-limiter.js";
import { clusterBus, singleNode } from "./chat/room-exits.js";
import { FileLibrary } from "./files/library.js";
import { uploadRoutes } from "./http/uploads.js";
import { fileRoutes } from "./http/files.js";
import { emojiDataRoute } from "./http/emoji-data.js";
import { DiskFileStore } from "./storage/disk-file-store.js";
import type { FileStore } from "./storage/files.js";
import { makeFolders } from "./storage/make-folders.js";
import { securityHeaders } from "./http/security.js";
import { textCompression } from "./http/compression.js";
import { appShellRoutes, buildAppShell } from "./http/app-shell.js";
import { moderatorSessionKey, readSession, sessionKey } from "./http/session.js";
import { guardLog, type Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { PostgresMessageRepository } from "./storage/postgres.js";
import { createPageTracker, startPush } from "./push/start.js";
import type { PushService } from "./push/service.js";
import { pushRoutes } from "./http/push.js";
import { hasEditsAndModeration, type EditsAndModeration, type MessageRepository } from "./storage/repository.js";

export interface AppDeps {
  config: Config;
  repo: MessageRepository;
  log: Logger;
  clock: Clock;
  /** Editing, deleting and moderation state (issue 12); defaults to `repo`, which must then provide them. */
  store?: EditsAndModeration;
  /** Where files' bytes live (issue 18); default: FILES_PATH on disk with SQLite, the database itself with PostgreSQL. */
  fileStore?: FileStore;
  /** Node process metrics on /metrics; off in tests, which build many apps in one process. */
  withProcessMetrics?: boolean;
  /**
   * Multi-node mode (one Redis or a Redis Cluster): `redis` serves presence, names and limits, `adapterRedis` the Socket.IO adapter's publishing
   * (per-room routing opens its subscriber connection from the same options). The app closes all three.
   */
  cluster?: { redis: RedisClient; adapterRedis: RedisClient };
}

export interface App {
  http: HttpServer;
  io: ChatServer;
  metrics: Metrics;
  presence: PresenceStore;
  /** Files in messages (issue 18): its sweep runs on a timer; tests call it. */
  files: FileLibrary;
  /** Multi-node mode only. */
  cluster?: ClusterNode;
  /** Resolves once the names present before a restart are back: connections are let in from then on. */
  restored: Promise<void>;
  /** What /healthz answers now (the health thread's reports, issue 19). */
  health(): Promise<HealthAnswer>;
  /** Multi-node mode only: per-room routing's pub/sub link (issue 21). */
  routing?: RoomRoutingLink;
  /** Graceful: refuse new work, answer in-flight events, tell clients, close sockets and the database. */
  close(): Promise<void>;
}

const SLOW_CLIENT_SWEEP_MS = 1000;
const CODE_FILE = /\.(?:m?js|css)$/;

/**
 * Code and styles revalidate on every load (a cheap 304 with the ETag), so after an upgrade no browser runs
 * old modules against the new server or mixes two versions of them; images may be kept for an hour.
 */
function setStaticCaching(res: express.Response, path: string): void {
  res.setHeader("Cache-Control", CODE_FILE.test(path) ? "no-cache" : "public, max-age=3600");
}
/** The shortest spread of returns after a restart, however few clients: Socket.IO's own reconnect waits about this. */
const MIN_RETURN_SPREAD_MS = 1000;

/**
 * server_shutdown tells each client its own time to come back (issue 19): spread at random over the time the next
 * start needs to take them all back (clients ÷ RESTART_REJOINS_PER_SEC), so they do not all return at once.
 */
function tellClientsWhenToReturn(io: ChatServer, rejoinsPerSec: number): void {
  const sockets = io.of("/").sockets;
  const spreadMs = Math.max(MIN_RETURN_SPREAD_MS, Math.ceil((sockets.size / rejoinsPerSec) * 1000));
  for (const socket of sockets.values()) socket.emit("server_shutdown", { reconnectAfterMs: Math.round(Math.random() * spreadMs) });
}

/** The memory presence's snapshots, or (several nodes: Redis keeps presence) none. */
const noSnapshots: PresenceSnapshots = { snapshot: () => [], restore: () => [], isDirty: () => false };
const FLUSH_TIMEOUT_MS = 1000;
/** How long io.close() may wait for clients to finish the WebSocket close handshake before their sockets are cut. */
const CLOSE_GRACE_MS = 2000;

/** True when `done` settles within `ms`. */
function settlesWithin(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([done.then(() => true), late]).finally(() => clearTimeout(timer));
}

interface QueuedConn {
  writeBuffer?: unknown[];
  once(event: "drain" | "close", fn: () => void): void;
}

/**
 * An ack emitted while the transport is still sending the packet before it (the broadcast of the same message)
 * waits in the connection's write buffer, and io.close() closes with discard. Waits until every such buffer has
 * been handed to its transport ("drain"), or the connection closed, or timeoutMs passed.
 */
function flushQueuedPackets(io: ChatServer, timeoutMs: number): Promise<void> {
  const waits = [...io.of("/").sockets.values()]
    .map((socket) => socket.conn as unknown as QueuedConn)
    .filter((conn) => (conn.writeBuffer?.length ?? 0) > 0)
    .map((conn) => new Promise<void>((resolve) => (conn.once("drain", resolve), conn.once("close", resolve))));
  if (waits.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  return Promise.race([Promise.all(waits).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/**
 * SQLite: the files beside the database (FILES_PATH); PostgreSQL: in it, spooled through this machine's temporary
 * folder. Creates the folders, so it throws when they cannot be made (server.ts turns that into one line).
 */
export function openFileStore(config: Config, repo: MessageRepository): FileStore {
  if (repo instanceof PostgresMessageRepository) {
    const spool = join(tmpdir(), `messenger-room-uploads-${process.pid}`);
    makeFolders(spool); // TMPDIR under /proc would hang a recursive mkdirSync
    return repo.fileStore(spool);
  }
  return new DiskFileStore(config.files.path);
}

export function createApp(deps: AppDeps): App {
  const { config, repo, clock } = deps;
  const store = deps.store ?? (hasEditsAndModeration(repo) ? repo : null);
  if (store === null) throw new Error("createApp: the repository cannot edit or moderate; pass deps.store");
  const log = guardLog(deps.log, { clock, warnIntervalMs: config.logWarnIntervalMs });
  // The Redis Cluster stall watch starts with the cluster node below, after presence and the shared limits that ask it
  // whether a key's master is frozen (they then do not wait for it); until then nothing is marked.
  let isKeyStalled = (_key: string): boolean => false;
  const askStalls = (key: string): boolean => isKeyStalled(key);
  const redisPresence = deps.cluster
    ? createRedisPresence(deps.cluster.redis, { nodeId: config.nodeId, ttlMs: config.presenceTtlMs, graceMs: config.nameGraceMs, now: () => clock.now().getTime(), isKeyStalled: askStalls })
    : null;
  const memoryPresence = redisPresence === null ? createMemoryPresence() : null;
  // Several nodes: a presence read in a room the node knows frozen fails at once, as it would after the command timeout.
  let isRoomStalled = (_room: string): boolean => false;
  const presence: PresenceStore = redisPresence ? failStalledReads(redisPresence, (room) => isRoomStalled(room)) : (memoryPresence as PresenceStore);
  const drain = new Drain();

  const web = express();
  web.set("views", config.viewsDir).set("view engine", "ejs").set("trust proxy", config.trustProxy).set("x-powered-by", false);
  web.use(requestLog(log), securityHeaders(config.allowedOrigins), textCompression(config.compressMinBytes));
  // Issue 23: the shell the pages preload and the service worker precaches, and its version, listed once.
  const shell = buildAppShell(config.publicDir, config.viewsDir);
  web.locals.shell = { version: shell.version };
  web.use(appShellRoutes(shell));
  const http = createServer(requestDeadlines(config.transport), web);
  // One past its address's cap is closed as it arrives.
  capTcpConnectionsPerAddress(http, {
    maxPerAddress: config.transport.maxTcpConnectionsPerIp,
    ipv6PrefixLength: config.rateLimits.ipv6PrefixLength,
    isTrustedProxy: createIsTrustedProxy(config.trustProxy),
    onRefused: (ip) => {
      metrics.tcpConnectionsRefused.inc();
      log.warn("tcp_connection_refused", { ip });
    },
  });
  // Every TCP connection, upgraded ones too: shutdown cuts off those whose client has stopped reading.
  const connections = new Set<Socket>();
  // Shared by every connection (Node calls it with the socket as `this`): no closure per connection (issue 20).
  function forgetConnection(this: Socket): void {
    connections.delete(this);
  }
  http.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", forgetConnection); // a socket emits "close" once
  });
  // Read once per listen, not per handshake: http.address() asks the OS each time (0.7 s of a 10,000-client
  // restart's profile, issue 19).
  let listeningPort: number | null = null;
  http.on("listening", () => (listeningPort = (http.address() as AddressInfo | null)?.port ?? null));
  const boundPort = (): number => listeningPort ?? config.port;
  const clientIp = createClientIp(config.trustProxy);
  const guard = createHandshakeGuard(config, clientIp, clock, boundPort);
  const handshakes = new HandshakeAdmission(config.restart.maxHandshakesInFlight);

  const io: ChatServer = new Server(http, {
    maxHttpBufferSize: config.maxHttpBufferBytes,
    // Rooms are joined again after a reconnect; delivery gaps are closed by join_chat {since}, not by recovery.
    serveClient: true,
    perMessageDeflate: false,
    wsEngine: NoAutoPongWebSocketServer, // a client's pings are not answered: ws-engine.ts
    connectTimeout: config.transport.socketIoConnectTimeoutMs,
    allowRequest: (req, callback) => {
      const verdict = guard.check(req);
      if (verdict.ok && handshakes.enter(req)) return callback(null, true);
      const reason = verdict.ok ? "overloaded" : verdict.reason;
      metrics.handshakesRefused.inc({ reason });
      log.warn("handshake_refused", { reason, ip: clientIp(req), origin: req.headers.origin });
      callback(reason, false);
    },
  });
  useLeanConnections(io.engine, log); // engine.io's per-connection closures, shared (issue 20)
  const releaseHandshake = releaseHandshakeRequests(io);
  const routing = deps.cluster ? createRoomRouting(io, deps.cluster.adapterRedis) : null;
  const linkBase = config.files.publicUrl ?? "";
  const sequencing = routing ? startRoomSequencing(io, routing, repo, log, linkBase, store) : null;
  const fanout = sequencing ?? createLocalFanout(io);
  const pages = createPageTracker(io, config, clock, log, deps.cluster?.redis, askStalls);
  const links = deps.cluster;
  const cluster =
    links && redisPresence && sequencing
      ? startClusterNode({
          io,
          presence: redisPresence,
          clients: [links.redis, links.adapterRedis, ...(routing ? routing.channels.connections() : [])],
          isLinkUp: () => links.redis.status === "ready" && links.adapterRedis.status === "ready" && routing?.channels.isLive() !== false,
          ttlMs: config.presenceTtlMs,
          log,
          watermark: (room) => sequencing.sequencer.watermark(room),
          ...(pages?.heartbeat ? { onHeartbeat: pages.heartbeat } : {}),
          ...(isCluster(links.redis) ? { masters: links.redis } : {}),
          isDepartureTold: (room) => isReleaseTold(store.access, room),
        })
      : undefined;
  if (cluster) {
    isKeyStalled = (key) => cluster.isKeyStalled(key);
    isRoomStalled = (room) => cluster.isRoomStalled(room);
  }
  // Tail loss (issue 21): the pub/sub link dropped what was published while it was away, maybe a room's last
  // message with nothing after it to reveal the gap; once every channel is back, every room catches up.
  if (cluster && routing) {
    routing.channels.on("resubscribed", () => {
      cluster.resyncAll();
      cluster.linkChanged(); // a failover's new master: the link counts as up again once every channel holds
    });
  }
  const metrics = createMetrics(
    {
      connectedSockets: () => io.engine.clientsCount,
      activeRooms: () => presence.roomCount(),
      ...(cluster ? { cluster: { nodeId: config.nodeId, isRedisUp: () => cluster.isRedisUp(), recoveries: () => cluster.recoveries() } } : {}),
      ...(repo instanceof PostgresMessageRepository ? { pool: () => repo.poolStats() } : {}),
      ...(pages !== null ? { pushQueue: () => push?.queueLength() ?? 0 } : {}),
      ...(repo.isDiskFull ? { isDatabaseFull: () => repo.isDiskFull?.() === true } : {}),
    },
    deps.withProcessMetrics ?? false,
  );

  // One "close" listener for every connection (engine.io calls it with the connection as `this`), not a closure each.
  function onEngineClose(this: object): void {
    guard.closed(this);
    handshakes.leave(this);
  }
  io.engine.on("connection", (conn: { request: IncomingMessage; on(ev: "close", fn: () => void): void }) => {
    guard.opened(conn, conn.request);
    handshakes.bind(conn.request, conn);
    conn.on("close", onEngineClose); // engine.io emits "close" once per connection
  });
  // Connected: its handshake is over. Only with a limit: without one nothing is counted, and no connection pays for it.
  if (config.restart.maxHandshakesInFlight > 0) io.on("connection", (socket) => handshakes.leave(socket.conn));
  // Issue 19: nobody is let in before the names present before a restart are back (one node; Redis keeps them for several).
  io.use((_socket, next) => {
    snapshots.restored.then(() => next(), () => next());
  });
  io.use((socket, next) => {
    // A second CONNECT on one engine.io connection finds its upgrade request already let go (releaseHandshake,
    // below): the page connects once per connection, so it is refused with an error, never read as null.
    if ((socket.request as IncomingMessage | null) === null) return next(new Error("This connection has already joined the chat; open a new one."));
    // A browser session owns its names across tabs; a client without the cookie is its own session.
    const session = readSession(config.secretKey, socket.request);
    socket.data.sessionId = session !== null ? `s:${session.id}` : `c:${socket.id}`;
    // A cookie-less client's key is its connection's: it owns its messages only until it disconnects.
    socket.data.ownerKey = sessionKey(config.secretKey, socket.data.sessionId);
    socket.data.moderatorKey = session === null ? null : moderatorSessionKey(config.secretKey, session);
    socket.data.ip = clientIp(socket.request);
    next();
  });
  // Last of the middlewares that read the upgrade request: from here on a connection no longer keeps it (issue 20).
  io.use(releaseHandshake);
  const grace: NameGrace = new NameGrace(config.nameGraceMs, (room, name, hold) => {
    releaseHeldName(io, chatDeps, room, name, hold).catch((err: unknown) => log.error("name_release_failed", { room, err }));
  });
  const snapshots = keepPresenceSnapshots({
    presence: memoryPresence ?? noSnapshots,
    store,
    grace,
    clock,
    log,
    graceMs: config.nameGraceMs,
    restoreGraceMs: config.restart.restoreGraceMs,
    maxAgeMs: config.restart.presenceSnapshotMaxAgeMs,
    intervalMs: memoryPresence === null ? 0 : config.restart.presenceSnapshotMs,
  });
  const admission = new JoinAdmission({ maxJoinsInFlight: config.restart.maxJoinsInFlight, loopBusyMs: config.restart.joinLoopBusyMs });
  const sharedLimits = deps.cluster ? createRedisSharedLimits(config.rateLimits, deps.cluster.redis, askStalls) : undefined;
  const nodes = deps.cluster ? clusterBus(io) : singleNode;
  const fileStore = deps.fileStore ?? openFileStore(config, repo);
  const files = new FileLibrary({ settings: config.files, records: store.files, store: fileStore, log, clock });
  files.start();
  const push: PushService | null = startPush({ config, store, log, clock, metrics, pages, ...(deps.cluster ? { redis: deps.cluster.redis, isKeyStalled: askStalls } : {}) });
  // On a Redis Cluster, only the rooms of a frozen master: rooms on the other masters keep taking joins (cluster.md).
  const isPresenceStalled = cluster
    ? { isPresenceStalled: (room: string | undefined) => cluster.isRoomStalled(room), stalledMasterOf: (room: string) => cluster.stalledMasterOf(room) }
    : {};
  const chatDeps = { config, repo, store, log, clock, presence, grace, metrics, drain, fanout, nodes, files, admission, unmovedRooms: new UnmovedRooms(), ...(sharedLimits ? { sharedLimits } : {}), ...(push ? { push } : {}), ...isPresenceStalled };
  registerChat(io, chatDeps);
  const stopSweep = startSlowClientSweep(io, config.maxBufferedBytesPerConnection, SLOW_CLIENT_SWEEP_MS, (socket, bytes) => {
    metrics.slowClientsDropped.inc();
    log.warn("slow_client_dropped", { socket, bytes });
  });

  web.use(express.static(config.publicDir, { index: false, setHeaders: setStaticCaching }));
  web.use(emojiDataRoute());
  const signInLimiter = createSignInLimiter({ perMinute: config.moderatorLoginPerMinute, maxAddresses: config.moderatorLoginMaxAddresses, clock, log, ...(deps.cluster ? { redis: deps.cluster.redis } : {}) });
  const routeDeps = { config, repo, store, log, clock, presence, directory: createRoomDirectory(presence, clock), metrics, push, signInLimiter, ...(cluster ? { cluster } : {}) };
  // The chat pages carry the VAPID public key: the first one after start waits for it (a read, or one insert on
  // the very first start). Only they: /healthz and the rest never touch the keys.
  if (push !== null) web.get(["/", "/r/:room", "/invite/:token"], (_req, _res, next) => void push.ready().then(() => next(), () => next()));
  // A budget key on a master marked stalled is counted in memory at once (minute-limiter.ts), as the chat's limits are.
  const pushLimiter = createSessionAndAddressLimiter("mr:push", config.push.changesPerMinute, config.push.changesPerMinutePerAddress, deps.cluster?.redis, askStalls);
  web.use(pushRoutes({ config, push, store: store.push, presence, io, clock, log, limiter: pushLimiter }));
  web.use(routes(routeDeps));
  web.use(uploadRoutes({ config, files, store: fileStore, log, ...(deps.cluster ? { redis: deps.cluster.redis } : {}) }));
  web.use(fileRoutes({ config, clock, store, files }));
  const inviteLimiter = createInviteLimiter(config.access.inviteTriesPerMinute, deps.cluster?.redis, askStalls);
  web.use(inviteRoutes({ config, store, clock, log, limiter: inviteLimiter, onAdmitted: (room) => tellMembersChanged(io, room) }, (req, res, invite, status) => renderPage(routeDeps, req, res, { name: null, error: null, invite }, status)));
  web.use(notFound(routeDeps));
  web.use(errorHandler(routeDeps));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      drain.isShuttingDown = true; // from here on, a closing tab leaves its names as they are (membership.ts)
      const saved = snapshots.saveNow(); // who is here now, for the next start (one node)
      snapshots.stop();
      admission.stop();
      stopSweep();
      files.stop();
      grace.stop(); // no grace timer outlives the app
      http.close(); // no new connections; open ones stay until io.close below
      tellClientsWhenToReturn(io, config.restart.rejoinsPerSec);
      await saved;
      await drain.idle(); // every in-flight event has been answered
      await push?.close(); // pushes under way get a moment (bounded) to leave
      await flushQueuedPackets(io, FLUSH_TIMEOUT_MS); // ...and the answers have left: io.close() discards what is still queued
      const ioClosed = new Promise<void>((resolve) => void io.close(() => resolve()));
      // A client that stopped reading never completes the close handshake (ws would wait 30 s): cut it off.
      if (!(await settlesWithin(ioClosed, CLOSE_GRACE_MS))) {
        for (const socket of connections) socket.destroy();
        await ioClosed;
      }
      if (cluster && deps.cluster) {
        await cluster.stop();
        await Promise.allSettled([deps.cluster.redis.quit(), deps.cluster.adapterRedis.quit(), routing?.channels.close()]);
      }
      await repo.close();
    })();
    return closing;
  };

  const health = (): Promise<HealthAnswer> => checkHealth({ repo, nodeId: config.nodeId, ...(cluster ? { cluster } : {}) });
  return { http, io, metrics, presence, files, ...(cluster ? { cluster } : {}), ...(routing ? { routing } : {}), restored: snapshots.restored, health, close };
}
