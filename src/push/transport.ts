// How a push request leaves this server. PLACEHOLDER: a deliberately simple body (plain https.request, the
// test service's CA passed through, no address policy). The SSRF-safe version (issue 23) is written in
// another branch with exactly this exported surface and replaces this file at merge; nothing else may rely on
// more than the surface below.
import { request } from "node:https";

export interface PushPolicy {
  /** Host names push may go to (exact or suffix match: "push.services.mozilla.com", ".notify.windows.com"). */
  allowedHosts: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** Test-only: one https origin on loopback that is allowed despite the rules, with its CA (PEM). */
  testService?: { origin: string; ca: string };
}
export interface PushRequest {
  endpoint: string;
  method: "POST";
  headers: Record<string, string>;
  body: Buffer;
}
export type PushOutcome =
  | { kind: "delivered"; status: number } // 2xx
  | { kind: "gone"; status: 404 | 410 } // delete the subscription
  | { kind: "failed"; status?: number; retryAfterMs?: number; message: string } // retry with backoff
  | { kind: "refused"; code: string; message: string }; // policy: never connected; do not retry

const hostAllowed = (host: string, allowed: readonly string[]): boolean =>
  allowed.some((a) => (a.startsWith(".") ? host.endsWith(a) && host.length > a.length : host === a));

/** Placeholder: https, and a listed host (or the test service's origin). */
export function checkPushEndpoint(endpoint: string, policy: PushPolicy): { ok: true } | { ok: false; code: string; message: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, code: "invalid_endpoint", message: "The endpoint is not a URL." };
  }
  if (policy.testService !== undefined && url.origin === policy.testService.origin) return { ok: true };
  if (url.protocol !== "https:") return { ok: false, code: "not_https", message: "Push endpoints are https URLs." };
  if (!hostAllowed(url.hostname.toLowerCase(), policy.allowedHosts)) return { ok: false, code: "host_not_allowed", message: "This push service is not on the server's list." };
  return { ok: true };
}

/** Placeholder: one plain https request; the status decides the outcome. */
export function sendPushRequest(req: PushRequest, policy: PushPolicy): Promise<PushOutcome> {
  const checked = checkPushEndpoint(req.endpoint, policy);
  if (!checked.ok) return Promise.resolve({ kind: "refused", code: checked.code, message: checked.message });
  const isTest = policy.testService !== undefined && new URL(req.endpoint).origin === policy.testService.origin;
  return new Promise((resolve) => {
    const r = request(req.endpoint, { method: req.method, headers: req.headers, timeout: policy.timeoutMs, ...(isTest ? { ca: policy.testService?.ca } : {}) }, (res) => {
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxResponseBytes) res.destroy();
      });
      res.on("close", () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ kind: "delivered", status });
        else if (status === 404 || status === 410) resolve({ kind: "gone", status });
        else {
          const retryAfter = Number(res.headers["retry-after"]);
          resolve({ kind: "failed", status, message: `push service answered ${status}`, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}) });
        }
      });
    });
    r.on("timeout", () => r.destroy(new Error("timed out")));
    r.on("error", (err) => resolve({ kind: "failed", message: err.message }));
    r.end(req.body);
  });
}
