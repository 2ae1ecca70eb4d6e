// Text responses go out compressed (issue 23 §1: Lighthouse counted 152 KiB to save on the modules, the CSS and
// the page). The Socket.IO client is compressed by Socket.IO itself (serveClient picks br or gzip), so this
// covers what Express answers.
import type { Request, RequestHandler, Response } from "express";
import compression from "compression";

/**
 * People's files are sent as they were uploaded: byte ranges (a video's seek, a resumed download) must
 * address the stored bytes, and images and archives are compressed already. Everything else follows the
 * library's own rule (a compressible Content-Type, no `Cache-Control: no-transform`).
 */
function shouldCompress(req: Request, res: Response): boolean {
  if (req.path.startsWith("/files/")) return false;
  return compression.filter(req, res);
}

/**
 * Brotli (quality 4: fast), gzip or deflate as the client accepts,, for bodies of at least `thresholdBytes` (smaller ones cost more to
 * compress than they save). No secret is ever rendered into a page next to text an attacker chooses (the
 * session lives in an HttpOnly cookie, never in the HTML), so compression opens no BREACH-style oracle.
 */
export function textCompression(thresholdBytes: number): RequestHandler {
  return compression({ threshold: thresholdBytes, filter: shouldCompress });
}
