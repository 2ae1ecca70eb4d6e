// What the HTTP API answers and takes (JSON): uploads (issue 18), the home page's list of rooms, Web Push's
// bell (issue 23). The page type-checks against it as it does against protocol.ts, the Socket.IO contract.
import type { Ack, WireAttachment } from "./protocol.js";

/** POST /api/uploads answers the stored file, or why it was refused. */
export type UploadAnswer = Ack<{ upload: WireAttachment }>;

// Web Push (issue 23): the HTTP API the page's bell calls (src/http/push.ts, docs/push.md).
export type PushLevel = "mentions" | "all" | "none";
/** The codes of the push API's errors (HTTP status in docs/push.md). */
export type PushErrorCode = "no_session" | "not_allowed" | "invalid_payload" | "payload_too_large" | "push_endpoint_refused" | "push_disabled" | "push_unavailable" | "rate_limited" | "not_found";
/** Every push API answer but GET /api/push/key's. */
export type PushAnswer = { ok: true } | { ok: false; error: { code: PushErrorCode; message: string; retryAfterMs?: number } };
/** GET /api/push/key: the VAPID public key, base64url, for PushManager.subscribe({ applicationServerKey }). */
export interface PushKeyAnswer {
  publicKey: string;
}
/** POST /api/push/subscription: PushSubscription.toJSON(), and the page's levels of its rooms. */
export interface PushSubscribeBody {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string }; expirationTime?: number | null };
  levels?: Record<string, PushLevel>;
}
/** PUT /api/push/levels: a room's level changed. */
export interface PushLevelBody {
  room: string;
  level: PushLevel;
}
/** DELETE /api/push/subscription. */
export interface PushUnsubscribeBody {
  endpoint: string;
}

/** One public room in GET /api/rooms (private rooms and direct conversations are never listed). */
export interface RoomSummary {
  room: string;
  users: number;
}

/** GET /api/rooms: the busiest rooms (at most 50, most people first) and how many rooms are active in all. */
export interface RoomsResponse {
  rooms: RoomSummary[];
  total: number;
}

/**
 * GET /healthz, on the app's port and on HEALTH_PORT (issue 19). 200 with status "ok", or 503 with the reason.
 * On HEALTH_PORT also: how late the node's event loop is, and "starting" until it takes clients.
 */
export interface HealthAnswer {
  status: "ok" | "unavailable" | "starting" | "stopping";
  /** NODE_ID (default hostname-pid). Always on HEALTH_PORT; on the app's port only when NODE_ID is set (routes.ts). */
  node?: string;
  engines: { database: "ok" | "unavailable" | "full"; redis?: "ok" | "unavailable" };
  reason?: string;
  /** HEALTH_PORT only: ms since the event loop last reported, past its 250 ms beat (0 = on time). */
  loopLateMs?: number;
}
