// A signed, HttpOnly cookie that tells one browser from another, so a present name belongs to one person.
// Parsing, serialising and signing are Express's own building blocks (`cookie`, `cookie-signature`).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { parse, serialize } from "cookie";
import { sign, unsign } from "cookie-signature";

export { browserSessionKey, sessionKey } from "../shared/session-key.js";

export const SESSION_COOKIE = "mr_session";
const ONE_YEAR_S = 365 * 24 * 3600;

/** `<uuid>.<HMAC-SHA256 in base64, no padding>`: cookie-signature's format, the one Express's signed cookies use. */
export function signSession(secret: string, id: string): string {
  return sign(id, secret);
}

/**
 * Cookies issued before we used cookie-signature carry the same HMAC in base64url ("-" and "_" where
 * base64 has "+" and "/"). Translating the alphabet keeps those browsers' sessions (and so their names);
 * it grants nothing new, since a forger who could produce one spelling could produce the other.
 */
function fromBase64Url(value: string): string {
  const dot = value.lastIndexOf(".");
  return dot < 0 ? value : value.slice(0, dot + 1) + value.slice(dot + 1).replace(/-/g, "+").replace(/_/g, "/");
}

/** The session id when the value carries a valid signature, else null. unsign compares in constant time. */
export function verifySession(secret: string, value: string): string | null {
  const id = unsign(fromBase64Url(value), secret);
  return id === false || id === "" ? null : id;
}

export function sessionFromRequest(secret: string, req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  const value = header === undefined ? undefined : parse(header)[SESSION_COOKIE];
  return value === undefined ? null : verifySession(secret, value);
}

/** A Set-Cookie value for a fresh session; Secure when the page itself came over HTTPS. */
export function newSessionCookie(secret: string, isSecure: boolean): string {
  return serialize(SESSION_COOKIE, signSession(secret, randomUUID()), {
    path: "/",
    maxAge: ONE_YEAR_S,
    httpOnly: true,
    sameSite: "lax",
    secure: isSecure,
  });
}
