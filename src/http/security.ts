import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Strict headers for every response. The page has no inline script or style, so 'self' is enough everywhere.
 * connect-src 'self' covers ws:/wss: to the same host in current browsers (CSP Level 3); allowed extra origins
 * are added with their ws/wss twins.
 */
export function securityHeaders(allowedOrigins: readonly string[]): RequestHandler {
  const connect = ["'self'", ...allowedOrigins.flatMap((o) => [o, o.replace(/^http/, "ws")])];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: connect,
        fontSrc: ["'self'"],
        // Issue 23: the service worker (/sw.js) and the web app manifest, from this origin only.
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    // HSTS only makes sense over HTTPS; on plain-HTTP LAN installs it would do nothing or break later moves.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
