// Sends pushes, off the message path (issue 23): a bounded queue, a few requests at once, each encrypted and
// signed by web-push (aes128gcm, VAPID) and sent through the transport's policy (transport.ts), never through
// web-push's own sendNotification, which follows none. 404/410 delete the subscription, a policy refusal too
// (that endpoint will never be allowed); other failures are retried with exponential backoff and jitter,
// at most PUSH_MAX_RETRIES times, never sooner than the service's Retry-After.
import webPush from "web-push";
import type { Clock } from "../clock.js";
import type { PushSettings } from "./settings.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { PushStore, PushSubscriptionRecord, VapidKeyPair } from "../storage/push-store.js";
import type { TakeBackPayload } from "./take-back.js";
import type { PushPayload } from "./text.js";
import { sendPushRequest, type PushPolicy, type PushRequest } from "./transport.js";

export type Urgency = "high" | "normal";

interface Job {
  subscription: PushSubscriptionRecord;
  payload: PushPayload | TakeBackPayload;
  urgency: Urgency;
  /** Tries so far. */
  attempt: number;
}

/** Requests to push services at once: enough to keep a burst moving, few enough to never crowd the chat. */
const CONCURRENCY = 8;
/** The longest wait between two tries of one push. */
const MAX_BACKOFF_MS = 3_600_000;
/** A response body is never needed; a push service sends a few hundred bytes at most. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PushSenderDeps {
  settings: PushSettings;
  keys: VapidKeyPair;
  store: PushStore;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** [0, 1): the jitter (tests may pin it). */
  random?: () => number;
  send?: (request: PushRequest, policy: PushPolicy) => ReturnType<typeof sendPushRequest>;
}

export function pushPolicy(settings: PushSettings): PushPolicy {
  return { allowedHosts: settings.allowedHosts, timeoutMs: settings.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES, ...(settings.testService ? { testService: settings.testService } : {}) };
}

export class PushSender {
  private readonly ready: Job[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private isClosed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly policy: PushPolicy;
  private readonly random: () => number;
  private readonly send: NonNullable<PushSenderDeps["send"]>;

  constructor(private readonly deps: PushSenderDeps) {
    this.policy = pushPolicy(deps.settings);
    this.random = deps.random ?? Math.random;
    this.send = deps.send ?? sendPushRequest;
  }

  /** Pushes waiting: ready to go, or waiting for a retry. */
  get length(): number {
    return this.ready.length + this.retries.size;
  }

  /** Queues one push; false (counted and logged) when the queue is full or the sender is closed. */
  enqueue(subscription: PushSubscriptionRecord, payload: PushPayload | TakeBackPayload, urgency: Urgency): boolean {
    if (this.isClosed || this.length >= this.deps.settings.queueMax) {
      this.deps.metrics.pushes.inc({ outcome: "dropped" });
      this.deps.log.warn("push_dropped", { reason: this.isClosed ? "closing" : "queue_full", queued: this.length });
      return false;
    }
    // The browser said when the subscription ends (expirationTime): past it the push service refuses it anyway.
    if (subscription.expiresAt !== null && subscription.expiresAt.getTime() <= this.deps.clock.now().getTime()) {
      this.deps.metrics.pushes.inc({ outcome: "expired" });
      this.deps.log.info("push_subscription_expired", { expiredAt: subscription.expiresAt.toISOString() });
      this.deps.store.deleteSubscription(subscription.endpoint, null).catch((err: unknown) => this.deps.log.warn("push_forget_failed", { err: (err as Error).message }));
      return false;
    }
    this.ready.push({ subscription, payload, urgency, attempt: 0 });
    this.pump();
    return true;
  }

  /** Stops taking pushes and retries; waits up to `waitMs` for the ones queued or under way. */
  async close(waitMs: number): Promise<void> {
    this.isClosed = true;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    if (this.inFlight === 0 && this.ready.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  private pump(): void {
    while (this.inFlight < CONCURRENCY && this.ready.length > 0) {
      const job = this.ready.shift() as Job;
      this.inFlight++;
      this.attempt(job)
        .catch((err: unknown) => this.deps.log.error("push_failed", { err }))
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.ready.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        });
    }
  }

  private async attempt(job: Job): Promise<void> {
    const { settings, keys, store, log, metrics, clock } = this.deps;
    const { endpoint } = job.subscription;
    let request: PushRequest;
    try {
      const details = webPush.generateRequestDetails({ endpoint, keys: { p256dh: job.subscription.p256dh, auth: job.subscription.auth } }, JSON.stringify(job.payload), {
        vapidDetails: { subject: settings.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        TTL: settings.ttlSeconds,
        urgency: job.urgency,
        contentEncoding: "aes128gcm",
      });
      const headers = Object.fromEntries(Object.entries(details.headers).map(([k, v]) => [k, String(v)]));
      request = { endpoint: details.endpoint, method: "POST", headers, body: details.body ?? Buffer.alloc(0) };
    } catch (err) {
      // Keys the browser gave that web-push cannot use: nothing a retry changes.
      metrics.pushes.inc({ outcome: "dropped" });
      log.warn("push_unsendable", { err: (err as Error).message });
      return;
    }
    const outcome = await this.send(request, this.policy);
    const host = hostOf(endpoint);
    switch (outcome.kind) {
      case "delivered":
        metrics.pushes.inc({ outcome: "delivered" });
        log.debug("push_delivered", { host, status: outcome.status, attempt: job.attempt });
        if (job.attempt > 0) await store.noteFailure(endpoint, null);
        return;
      case "gone":
        metrics.pushes.inc({ outcome: "gone" });
        log.info("push_subscription_gone", { host, status: outcome.status });
        await store.deleteSubscription(endpoint, null);
        return;
      case "refused":
        metrics.pushes.inc({ outcome: "refused" });
        log.warn("push_endpoint_refused", { host, code: outcome.code });
        await store.deleteSubscription(endpoint, null);
        return;
      case "failed": {
        await store.noteFailure(endpoint, clock.now());
        if (job.attempt >= settings.maxRetries || this.isClosed) {
          metrics.pushes.inc({ outcome: "failed" });
          log.warn("push_given_up", { host, status: outcome.status, attempts: job.attempt + 1, reason: outcome.message });
          return;
        }
        metrics.pushes.inc({ outcome: "retried" });
        this.retryLater({ ...job, attempt: job.attempt + 1 }, this.backoffMs(job.attempt, outcome.retryAfterMs));
        return;
      }
    }
  }

  /** base·2^attempt, with "equal jitter" (half fixed, half random) so a service's outage does not end in a stampede; never before Retry-After. */
  private backoffMs(attempt: number, retryAfterMs?: number): number {
    const exp = Math.min(MAX_BACKOFF_MS, this.deps.settings.retryBaseMs * 2 ** attempt);
    const jittered = exp / 2 + this.random() * (exp / 2);
    return Math.min(MAX_BACKOFF_MS, Math.max(jittered, retryAfterMs ?? 0));
  }

  private retryLater(job: Job, ms: number): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.ready.push(job);
      this.pump();
    }, ms);
    timer.unref();
    this.retries.add(timer);
  }
}

/** The push service's host, for logs: the endpoint's path is a capability and stays out of them. */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "?";
  }
}
