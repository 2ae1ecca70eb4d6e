// The session cookie an answer sets, as the browser would send it back: `name=value`. A moderator sign-in sets a new
// value (session fixation, src/http/session.ts), so tests that sign in go on with this one, not the one they sent.
import { HOST_SESSION_COOKIE, SESSION_COOKIE } from "../../src/http/session.js";

export function sessionCookieFrom(setCookie: string | readonly string[] | null | undefined): string {
  const all = setCookie === null || setCookie === undefined ? [] : typeof setCookie === "string" ? [setCookie] : setCookie;
  for (const line of all) {
    const pair = line.split(";")[0] as string;
    const name = pair.slice(0, pair.indexOf("="));
    if ((name === SESSION_COOKIE || name === HOST_SESSION_COOKIE) && pair.length > name.length + 1) return pair;
  }
  throw new Error(`no session cookie set (Set-Cookie: ${JSON.stringify(all)})`);
}
