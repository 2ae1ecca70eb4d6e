// Invite links (issue 17). GET /invite/<token> changes nothing: it shows the room's name and "Join as <name>" (or
// why the link no longer works, or, to a browser banned from the room, until when, with no form). Joining is the
// click: a same-origin POST to the same address, which admits this browser session and answers the room's address.
// The token is never logged (log.ts masks it, any spelling), never counted in metrics, and never leaves the page as a
// Referer (Referrer-Policy: no-referrer).
import express, { type Request, type Response, type Router } from "express";
import { hashInviteToken, inviteState, isInviteTokenShaped, tokenMatches, type InviteState } from "../access/invite-token.js";
import { banEndIso, bannedMessage } from "../access/ban-end.js";
import { roomInfoFor } from "../access/policy.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { ErrorCode, RoomInfo } from "../protocol.js";
import { addressKey } from "../shared/address-key.js";
import { nameKey } from "../shared/names.js";
import type { EditsAndModeration } from "../storage/repository.js";
import { parseName } from "../validation.js";
import type { InviteLimiter } from "./invite-limiter.js";
import { isSameOrigin } from "./same-origin.js";
import { browserSessionKey, moderatorSessionKey, readSession, sessionFromRequest } from "./session.js";

export interface InviteRouteDeps {
  config: Config;
  store: EditsAndModeration;
  clock: Clock;
  log: Logger;
  limiter: InviteLimiter;
  /** A session was let in (not one already a member): the room's members hear their list changed (app.ts wires it to the chat). */
  onAdmitted?: (room: string) => void;
}

/**
 * What the invite page shows; the room's name only while the link works (or to a member). A browser banned from the
 * room sees what the working link's page shows (the name) and the ban's end (ISO 8601 UTC; null: permanent), no more.
 */
export type InvitePage =
  | { state: "active"; title: string }
  | { state: "member"; title: string; room: string }
  | { state: "banned"; title: string; until: string | null }
  | { state: "expired" | "used_up" | "revoked" | "invalid" | "rate_limited" };

/** Renders the chat page with the invite card; routes.ts owns the page itself. */
export type RenderInvite = (req: Request, res: Response, invite: InvitePage, status: number) => void;

const STATUS: Record<InvitePage["state"], number> = { active: 200, member: 200, banned: 403, expired: 410, used_up: 410, revoked: 410, invalid: 404, rate_limited: 429 };

const REFUSALS: Record<Exclude<InviteState, "active"> | "invalid", { code: ErrorCode; message: string }> = {
  invalid: { code: "not_found", message: "This invite link is not valid. Ask for a new one." },
  expired: { code: "invite_expired", message: "This invite link has expired. Ask for a new one." },
  used_up: { code: "invite_used_up", message: "This invite link has been used as many times as it allows. Ask for a new one." },
  revoked: { code: "invite_revoked", message: "This invite link was revoked. Ask for a new one." },
};

/** Headers for every answer about an invite: never cached, never indexed, never a Referer with the token in it. */
function privateAnswer(res: Response): void {
  res.set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" });
}

export function inviteRoutes(deps: InviteRouteDeps, render: RenderInvite): Router {
  // Case-sensitive: Express matches paths in any case by default, so "/Invite/<token>" worked too. The server hands
  // out "/invite/" only and nobody types a 43-character token by hand, so one spelling costs nobody a link and is
  // one door fewer for the log guard (log.ts) to know. The Flask original has no invite routes to stay compatible with.
  const router = express.Router({ caseSensitive: true });
  const json = express.json({ limit: "1kb", strict: true });
  const keyOf = (req: Request): string | null => {
    const id = sessionFromRequest(deps.config.secretKey, req);
    return id === null ? null : browserSessionKey(deps.config.secretKey, id);
  };
  /** Every try counts, per address and per session, before the token is even looked at. */
  const tryBudget = (req: Request, key: string | null): Promise<number> =>
    deps.limiter.take([`ip:${addressKey(req.ip ?? "", deps.config.rateLimits.ipv6PrefixLength)}`, ...(key !== null ? [`s:${key}`] : [])]);

  /** The invite behind the token, checked in constant time, or null for a token that is not one. */
  const lookUp = async (token: string) => {
    if (!isInviteTokenShaped(token)) return null;
    const found = await deps.store.access.inviteByHash(hashInviteToken(token));
    return found !== null && tokenMatches(token, found.invite.tokenHash) ? found : null;
  };

  router.get("/invite/:token", async (req, res) => {
    privateAnswer(res);
    const key = keyOf(req);
    if ((await tryBudget(req, key)) > 0) return show(req, res, { state: "rate_limited" });
    const found = await lookUp(req.params.token);
    if (found === null) return show(req, res, { state: "invalid" });
    const { invite, title } = found;
    if (key !== null && (await deps.store.access.roomAccess(invite.room, key))?.member) return show(req, res, { state: "member", title, room: invite.room });
    const now = deps.clock.now();
    const state = inviteState(invite, now);
    if (state !== "active") return show(req, res, { state });
    // A working link opened by a browser banned from the room: told at once, with no form (its POST would be refused).
    // Only where the page shows the room's name anyway: a dead link's page names no room, so it tells no ban either.
    const ban = key === null ? null : await sessionBan(invite.room, key, now);
    show(req, res, ban === null ? { state, title } : { state: "banned", title, until: banEndIso(ban.until) });
  });

  router.post("/invite/:token", json, async (req, res) => {
    privateAnswer(res);
    if (!isSameOrigin(req, deps.config)) return refuse(res, 403, "not_allowed", "Invite links are used from this site's own page.");
    const key = keyOf(req);
    const wait = await tryBudget(req, key);
    if (wait > 0) return refuse(res.set("Retry-After", String(Math.ceil(wait / 1000))), 429, "rate_limited", "Too many tries; wait a minute and try again.");
    if (key === null) return refuse(res, 400, "session_required", "This page needs its cookie: reload it and try again.");
    const name = parseName((req.body as { username?: unknown } | undefined)?.username);
    if (!name.ok) return refuse(res, 400, name.error.code, name.error.message);
    const found = await lookUp(req.params.token as string);
    if (found === null) return refuse(res, 404, REFUSALS.invalid.code, REFUSALS.invalid.message);
    // A browser or name banned from the room is refused before the link is used: admitting it would spend a use of
    // the link (a one-use link wasted) and let the browser back in while the ban still keeps it out of the room.
    const ban = await deps.store.activeBan(found.invite.room, nameKey(name.value), key, deps.clock.now());
    if (ban !== null) return refuse(res, 403, "banned", bannedMessage(ban.until));
    const redeemed = await deps.store.access.redeemInvite(found.invite.tokenHash, { sessionKey: key, name: name.value }, deps.clock.now());
    deps.log.info("invite_used", { room: found.invite.room, invite: found.invite.id, outcome: redeemed.outcome });
    if (redeemed.outcome !== "admitted" && redeemed.outcome !== "already_member") {
      const refusal = REFUSALS[redeemed.outcome];
      return refuse(res, redeemed.outcome === "invalid" ? 404 : 410, refusal.code, refusal.message);
    }
    if (redeemed.outcome === "admitted") deps.onAdmitted?.(redeemed.record.room);
    const session = readSession(deps.config.secretKey, req);
    const moderatorKey = session === null ? null : moderatorSessionKey(deps.config.secretKey, session);
    const isModerator = deps.config.moderatorToken !== null && moderatorKey !== null && (await deps.store.isModerator(moderatorKey));
    const room: RoomInfo = roomInfoFor(redeemed.record, key, isModerator);
    res.json({ ok: true, room });
  });

  const show = (req: Request, res: Response, page: InvitePage): void => render(req, res, page, STATUS[page.state]);
  /** This browser's ban from the room, whatever name it was banned under (the page knows no name yet: "" matches none). */
  const sessionBan = (room: string, key: string, now: Date) => deps.store.activeBan(room, "", key, now);
  return router;
}

function refuse(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ ok: false, error: { code, message } });
}
