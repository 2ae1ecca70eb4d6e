// What /healthz says (issue 6; issue 19 adds HEALTH_PORT): can this node take writes and, with several nodes,
// reach Redis. Read by the app's own /healthz route and fed to the health thread (health-listener.ts).
import type { HealthAnswer } from "../http-api.js";
import type { MessageRepository } from "../storage/repository.js";

export interface HealthDeps {
  repo: MessageRepository;
  /** The answer's `node`; null leaves it out (the app's public port without NODE_ID: routes.ts). */
  nodeId: string | null;
  /** Multi-node mode: Redis is an engine /healthz reports. */
  cluster?: { isRedisUp(): boolean };
}

/** /healthz answers within this even when the database hangs (a PostgreSQL that stopped answering). */
const HEALTH_ANSWER_MS = 1000;

/** The store's health, or false once it has kept /healthz waiting HEALTH_ANSWER_MS. */
function healthWithin(repo: MessageRepository, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([repo.isHealthy().catch(() => false), late]).finally(() => clearTimeout(timer));
}

export async function checkHealth(deps: HealthDeps): Promise<HealthAnswer> {
  const isDatabaseUp = await healthWithin(deps.repo, HEALTH_ANSWER_MS);
  // Full is its own answer: the operator frees space rather than looks for a broken database.
  const isFull = !isDatabaseUp && deps.repo.isDiskFull?.() === true;
  const engines: HealthAnswer["engines"] = { database: isDatabaseUp ? "ok" : isFull ? "full" : "unavailable" };
  const reasons: string[] = isDatabaseUp ? [] : [isFull ? "the database's disk is full" : "the database cannot take writes"];
  if (deps.cluster) {
    const isRedisUp = deps.cluster.isRedisUp();
    engines.redis = isRedisUp ? "ok" : "unavailable";
    if (!isRedisUp) reasons.push("Redis is unreachable");
  }
  const node = deps.nodeId === null ? {} : { node: deps.nodeId };
  if (reasons.length === 0) return { status: "ok", ...node, engines };
  return { status: "unavailable", ...node, engines, reason: reasons.join("; ") };
}

/** 200 only for "ok": a load balancer sends nothing to a node that is starting, stopping or cannot write. */
export function healthStatusCode(answer: HealthAnswer): number {
  return answer.status === "ok" ? 200 : 503;
}
