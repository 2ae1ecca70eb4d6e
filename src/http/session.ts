// A signed, HttpOnly cookie that tells one browser from another, so a present name belongs to one person.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "mr_session";
const ONE_YEAR_S = 365 * 24 * 3600;

function signature(secret: string, id: string): string {
  return createHmac("sha256", secret).update(id).digest("base64url");
}

export function signSession(secret: string, id: string): string {
  return `${id}.${signature(secret, id)}`;
}

/** The session id when the value carries a valid signature, else null. */
export function verifySession(secret: string, value: string): string | null {
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(secret, id));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function sessionFromRequest(secret: string, req: IncomingMessage): string | null {
  const value = readCookie(req.headers.cookie, SESSION_COOKIE);
  return value === undefined ? null : verifySession(secret, value);
}

/** A Set-Cookie value for a fresh session; Secure when the page itself came over HTTPS. */
export function newSessionCookie(secret: string, isSecure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${signSession(secret, randomUUID())}`, "Path=/", `Max-Age=${ONE_YEAR_S}`, "HttpOnly", "SameSite=Lax"];
  if (isSecure) parts.push("Secure");
  return parts.join("; ");
}
