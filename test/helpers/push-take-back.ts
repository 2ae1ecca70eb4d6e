// What the push take-back test files share: a local push service for the file, the app pushing to it, a browser
// that subscribed and closed its tab, and sends and deletes that must succeed.
import { afterAll, beforeAll, expect, onTestFinished } from "vitest";
import { startTestApp, type ClientSocket, type TestApp } from "./app.js";
import { startPushService, type PushServiceDouble, type TestSubscription } from "./push-service.js";
import { subscribe } from "./push.js";

export interface PushAppKit {
  /** The file's push service (set before its first test). */
  service: PushServiceDouble;
  /** The app, pushing to the service at once (no NOTIFY_INTERVAL_MS); closed when the test ends. */
  app(env?: Record<string, string>): Promise<TestApp>;
  /** A browser that joins `room` as `name`, subscribes (default level: mentions), and closes its tab. */
  subscribed(a: TestApp, room: string, name: string): Promise<{ session: string; sub: TestSubscription }>;
  /** The subscription's n-th push, decrypted. */
  nthPayload(sub: TestSubscription, n: number): Promise<Record<string, unknown>>;
}

/** Call at a test file's top level: starts the push service before its tests and stops it after. */
export function pushAppKit(): PushAppKit {
  const kit: PushAppKit = {
    service: undefined as unknown as PushServiceDouble,
    async app(env = {}) {
      const a = await startTestApp({ env: { ...kit.service.env, VAPID_SUBJECT: "mailto:ops@chat.example", NOTIFY_INTERVAL_MS: "0", ...env } });
      onTestFinished(a.close);
      return a;
    },
    async subscribed(a, room, name) {
      const session = a.newSession();
      const sub = kit.service.subscription();
      const tab = await a.joined(room, name, { session });
      await subscribe(a, session, sub).expect(201);
      await a.disconnect(tab);
      return { session, sub };
    },
    nthPayload: async (sub, n) => kit.service.decrypt(await kit.service.nth(sub, n), sub),
  };
  beforeAll(async () => {
    kit.service = await startPushService();
  });
  afterAll(() => kit.service?.close());
  return kit;
}

export async function send(socket: ClientSocket, room: string, content: string, username = "ana") {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(res.error.code);
  return res.message;
}

export async function remove(socket: ClientSocket, room: string, id: number): Promise<void> {
  expect(await socket.timeout(5000).emitWithAck("delete_message", { room, id })).toMatchObject({ ok: true });
}
