// A page that saw no message of a public room before a moderator made it private has no `since` the move took
// along, so it cannot be told apart from a stranger by that (moved-rejoin.ts). Its join ack carries instead this
// token: when this browser session joined the room at this address, signed under SECRET_KEY. The rejoin presents
// it, and the room's first move after that time is where the page's room went. Pure, no I/O.
import { createHmac, timingSafeEqual } from "node:crypto";
import { REJOIN_TOKEN } from "../payloads.js";

const MAC_BYTES = 16;

/**
 * The MAC binds the time to the room's address and to the browser session (its key): a token shown anywhere else,
 * another room's or another browser's, proves nothing. The "rejoin" label keeps it apart from sessionKey's HMACs
 * under the same secret (their input is a session id, "s:..." or "c:...").
 */
function mac(secret: string, ownerKey: string, room: string, joinedAtMs: number): string {
  return createHmac("sha256", secret).update(`rejoin\0${ownerKey}\0${room}\0${joinedAtMs}`).digest().subarray(0, MAC_BYTES).toString("base64url");
}

export function rejoinToken(secret: string, ownerKey: string, room: string, joinedAtMs: number): string {
  return `${joinedAtMs}.${mac(secret, ownerKey, room, joinedAtMs)}`;
}

/**
 * When the session joined the room, if `token` is one this server gave it for this room; else null (forged,
 * another room's or browser's, or signed under an earlier SECRET_KEY: the join then goes on as one without it).
 */
export function readRejoinToken(secret: string, ownerKey: string, room: string, token: string): Date | null {
  if (!REJOIN_TOKEN.test(token)) return null;
  const [time = "", given = ""] = token.split(".");
  const joinedAtMs = Number(time); // at most 15 digits: a safe integer
  const expected = Buffer.from(mac(secret, ownerKey, room, joinedAtMs), "utf8");
  const presented = Buffer.from(given, "utf8");
  return expected.length === presented.length && timingSafeEqual(expected, presented) ? new Date(joinedAtMs) : null;
}
