// What the database keeps of a browser session: a keyed hash of its id. Pure, no I/O: the HTTP routes (which read
// the cookie), the chat (which compares a name's holder with a member) and the stores all use it.
import { createHmac } from "node:crypto";

/**
 * What the database keeps of a session (issue 12: a message's owner, a moderator, a ban): HMAC-SHA256 of the
 * socket's session id ("s:<cookie id>", or "c:<socket id>" without a cookie) under SECRET_KEY, in hex. The
 * cookie id itself never reaches the database, and a copy of the file cannot be turned back into a cookie.
 */
export function sessionKey(secret: string, sessionId: string): string {
  return createHmac("sha256", secret).update(sessionId).digest("hex");
}

/** The key of a browser session from its cookie id, as sessionKey gives it for that browser's sockets. */
export function browserSessionKey(secret: string, cookieId: string): string {
  return sessionKey(secret, `s:${cookieId}`);
}
