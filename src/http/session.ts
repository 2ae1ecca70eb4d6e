// A signed, HttpOnly cookie that tells one browser from another, so a present name belongs to one person.
// Parsing, serialising and signing are Express's own building blocks (`cookie`, `cookie-signature`).
//
// The cookie's value is `<id>` or, once the browser signed in at /moderate, `<id>~<grant>`: the id is the browser's
// identity (its names, rooms, direct conversations, push subscription, messages: everything keyed by
// browserSessionKey), the grant a fresh random id issued at each moderator sign-in, and only the pair is a
// moderator (moderatorSessionKey). A cookie planted before the sign-in (session fixation) never holds the grant.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { parse, serialize } from "cookie";
import { sign, unsign } from "cookie-signature";
import { sessionKey } from "../shared/session-key.js";

export { browserSessionKey, sessionKey } from "../shared/session-key.js";

/** The cookie's name over plain HTTP, and before HTTPS deployments got the `__Host-` one. */
export const SESSION_COOKIE = "mr_session";
/**
 * Over HTTPS: the browser keeps a `__Host-` cookie only when it is Secure, has Path=/ and no Domain, so neither a
 * sibling subdomain nor a plain-HTTP page can set or overwrite it.
 */
export const HOST_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
const ONE_YEAR_S = 365 * 24 * 3600;
const GRANT_SEPARATOR = "~"; // not in a UUID, and kept as it is by the cookie's URI encoding

export interface BrowserSession {
  /** The identity: the same before and after a moderator sign-in. */
  id: string;
  /** The moderator grant this cookie carries, or null. */
  grant: string | null;
  /** The name it was read under. */
  cookieName: string;
}

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

/** The signed value (id, or id~grant) when the value carries a valid signature, else null. unsign compares in constant time. */
export function verifySession(secret: string, value: string): string | null {
  const id = unsign(fromBase64Url(value), secret);
  return id === false || id === "" ? null : id;
}

function splitValue(value: string, cookieName: string): BrowserSession | null {
  const at = value.indexOf(GRANT_SEPARATOR);
  if (at < 0) return { id: value, grant: null, cookieName };
  const id = value.slice(0, at);
  const grant = value.slice(at + 1);
  return id === "" || grant === "" ? null : { id, grant, cookieName };
}

/** The request's session: the `__Host-` cookie when it has a valid one, else the plain one, else null. */
export function readSession(secret: string, req: IncomingMessage): BrowserSession | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  const cookies = parse(header);
  for (const name of [HOST_SESSION_COOKIE, SESSION_COOKIE]) {
    const value = cookies[name];
    const signed = value === undefined ? null : verifySession(secret, value);
    if (signed !== null) return splitValue(signed, name);
  }
  return null;
}

/** The browser's identity id (never the moderator grant), or null without a valid cookie. */
export function sessionFromRequest(secret: string, req: IncomingMessage): string | null {
  return readSession(secret, req)?.id ?? null;
}

/** The key the moderator table holds for a signed-in browser: the identity and the grant issued at its sign-in. */
export function moderatorSessionKey(secret: string, session: BrowserSession): string | null {
  return session.grant === null ? null : sessionKey(secret, `m:${session.id}${GRANT_SEPARATOR}${session.grant}`);
}

/** A Set-Cookie value for this session's value; `__Host-` and Secure when the page itself came over HTTPS. */
function sessionCookie(secret: string, value: string, isSecure: boolean): string {
  return serialize(isSecure ? HOST_SESSION_COOKIE : SESSION_COOKIE, signSession(secret, value), {
    path: "/",
    maxAge: ONE_YEAR_S,
    httpOnly: true,
    sameSite: "lax",
    secure: isSecure,
  });
}

/** A Set-Cookie value for a fresh session. */
export function newSessionCookie(secret: string, isSecure: boolean): string {
  return sessionCookie(secret, randomUUID(), isSecure);
}

/** The same identity with a fresh moderator grant: what a successful sign-in at /moderate sets. */
export function withNewGrant(session: BrowserSession): BrowserSession {
  return { id: session.id, grant: randomUUID(), cookieName: session.cookieName };
}

/** Set-Cookie values that store `session` in the browser (and, over HTTPS, drop the plain-named cookie). */
export function storeSessionCookies(secret: string, session: Pick<BrowserSession, "id" | "grant">, isSecure: boolean): string[] {
  const value = session.grant === null ? session.id : `${session.id}${GRANT_SEPARATOR}${session.grant}`;
  const cookies = [sessionCookie(secret, value, isSecure)];
  if (isSecure) cookies.push(serialize(SESSION_COOKIE, "", { path: "/", maxAge: 0, httpOnly: true, sameSite: "lax", secure: true }));
  return cookies;
}

/**
 * What a page answer must set: a fresh session when the request has none; over HTTPS, a session still under the
 * plain name (issued before the `__Host-` prefix, or while the site ran over HTTP) is moved to `__Host-` once, as it
 * is, so its names, rooms, conversations and push subscription stay. Empty when nothing needs setting.
 */
export function sessionCookiesFor(secret: string, req: IncomingMessage, isSecure: boolean): string[] {
  const session = readSession(secret, req);
  if (session === null) return [newSessionCookie(secret, isSecure)];
  if (isSecure && session.cookieName === SESSION_COOKIE) return storeSessionCookies(secret, session, true);
  return [];
}
