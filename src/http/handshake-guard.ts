// Decides, before Socket.IO creates a session, whether a handshake (polling or websocket) may go ahead.
import type { IncomingMessage } from "node:http";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { OpenCounts } from "./open-counts.js";
import { addressKey } from "../shared/address-key.js";
import type { ClientIp } from "./client-ip.js";

export type HandshakeVerdict = { ok: true } | { ok: false; reason: "origin_not_allowed" | "too_many_connections" | "too_many_handshakes" };

export interface HandshakeGuard {
  check(req: IncomingMessage): HandshakeVerdict;
  /** A connection from this request is now open: it counts against its address until `closed(conn)`. */
  opened(conn: object, req: IncomingMessage): void;
  /** Gives the connection's count back; again, or for a connection never counted, does nothing. */
  closed(conn: object): void;
}

const MINUTE_MS = 60_000;

/**
 * Cross-Site WebSocket Hijacking: a page on another site could open a socket with the user's cookie.
 * Browsers always send Origin on these requests, so one not on the list is refused. Requests without
 * Origin come from scripts, not browsers, and carry no ambient credentials of a victim: they are allowed.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase(); // the app's own origin
  } catch {
    return false;
  }
}

export function createHandshakeGuard(config: Config, clientIp: ClientIp, clock: Clock, boundPort: () => number): HandshakeGuard {
  const limits = config.rateLimits;
  // Counted per address key: an IPv6 client's whole /64 (by default) shares one count.
  const keyOf = (req: IncomingMessage): string => addressKey(clientIp(req), limits.ipv6PrefixLength);
  // Weak per connection, no closure each (issue 20: idle connections are what memory goes to).
  const open = new OpenCounts<object>();
  let windowStart = clock.monotonicMs();
  let handshakes = new Map<string, number>();

  const allowedOrigins = (): Set<string> => {
    const port = boundPort();
    return new Set([...config.allowedOrigins, `http://localhost:${port}`, `http://127.0.0.1:${port}`]);
  };
  let cachedPort = -1;
  let cachedOrigins = new Set<string>();

  return {
    check(req) {
      if (boundPort() !== cachedPort) {
        cachedPort = boundPort();
        cachedOrigins = allowedOrigins();
      }
      if (!isOriginAllowed(req.headers.origin, req.headers.host, cachedOrigins)) return { ok: false, reason: "origin_not_allowed" };
      const ip = keyOf(req);
      if (limits.maxConnectionsPerIp > 0 && open.count(ip) >= limits.maxConnectionsPerIp) {
        return { ok: false, reason: "too_many_connections" };
      }
      if (limits.handshakesPerMinutePerIp > 0) {
        const now = clock.monotonicMs();
        if (now - windowStart >= MINUTE_MS) {
          windowStart = now; // a fixed window: one map for all addresses, dropped whole each minute
          handshakes = new Map();
        }
        const count = (handshakes.get(ip) ?? 0) + 1;
        handshakes.set(ip, count);
        if (count > limits.handshakesPerMinutePerIp) return { ok: false, reason: "too_many_handshakes" };
      }
      return { ok: true };
    },
    opened(conn, req) {
      open.opened(conn, keyOf(req));
    },
    closed(conn) {
      open.closed(conn);
    },
  };
}
