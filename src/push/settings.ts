// Web Push's settings (issue 23), read from the environment with the configuration's readers: the VAPID keys
// and contact, where pushes may go, the pace of retries, the per-session bounds, and the tests' local service.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { DEFAULT_PUSH_ALLOWED_HOSTS } from "./transport.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface PushSettings {
  /** PUSH_ENABLED=false: no keys, no API (404 push_disabled), nothing sent. */
  isEnabled: boolean;
  /** Both VAPID keys from the environment (base64url), or null: generated once and kept in the database. */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** The VAPID JWT's `sub`: a mailto: or https: contact the push services may use. */
  subject: string;
  /** Push service hosts an endpoint may name (exact, or a suffix when it starts with "."). */
  allowedHosts: readonly string[];
  /** How long a push service keeps an undelivered push (the TTL header), in seconds. */
  ttlSeconds: number;
  /** One request to a push service, at most. */
  timeoutMs: number;
  /** A failed push is tried again at most this many times (exponential backoff from retryBaseMs, with jitter). */
  maxRetries: number;
  retryBaseMs: number;
  /** How long the server remembers what a sent notification quotes, to take it back on a delete, an edit or a kick (0: never). */
  takeBackMs: number;
  /** Pushes waiting to be sent (retries included); beyond it new ones are dropped, counted and logged. */
  queueMax: number;
  /** The sessions one stored message's pushes are decided for side by side (each reads the database and Redis). */
  targetsAtOnce: number;
  /** Subscriptions one browser session may have; a new one beyond it drops the oldest. */
  maxSubscriptionsPerSession: number;
  /** Rooms a session's push settings (name, level) are kept for; past it the least recently changed go. */
  maxRoomsPerSession: number;
  /** Changes to the push API (subscribe, levels, unsubscribe) per browser session and minute, and per address. */
  changesPerMinute: number;
  changesPerMinutePerAddress: number;
  /** Tests only (NODE_ENV=test): an https origin on 127.0.0.1 allowed as a push service, and its CA (PEM). */
  testService: { origin: string; ca: string } | null;
}

const VAPID_PUBLIC_BYTES = 65;
const VAPID_PRIVATE_BYTES = 32;

export function pushSettings(
  env: Env,
  nodeEnv: string,
  int: (name: string, fallback: number, min: number, max: number) => number,
  bool: (name: string, fallback: boolean) => boolean,
  problems: string[],
): PushSettings {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim() ?? "";
  const privateKey = env.VAPID_PRIVATE_KEY?.trim() ?? "";
  let vapidKeys: PushSettings["vapidKeys"] = null;
  if ((publicKey === "") !== (privateKey === "")) problems.push("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both (e.g. from npx web-push generate-vapid-keys) or neither (generated once and kept in the database)");
  else if (publicKey !== "") {
    if (base64UrlBytes(publicKey) !== VAPID_PUBLIC_BYTES) problems.push("VAPID_PUBLIC_KEY must be a 65-byte uncompressed P-256 public key in base64url");
    else if (base64UrlBytes(privateKey) !== VAPID_PRIVATE_BYTES) problems.push("VAPID_PRIVATE_KEY must be a 32-byte P-256 private key in base64url");
    else vapidKeys = { publicKey, privateKey };
  }
  const publicUrl = env.PUBLIC_URL?.trim() ?? "";
  // Push services want a way to reach whoever runs the server: the site when it is https, else a mailto: at this host.
  const subject = env.VAPID_SUBJECT?.trim() || (publicUrl.startsWith("https://") ? publicUrl : `mailto:admin@${hostname() || "localhost"}`);
  if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) problems.push(`VAPID_SUBJECT must be a mailto: address or an https: URL (got "${subject}")`);
  const hosts = env.PUSH_ALLOWED_HOSTS?.trim();
  const allowedHosts = hosts === undefined || hosts === "" ? DEFAULT_PUSH_ALLOWED_HOSTS : hosts.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  return {
    isEnabled: bool("PUSH_ENABLED", true),
    vapidKeys,
    subject,
    allowedHosts,
    ttlSeconds: int("PUSH_TTL_SECONDS", 86_400, 0, 28 * 86_400),
    timeoutMs: int("PUSH_TIMEOUT_MS", 10_000, 100, 120_000),
    maxRetries: int("PUSH_MAX_RETRIES", 3, 0, 20),
    retryBaseMs: int("PUSH_RETRY_BASE_MS", 2000, 1, 3_600_000),
    takeBackMs: int("PUSH_TAKE_BACK_MS", 86_400_000, 0, 28 * 86_400_000),
    queueMax: int("PUSH_QUEUE_MAX", 10_000, 1, 10_000_000),
    targetsAtOnce: int("PUSH_TARGETS_AT_ONCE", 4, 1, 1000),
    maxSubscriptionsPerSession: int("PUSH_MAX_SUBSCRIPTIONS_PER_SESSION", 10, 1, 1000),
    maxRoomsPerSession: int("PUSH_MAX_ROOMS_PER_SESSION", 500, 1, 100_000),
    changesPerMinute: int("PUSH_CHANGES_PER_MINUTE", 30, 1, 100_000),
    changesPerMinutePerAddress: int("PUSH_CHANGES_PER_MINUTE_PER_IP", 300, 1, 1_000_000),
    testService: pushTestService(env, nodeEnv, problems),
  };
}

const base64UrlBytes = (text: string): number => (/^[A-Za-z0-9_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64url").length : -1);

/**
 * The local push service the tests run: honoured only with NODE_ENV=test, and anywhere else a configuration
 * error (an operator who sets it by mistake learns so at start, rather than pushes going to a loopback port).
 */
function pushTestService(env: Env, nodeEnv: string, problems: string[]): PushSettings["testService"] {
  const origin = env.PUSH_TEST_ONLY_SERVICE?.trim() ?? "";
  const caFile = env.PUSH_TEST_ONLY_CA_FILE?.trim() ?? "";
  if (origin === "" && caFile === "") return null;
  if (nodeEnv !== "test") {
    problems.push("PUSH_TEST_ONLY_SERVICE and PUSH_TEST_ONLY_CA_FILE are for the test suite only (NODE_ENV=test)");
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(origin);
  } catch {
    // reported below
  }
  if (url === null || url.protocol !== "https:" || url.hostname !== "127.0.0.1" || url.origin !== origin.replace(/\/+$/, "")) {
    problems.push("PUSH_TEST_ONLY_SERVICE must be an https origin on 127.0.0.1, such as https://127.0.0.1:8443");
    return null;
  }
  try {
    return { origin: url.origin, ca: readFileSync(caFile, "utf8") };
  } catch {
    problems.push(`PUSH_TEST_ONLY_CA_FILE must name a readable PEM file (got "${caFile}")`);
    return null;
  }
}
