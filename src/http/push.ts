// The Web Push API the page calls (issue 23): the server's VAPID public key, a browser's subscription stored,
// tied to its browser session (the mr_session cookie, kept as its key: shared/session-key.ts), a room's level, and
// the subscription deleted. JSON in and out, bodies of at most 8 KB, never cached; every change comes from this
// site's own pages (Origin, as uploads and invites) with the session cookie. Every error is
// { ok: false, error: { code, message } } with a 4xx.
import { createECDH } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { PresenceStore } from "../chat/presence.js";
import type { ChatServer } from "../chat/types.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { PushErrorCode, PushKeyAnswer, PushLevelBody, PushSubscribeBody, PushUnsubscribeBody } from "../http-api.js";
import type { PushService } from "../push/service.js";
import { checkPushEndpoint } from "../push/transport.js";
import { pushPolicy } from "../push/sender.js";
import type { PushStore } from "../storage/push-store.js";
import { addressKey } from "../shared/address-key.js";
import { parseRoom } from "../validation.js";
import { isSameOrigin } from "./same-origin.js";
import { browserSessionKey, sessionFromRequest } from "./session.js";

export interface PushRouteDeps {
  config: Config;
  /** Null when PUSH_ENABLED=false: every route answers 404 push_disabled. */
  push: PushService | null;
  store: PushStore;
  presence: PresenceStore;
  io: ChatServer;
  clock: Clock;
  log: Logger;
  /** PUSH_CHANGES_PER_MINUTE per session and PUSH_CHANGES_PER_MINUTE_PER_IP per address: 0 when both have room, else ms to wait. */
  limiter: { take(sessionKey: string, address: string): Promise<number> };
}

const MAX_BODY = "8kb";
const MAX_ENDPOINT_CHARS = 1024;
/** Rooms one subscribe may name levels for (the page's joined rooms: MAX_ROOMS_PER_CONNECTION and its conversations). */
const MAX_LEVELS = 100;

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: PushErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const base64Url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((s) => Buffer.from(s, "base64url").length === bytes, `${what} must be ${bytes} bytes`);

/** A point on P-256 in uncompressed form (0x04, x, y): what PushSubscription.getKey("p256dh") is. */
function isP256Point(b64: string): boolean {
  const bytes = Buffer.from(b64, "base64url");
  if (bytes[0] !== 0x04) return false;
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.alloc(32, 1));
    ecdh.computeSecret(bytes); // throws for a point off the curve
    return true;
  } catch {
    return false;
  }
}

const level = z.enum(["mentions", "all", "none"]);
const room = z.string().max(200).transform((raw, ctx) => {
  const parsed = parseRoom(raw);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: `room: ${parsed.error.message}` });
    return z.NEVER;
  }
  return parsed.value;
});
const endpoint = z
  .string()
  .min(1)
  .max(MAX_ENDPOINT_CHARS, `the endpoint may be at most ${MAX_ENDPOINT_CHARS} characters`)
  .refine((s) => URL.canParse(s), "the endpoint must be a URL");

const subscribeSchema = z.object({
  subscription: z.object({
    endpoint,
    keys: z.object({
      p256dh: base64Url(65, "keys.p256dh").refine(isP256Point, "keys.p256dh must be an uncompressed P-256 public key"),
      auth: base64Url(16, "keys.auth"),
    }),
    expirationTime: z.number().int().nonnegative().max(8.64e15).nullable().optional(),
  }),
  levels: z
    .record(z.string().max(200), level)
    .refine((r) => Object.keys(r).length <= MAX_LEVELS, `levels may name at most ${MAX_LEVELS} rooms`)
    .optional(),
}) satisfies z.ZodType<unknown, PushSubscribeBody>;
const levelSchema = z.object({ room, level }) satisfies z.ZodType<unknown, PushLevelBody>;
const unsubscribeSchema = z.object({ endpoint }) satisfies z.ZodType<unknown, PushUnsubscribeBody>;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  throw new Refused(400, "invalid_payload", `${where}${first?.message ?? "invalid body"}`);
}

function answer(res: Response, status: number, body: object): void {
  res.status(status).set("Cache-Control", "no-store").json(body);
}

export function pushRoutes(deps: PushRouteDeps): Router {
  const router = express.Router();
  const { config, store, clock } = deps;
  const policy = pushPolicy(config.push);
  const json = express.json({ limit: MAX_BODY, strict: true });

  /** The session key of a request that may use the API: push on, same origin (for changes), the cookie. */
  const caller = async (req: Request): Promise<{ key: string; sessionId: string }> => {
    if (deps.push === null) throw new Refused(404, "push_disabled", "Push notifications are turned off on this server.");
    // A GET carries no Origin from a same-origin fetch, and the key is no secret: only changes must come from this site.
    if (req.method !== "GET" && !isSameOrigin(req, config)) throw new Refused(403, "not_allowed", "Push notifications are set up from this site's own page.");
    const id = sessionFromRequest(config.secretKey, req);
    if (id === null) throw new Refused(401, "no_session", "This needs the page's cookie: reload the page and try again.");
    await deps.push.ready().catch(() => {
      throw new Refused(503, "push_unavailable", "Push notifications are not available right now; try again later.");
    });
    const key = browserSessionKey(config.secretKey, id);
    // Every change writes rows and reads the session's tabs: a script looping on it is refused, per session and
    // per address (sessions cost nothing to make). Reading the public key is free.
    if (req.method !== "GET") {
      const wait = await deps.limiter.take(key, addressKey(req.ip ?? "", config.rateLimits.ipv6PrefixLength));
      if (wait > 0) throw new Refused(429, "rate_limited", `Too many changes to push notifications; try again in ${Math.ceil(wait / 1000)} s.`, wait);
    }
    return { key, sessionId: `s:${id}` };
  };

  // Checked before the body is read: a refused caller's body is never parsed.
  const gatekeeper = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      res.locals.caller = await caller(req);
      next();
    } catch (err) {
      next(err);
    }
  };
  const me = (res: Response): { key: string; sessionId: string } => res.locals.caller as { key: string; sessionId: string };

  router.get("/api/push/key", gatekeeper, (_req, res) => {
    const body: PushKeyAnswer = { publicKey: deps.push?.publicKey() ?? "" };
    answer(res, 200, body);
  });

  router.post("/api/push/subscription", gatekeeper, json, async (req, res) => {
    const { key, sessionId } = me(res);
    const input = parse(subscribeSchema, req.body);
    const checked = checkPushEndpoint(input.subscription.endpoint, policy);
    if (!checked.ok) throw new Refused(400, "push_endpoint_refused", `This push service is not allowed: ${checked.message}`);
    const rooms = Object.entries(input.levels ?? {}).flatMap(([r, l]) => {
      const parsed = parseRoom(r);
      return parsed.ok ? [[parsed.value, l] as const] : [];
    });
    const { expirationTime } = input.subscription;
    await store.saveSubscription(
      { endpoint: input.subscription.endpoint, sessionKey: key, p256dh: input.subscription.keys.p256dh, auth: input.subscription.keys.auth, expiresAt: typeof expirationTime === "number" ? new Date(expirationTime) : null, createdAt: clock.now() },
      config.push.maxSubscriptionsPerSession,
    );
    for (const [r, l] of rooms) await store.setLevel(key, r, l, clock.now(), config.push.maxRoomsPerSession);
    await recordNames(deps, key, sessionId, rooms.map(([r]) => r));
    deps.log.info("push_subscribed", { host: new URL(input.subscription.endpoint).host, rooms: rooms.length });
    answer(res, 201, { ok: true });
  });

  router.put("/api/push/levels", gatekeeper, json, async (req, res) => {
    const { key, sessionId } = me(res);
    const input = parse(levelSchema, req.body);
    await store.setLevel(key, input.room, input.level, clock.now(), config.push.maxRoomsPerSession);
    await recordNames(deps, key, sessionId, [input.room]);
    answer(res, 200, { ok: true });
  });

  router.delete("/api/push/subscription", gatekeeper, json, async (req, res) => {
    const { key } = me(res);
    const input = parse(unsubscribeSchema, req.body);
    // Someone else's endpoint is left alone and answered as an unknown one: no way to learn whose it is.
    const deleted = await store.deleteSubscription(input.endpoint, key);
    if (deleted) deps.log.info("push_unsubscribed", {});
    answer(res, 200, { ok: true });
  });

  router.use("/api/push", (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof Refused && err.retryAfterMs !== undefined) {
      res.set("Retry-After", String(Math.ceil(err.retryAfterMs / 1000)));
      return answer(res, err.status, { ok: false, error: { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs } });
    }
    if (err instanceof Refused) return answer(res, err.status, { ok: false, error: { code: err.code, message: err.message } });
    const type = (err as { type?: unknown }).type;
    if (type === "entity.too.large") return answer(res, 413, { ok: false, error: { code: "payload_too_large", message: `The body may be at most ${MAX_BODY}.` } });
    if (type === "entity.parse.failed" || type === "encoding.unsupported" || type === "charset.unsupported") return answer(res, 400, { ok: false, error: { code: "invalid_payload", message: "The body must be JSON." } });
    next(err);
  });
  router.use("/api/push", (_req: Request, res: Response) => answer(res, 404, { ok: false, error: { code: "not_found", message: "No such push route." } }));

  return router;
}

/**
 * The subscribe call cannot know the session's names, but presence can: for each room the page named, the
 * name this session holds there now (on any node), and every room a tab of it on this node is in.
 */
async function recordNames(deps: PushRouteDeps, key: string, sessionId: string, rooms: readonly string[]): Promise<void> {
  const names = new Map<string, string>();
  for (const socket of deps.io.of("/").sockets.values()) {
    if (socket.data.ownerKey !== key) continue;
    for (const [r, name] of socket.data.rooms ?? []) names.set(r, name);
  }
  for (const r of rooms) {
    if (names.has(r)) continue;
    try {
      const held = (await deps.presence.holders(r)).find((h) => h.sessionId === sessionId);
      if (held !== undefined) names.set(r, held.name);
    } catch {
      // presence away (several nodes, Redis down): the next join records the name
    }
  }
  for (const [r, name] of names) await deps.store.noteName(key, r, name, deps.clock.now(), deps.config.push.maxRoomsPerSession);
}
