// GET/POST /moderate (issue 12): a browser session becomes a moderator by giving MODERATOR_TOKEN once. The flag is
// kept server-side, in the store's moderator_session table under the key of the grant the sign-in issues
// (session.ts: a new cookie value, the same identity), so it survives a restart and a planted cookie never has it.
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { EditsAndModeration } from "../storage/repository.js";
import { addressKey } from "../shared/address-key.js";
import { isSameSecret } from "./secrets.js";
import type { SignInLimiter } from "./sign-in-limiter.js";
import { isSameOrigin } from "./same-origin.js";
import { browserSessionKey, moderatorSessionKey, newSessionCookie, readSession, sessionCookiesFor, storeSessionCookies, withNewGrant, type BrowserSession } from "./session.js";

export interface ModerateDeps {
  config: Config;
  store: EditsAndModeration;
  log: Logger;
  clock: Clock;
  /** MODERATOR_LOGIN_PER_MINUTE, for the cluster when Redis is configured (sign-in-limiter.ts). */
  signInLimiter: SignInLimiter;
}

const WHO_CHARS = 12;

interface PageState {
  isModerator: boolean;
  error: string | null;
}

export function moderateRoutes(deps: ModerateDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "2kb", parameterLimit: 5 });
  const isEnabled = deps.config.moderatorToken !== null;

  const render = (res: Response, state: PageState, status = 200): void => {
    // Under the app-wide "Referrer-Policy: no-referrer", Chromium posts this page's form with "Origin: null",
    // which isSameOrigin refuses: this page lets its own origin through (same-origin sends no referrer elsewhere).
    res.status(status).set("Cache-Control", "no-store").set("Referrer-Policy", "same-origin").render("moderate", { isEnabled, ...state });
  };
  /** The request's browser session, or null without a valid cookie. */
  const sessionOf = (req: Request): BrowserSession | null => readSession(deps.config.secretKey, req);
  /** What the audit and the log show of a browser: a prefix of its identity's key, as the chat's actions do. */
  const whoIs = (session: BrowserSession): string => browserSessionKey(deps.config.secretKey, session.id).slice(0, WHO_CHARS);
  const isModerator = async (session: BrowserSession | null): Promise<boolean> => {
    const key = session === null ? null : moderatorSessionKey(deps.config.secretKey, session);
    return isEnabled && key !== null && (await deps.store.isModerator(key));
  };
  /** Refuses a cross-origin post; true when the request was answered. */
  const refuseForeign = (req: Request, res: Response): boolean => {
    if (isSameOrigin(req, deps.config)) return false;
    deps.log.warn("moderate_refused", { reason: "cross_origin", origin: req.get("origin") });
    res.status(403).type("text/plain").send("Cross-origin form posts are refused.\n");
    return true;
  };

  /**
   * Session fixation: whoever planted this browser's cookie knows its value, so the grant goes to a new value only
   * this answer carries (same identity, fresh grant); the old value, and any grant it had, are moderators no more.
   */
  const signIn = async (req: Request, res: Response, session: BrowserSession): Promise<void> => {
    const rotated = withNewGrant(session);
    const oldKey = moderatorSessionKey(deps.config.secretKey, session);
    if (oldKey !== null) await deps.store.setModerator(oldKey, false, deps.clock.now());
    // A row from before grants existed was under the identity's key: it grants nothing now, so it goes too.
    await deps.store.setModerator(browserSessionKey(deps.config.secretKey, session.id), false, deps.clock.now());
    await deps.store.setModerator(moderatorSessionKey(deps.config.secretKey, rotated) as string, true, deps.clock.now());
    for (const cookie of storeSessionCookies(deps.config.secretKey, rotated, req.secure)) res.append("Set-Cookie", cookie);
    res.set("Cache-Control", "no-store");
    await deps.store.audit({ at: deps.clock.now(), moderator: whoIs(session), action: "sign_in", room: null, target: null, messageId: null, detail: null });
    deps.log.info("moderation_action", { moderator: whoIs(session), action: "sign_in" });
  };

  router.get("/moderate", async (req, res) => {
    for (const cookie of sessionCookiesFor(deps.config.secretKey, req, req.secure)) res.append("Set-Cookie", cookie);
    render(res, { isModerator: await isModerator(sessionOf(req)), error: null });
  });

  router.post("/moderate", form, async (req, res) => {
    if (refuseForeign(req, res)) return;
    const retryMs = await deps.signInLimiter.take(addressKey(req.ip ?? "", deps.config.rateLimits.ipv6PrefixLength));
    if (retryMs > 0) {
      deps.log.warn("moderate_refused", { reason: "rate_limited", ip: req.ip });
      res.set("Retry-After", String(Math.ceil(retryMs / 1000)));
      render(res, { isModerator: false, error: "Too many tries; wait a minute and try again." }, 429);
      return;
    }
    if (!isEnabled) {
      render(res, { isModerator: false, error: null }, 404);
      return;
    }
    const session = sessionOf(req);
    if (session === null) {
      res.append("Set-Cookie", newSessionCookie(deps.config.secretKey, req.secure));
      render(res, { isModerator: false, error: "This page needs its cookie: reload it and try again." }, 400);
      return;
    }
    const token = typeof (req.body as { token?: unknown } | undefined)?.token === "string" ? (req.body as { token: string }).token : "";
    if (!isSameSecret(token, deps.config.moderatorToken as string)) {
      deps.log.warn("moderate_refused", { reason: "wrong_token", ip: req.ip });
      render(res, { isModerator: false, error: "That is not the moderator token." }, 401);
      return;
    }
    await signIn(req, res, session);
    res.redirect(303, "/moderate");
  });

  router.post("/moderate/sign-out", async (req, res) => {
    if (refuseForeign(req, res)) return;
    const session = sessionOf(req);
    if (session !== null && (await isModerator(session))) {
      await deps.store.setModerator(moderatorSessionKey(deps.config.secretKey, session) as string, false, deps.clock.now());
      await deps.store.audit({ at: deps.clock.now(), moderator: whoIs(session), action: "sign_out", room: null, target: null, messageId: null, detail: null });
      deps.log.info("moderation_action", { moderator: whoIs(session), action: "sign_out" });
    }
    res.redirect(303, "/moderate");
  });

  return router;
}
