import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { PresenceStore } from "../chat/presence.js";
import type { RoomDirectory } from "../chat/room-directory.js";
import type { MessageRepository } from "../storage/repository.js";
import { LIMITS } from "../protocol.js";
import { type RoomsResponse } from "../http-api.js";
import { parseRoom } from "../validation.js";
import { sessionCookiesFor } from "./session.js";
import { checkHealth, healthStatusCode } from "./health.js";

import { isSameSecret } from "./secrets.js";
import type { InvitePage } from "./invites.js";
import { isPrivateAddress } from "../access/room-address.js";
import { moderateRoutes } from "./moderate.js";
import type { SignInLimiter } from "./sign-in-limiter.js";
import type { Clock } from "../clock.js";
import type { EditsAndModeration } from "../storage/repository.js";

export interface RouteDeps {
  config: Config;
  repo: MessageRepository;
  store: EditsAndModeration;
  clock: Clock;
  log: Logger;
  presence: PresenceStore;
  directory: RoomDirectory;
  metrics: Metrics;
  /** Multi-node mode: Redis is an engine /healthz reports. */
  cluster?: { isRedisUp(): boolean };
  /** Token tries at POST /moderate (moderate.ts). */
  signInLimiter: SignInLimiter;
  /** Issue 23: the VAPID public key the page subscribes with; null when PUSH_ENABLED=false. */
  push?: { publicKey(): string } | null;
}

/**
 * Issues the session cookie with every HTML page that lacks a valid one (over HTTPS, one under the `__Host-` name:
 * session.ts moves an older plain-named one there). Such a page is one browser's alone: a
 * shared cache (a CDN or proxy set to cache HTML) that kept it would hand that browser's session to everyone after.
 */
function ensureSession(config: Config, req: Request, res: Response): void {
  const cookies = sessionCookiesFor(config.secretKey, req, req.secure);
  if (cookies.length === 0) return;
  for (const cookie of cookies) res.append("Set-Cookie", cookie);
  res.set("Cache-Control", "private, no-store");
}

/** What the chat page opens with: a room to join (its address), a bad address's error, or an invite (issue 17). */
export interface PageRequest {
  name: string | null;
  error: string | null;
  invite?: InvitePage;
}

export function renderPage(deps: RouteDeps, req: Request, res: Response, room: PageRequest, status = 200): void {
  ensureSession(deps.config, req, res);
  // LIST_PUBLIC_ROOMS=false: no room name on the page at all.
  const listing = deps.config.access.listPublicRooms ? deps.directory.busiest() : { rooms: [], total: 0 };
  res.status(status).render("chat", {
    room: room.name,
    // A private address says nothing about its room, and the page shows none of it: the join answer gives the name to members.
    isPrivateRoom: room.name !== null && isPrivateAddress(room.name),
    roomError: room.error,
    invite: room.invite ?? null,
    listRooms: deps.config.access.listPublicRooms,
    rooms: listing.rooms,
    roomsTotal: listing.total,
    historyLimit: deps.config.historyLimit,
    limits: LIMITS,
    notifyIntervalMs: deps.config.notifyIntervalMs,
    keepMessages: deps.config.pageKeepMessages,
    fileLimits: { maxFileBytes: deps.config.files.maxFileBytes, maxFiles: deps.config.files.maxFilesPerMessage },
    maxRooms: deps.config.rateLimits.maxRoomsPerConnection,
    vapidPublicKey: deps.push?.publicKey() ?? "",
  });
}

export function routes(deps: RouteDeps): Router {
  const router = express.Router();

  router.get("/", (req, res) => renderPage(deps, req, res, { name: null, error: null }));

  router.get("/r/:room", (req, res) => {
    const room = parseRoom(req.params.room);
    if (room.ok) renderPage(deps, req, res, { name: room.value, error: null });
    else renderPage(deps, req, res, { name: null, error: `That room name is not valid: ${room.error.message}.` }, 400);
  });

  router.use(moderateRoutes(deps));

  router.get("/api/rooms", (_req, res) => {
    if (!deps.config.access.listPublicRooms) {
      res.status(404).set("Cache-Control", "no-store").json({ error: "not_found" });
      return;
    }
    const { rooms, total } = deps.directory.busiest();
    const body: RoomsResponse = { rooms, total };
    res.set("Cache-Control", "no-store").json(body);
  });

  router.get("/healthz", async (_req, res) => {
    // This port faces the internet: the default id is hostname-pid, and the machine's name is nobody's business
    // there. An id the operator chose is theirs to show; HEALTH_PORT (internal) always names the node.
    const nodeId = deps.config.isNodeIdSet ? deps.config.nodeId : null;
    const answer = await checkHealth({ repo: deps.repo, nodeId, ...(deps.cluster ? { cluster: deps.cluster } : {}) });
    res.set("Cache-Control", "no-store").status(healthStatusCode(answer)).json(answer);
  });

  router.get("/metrics", async (req, res) => {
    const token = deps.config.metricsToken;
    if (token !== null && !isSameSecret(req.get("authorization") ?? "", `Bearer ${token}`)) {
      res.status(401).set("WWW-Authenticate", "Bearer").type("text/plain").send("metrics need a bearer token\n");
      return;
    }
    res.set("Content-Type", deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}

export function notFound(deps: RouteDeps) {
  return (req: Request, res: Response): void => {
    if (!req.accepts("html")) {
      res.status(404).json({ error: "not_found" });
      return;
    }
    renderNotFound(deps, req, res, 404);
  };
}

function renderNotFound(deps: RouteDeps, req: Request, res: Response, status: number): void {
  ensureSession(deps.config, req, res);
  res.status(status).render("not-found", { path: req.path });
}

/** A page a browser asks for: it gets the styled page, never a bare text. */
const isPageRequest = (req: Request): boolean => (req.method === "GET" || req.method === "HEAD") && req.accepts("html") !== false;

export function errorHandler(deps: RouteDeps) {
  // Express 5 forwards rejected async handlers here; four parameters mark it as the error middleware.
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const status = (err as { status?: unknown }).status;
    // A 4xx thrown before any handler ran: mostly an address Express cannot decode (`/r/%ZZ`, a URIError).
    if (typeof status === "number" && status >= 400 && status < 500 && !res.headersSent) {
      if (isPageRequest(req)) renderNotFound(deps, req, res, status);
      else res.status(status).json({ ok: false, error: { code: "invalid_payload", message: err instanceof URIError ? "That address could not be read." : "The request could not be read." } });
      return;
    }
    deps.log.error("http_failed", { method: req.method, path: req.path, err });
    if (res.headersSent) {
      next(err);
      return;
    }
    res.status(500).type("text/plain").send("Something went wrong\n");
  };
}
