// GET/POST /moderate (issue 12): a browser session becomes a moderator by giving MODERATOR_TOKEN once. The flag is
// kept server-side, in the store's moderator_session table under the session's key, so it survives a restart.
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { EditsAndModeration } from "../storage/repository.js";
import { addressKey } from "../shared/address-key.js";
import { isSameSecret } from "./secrets.js";
import type { SignInLimiter } from "./sign-in-limiter.js";
import { isSameOrigin } from "./same-origin.js";
import { browserSessionKey, newSessionCookie, sessionFromRequest } from "./session.js";

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
  /** The session key of the request's browser session, or null without a valid cookie. */
  const keyOf = (req: Request): string | null => {
    const id = sessionFromRequest(deps.config.secretKey, req);
    return id === null ? null : browserSessionKey(deps.config.secretKey, id);
  };
  const isModerator = async (key: string | null): Promise<boolean> => isEnabled && key !== null && (await deps.store.isModerator(key));
  /** Refuses a cross-origin post; true when the request was answered. */
  const refuseForeign = (req: Request, res: Response): boolean => {
    if (isSameOrigin(req, deps.config)) return false;
    deps.log.warn("moderate_refused", { reason: "cross_origin", origin: req.get("origin") });
    res.status(403).type("text/plain").send("Cross-origin form posts are refused.\n");
    return true;
  };

  router.get("/moderate", async (req, res) => {
    const key = keyOf(req);
    if (key === null) res.append("Set-Cookie", newSessionCookie(deps.config.secretKey, req.secure));
    render(res, { isModerator: await isModerator(key), error: null });
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
    const key = keyOf(req);
    if (key === null) {
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
    await deps.store.setModerator(key, true, deps.clock.now());
    await deps.store.audit({ at: deps.clock.now(), moderator: key.slice(0, WHO_CHARS), action: "sign_in", room: null, target: null, messageId: null, detail: null });
    deps.log.info("moderation_action", { moderator: key.slice(0, WHO_CHARS), action: "sign_in" });
    res.redirect(303, "/moderate");
  });

  router.post("/moderate/sign-out", async (req, res) => {
    if (refuseForeign(req, res)) return;
    const key = keyOf(req);
    if (key !== null && (await isModerator(key))) {
      await deps.store.setModerator(key, false, deps.clock.now());
      await deps.store.audit({ at: deps.clock.now(), moderator: key.slice(0, WHO_CHARS), action: "sign_out", room: null, target: null, messageId: null, detail: null });
      deps.log.info("moderation_action", { moderator: key.slice(0, WHO_CHARS), action: "sign_out" });
    }
    res.redirect(303, "/moderate");
  });

  return router;
}
