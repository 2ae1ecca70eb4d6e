// Web Push's parts chosen once for the app (issue 23): memory on one node, Redis on several, nothing at all
// with PUSH_ENABLED=false.
import type { RedisClient } from "../cluster/redis.js";
import type { ChatServer } from "../chat/types.js";
import type { Clock } from "../clock.js";
import { createRedisGate, createRedisPages } from "../cluster/redis-push.js";
import { createRedisShownNotes } from "../cluster/redis-shown.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { EditsAndModeration } from "../storage/repository.js";
import { createMemoryGate } from "./gate.js";
import { createMemoryPages, trackPages, type PageTracker } from "./pages.js";
import { createPushService, type PushService } from "./service.js";
import { createMemoryShownNotes } from "./shown.js";

/**
 * Who has a page open: counted from the first connection on, so it is made before the cluster's heartbeat starts.
 * `isKeyStalled`: a Redis Cluster master marked stalled, whose keys the heartbeat's renewal does not wait for.
 */
export function createPageTracker(
  io: ChatServer,
  config: Config,
  clock: Clock,
  log: Logger,
  redis?: RedisClient,
  isKeyStalled?: (key: string) => boolean,
): (PageTracker & { heartbeat?: () => Promise<void> }) | null {
  if (!config.push.isEnabled) return null;
  const pages = redis ? createRedisPages(redis, { nodeId: config.nodeId, ttlMs: config.presenceTtlMs, now: () => clock.now().getTime(), log, ...(isKeyStalled ? { isKeyStalled } : {}) }) : createMemoryPages();
  trackPages(io, pages);
  return pages;
}

export interface StartPushDeps {
  config: Config;
  store: EditsAndModeration;
  log: Logger;
  clock: Clock;
  metrics: Metrics;
  pages: PageTracker | null;
  redis?: RedisClient;
  /** A Redis Cluster master marked stalled: push's reads of its keys are decided at once, as after a timeout (cluster/redis-push.ts). */
  isKeyStalled?: (key: string) => boolean;
}

export function startPush(deps: StartPushDeps): PushService | null {
  const { config, redis, log, pages } = deps;
  if (pages === null) return null;
  const intervalMs = config.notifyIntervalMs;
  const takeBackMs = config.push.takeBackMs;
  const now = (): number => deps.clock.now().getTime();
  return createPushService({
    ...deps,
    pages,
    shown: redis ? createRedisShownNotes(redis, takeBackMs, now, deps.isKeyStalled) : createMemoryShownNotes(takeBackMs, now),
    gate: (onDue) => (redis ? createRedisGate(redis, intervalMs, onDue, log, deps.isKeyStalled) : createMemoryGate(intervalMs, onDue)),
  });
}
