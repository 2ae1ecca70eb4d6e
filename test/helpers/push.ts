// Web Push in tests (issue 23): the API calls the page makes, on a test app, and a wait for a log line.
import request from "supertest";
import { sessionKey } from "../../src/shared/session-key.js";
import { verifySession } from "../../src/http/session.js";
import type { PushLevel } from "../../src/http-api.js";
import type { TestSubscription } from "./push-service.js";

interface Target {
  url: string;
  config: { secretKey: string };
}

/** POST /api/push/subscription as the page does (same origin, the session's cookie). */
export const subscribe = (app: Target, session: string, sub: TestSubscription, levels?: Record<string, PushLevel>) =>
  request(app.url).post("/api/push/subscription").set("Origin", app.url).set("Cookie", session).send({ subscription: sub.json, ...(levels ? { levels } : {}) });

export const setLevel = (app: Target, session: string, room: string, level: PushLevel) =>
  request(app.url).put("/api/push/levels").set("Origin", app.url).set("Cookie", session).send({ room, level });

export const unsubscribe = (app: Target, session: string, endpoint: string) =>
  request(app.url).delete("/api/push/subscription").set("Origin", app.url).set("Cookie", session).send({ endpoint });

/** The key the stores keep a session under, from its "mr_session=…" cookie. */
export function keyOfSession(app: Target, session: string): string {
  const id = verifySession(app.config.secretKey, decodeURIComponent(session.slice(session.indexOf("=") + 1)));
  if (id === null) throw new Error("not a valid session cookie");
  return sessionKey(app.config.secretKey, `s:${id}`);
}

/** Resolves once `check` holds (checked every 10 ms: for effects with no event to await, e.g. a row deleted), or fails after timeoutMs. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
