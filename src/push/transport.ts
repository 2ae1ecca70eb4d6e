// The one way a Web Push request leaves the server (issue 23). A subscription's endpoint URL comes from a browser,
// so it can name any host: this module sends only over HTTPS on port 443 to the known push services, only to
// public addresses (judged when the socket connects, on the address actually connected to), follows no redirect
// and reads a bounded answer. docs/push-security.md says why each rule is there. Logs nothing: the caller does.
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupOptions } from "node:dns";
import https from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import { BlockList, isIP, isIPv4, type LookupFunction, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { systemClock, type Clock } from "../clock.js";
import { isPublicAddress } from "./public-address.js";

export { isPublicAddress };

export interface PushPolicy {
  /** Host names push may go to (exact, or a suffix match when written with a leading dot: ".push.apple.com"). */
  allowedHosts: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** Test-only: one https origin on loopback that is allowed despite the rules, with its CA (PEM). */
  testService?: { origin: string; ca: string };
}
export interface PushRequest { endpoint: string; method: "POST"; headers: Record<string, string>; body: Buffer }
export type PushOutcome =
  | { kind: "delivered"; status: number }            // 2xx
  | { kind: "gone"; status: 404 | 410 }              // the caller deletes the subscription
  | { kind: "failed"; status?: number; retryAfterMs?: number; message: string }  // caller retries with backoff (429, 5xx, timeouts, resets; parse Retry-After seconds or HTTP date)
  | { kind: "refused"; code: string; message: string }; // policy: never connected (or connection refused at connect time); do not retry

/** The browsers' push services: Chrome (FCM), Firefox (autopush), Safari (web.push.apple.com), Edge (WNS). */
export const DEFAULT_PUSH_ALLOWED_HOSTS: readonly string[] = Object.freeze([
  "fcm.googleapis.com",
  "updates.push.services.mozilla.com",
  ".push.apple.com",
  ".notify.windows.com",
]);

const MAX_ENDPOINT_LENGTH = 1024;
const ADDRESS_REFUSED = "push_address_refused";
const ADDRESS_MISMATCH = "push_address_mismatch";
const TIMED_OUT = "push_timeout";

type EndpointCheck = { ok: true } | { ok: false; code: string; message: string };
const refuse = (code: string, message: string): EndpointCheck => ({ ok: false, code, message });

/**
 * The text-only check (done when a subscription is registered and again before each send): https, port 443
 * (explicit or default), no userinfo, at most 1024 printable ASCII characters, and a host that is one of
 * `allowedHosts`: never an IP literal in any spelling (dotted, decimal "2130706433", hex "0x7f000001", octal
 * "0177.0.0.1", short "127.1", bracketed IPv6 such as "[::ffff:127.0.0.1]"). The one exception is the exact
 * `testService` origin. What the host resolves to is judged later, at connect time, by `sendPushRequest`.
 */
export function checkPushEndpoint(endpoint: string, policy: PushPolicy): { ok: true } | { ok: false; code: string; message: string } {
  if (typeof endpoint !== "string" || endpoint.length > MAX_ENDPOINT_LENGTH) {
    return refuse("push_endpoint_too_long", `a push endpoint is at most ${MAX_ENDPOINT_LENGTH} characters`);
  }
  // Browsers hand out plain ASCII URLs. Refusing spaces, controls, non-ASCII and "\" (which WHATWG reads as "/")
  // keeps what this function judges and what another parser (a log reader, web-push) sees the same.
  if (!/^[\x21-\x7e]+$/.test(endpoint) || endpoint.includes("\\")) {
    return refuse("push_endpoint_invalid", "a push endpoint is a URL of printable ASCII, without spaces or backslashes");
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return refuse("push_endpoint_invalid", "a push endpoint must be an absolute URL");
  }
  if (url.protocol !== "https:") return refuse("push_endpoint_not_https", "a push endpoint must use https");
  const authority = /^https:\/\/([^/?#]*)/i.exec(endpoint)?.[1];
  if (authority === undefined) return refuse("push_endpoint_invalid", "a push endpoint must start with https://");
  // Even an empty "@" counts: "https://@host" is userinfo in one parser and not in another.
  if (authority.includes("@") || url.username !== "" || url.password !== "") {
    return refuse("push_endpoint_userinfo", "a push endpoint must not carry a user name or password");
  }
  if (url.origin === testOrigin(policy)) return { ok: true };
  // WHATWG has already turned "2130706433", "0x7f000001", "0177.0.0.1" and "127.1" into "127.0.0.1", and
  // "[::ffff:127.0.0.1]" into "[::ffff:7f00:1]": after parsing an IP literal is dotted IPv4 or bracketed.
  if (isIpLiteral(url.hostname)) return refuse("push_endpoint_ip_literal", "a push endpoint must name a push service, not an IP address");
  if (url.port !== "") return refuse("push_endpoint_port", "a push endpoint must use port 443");
  if (!isAllowedHost(url.hostname, policy.allowedHosts)) {
    return refuse("push_endpoint_host_not_allowed", `${url.hostname} is not a known push service`);
  }
  return { ok: true };
}

function isIpLiteral(hostname: string): boolean {
  // The last test is WHATWG's "ends in a number": such a host is either parsed as IPv4 or rejected, so it can
  // only reach here through a parser that disagrees; refused all the same.
  return hostname.startsWith("[") || isIP(hostname) !== 0 || /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i.test(hostname);
}

function isAllowedHost(hostname: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry.startsWith(".")) return isHostName(entry) && hostname === entry;
    const suffix = entry.slice(1);
    // A suffix needs two labels: ".com" would let every .com host in.
    return isHostName(suffix) && suffix.includes(".") && hostname.endsWith(entry);
  });
}

function isHostName(name: string): boolean {
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(name) && !isIpLiteral(name);
}

/** The test-only origin, when the policy names one that is https on loopback; null otherwise. */
function testOrigin(policy: PushPolicy): string | null {
  if (policy.testService === undefined) return null;
  let url: URL;
  try {
    url = new URL(policy.testService.origin);
  } catch {
    return null;
  }
  const isOrigin = url.username === "" && url.password === "" && url.pathname === "/" && url.search === "" && url.hash === "";
  const isLoopback = url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  return url.protocol === "https:" && isLoopback && isOrigin ? url.origin : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Sending.

export interface ResolvedAddress { address: string; family: number }
/** Every address a host name resolves to (dns.lookup with all: true by default). */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface PushTransportDeps {
  /** Test seam: make a name resolve to a chosen address without DNS. */
  resolve?: ResolveHost;
  /** For Retry-After given as an HTTP date. */
  clock?: Clock;
}

export interface PushTransport {
  send(request: PushRequest, policy: PushPolicy): Promise<PushOutcome>;
  /** Closes pooled connections. */
  close(): void;
}

const resolveWithDns: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function codedError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** `ip`'s family as BlockList names it. */
const familyOf = (ip: string): "ipv4" | "ipv6" => (isIPv4(ip) ? "ipv4" : "ipv6");

/**
 * Resolves, then refuses unless every address is public: a name that also points somewhere private is not one to
 * trust with the rest. The addresses that passed go into `passed`, so the socket's peer can be compared after connect.
 */
function checkedLookup(resolve: ResolveHost, passed: BlockList): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const fail = (err: NodeJS.ErrnoException) => () => callback(err, []);
    const judge = (found: readonly ResolvedAddress[]) => {
      const bad = found.find((a) => !isPublicAddress(a.address));
      if (bad !== undefined) return fail(codedError(ADDRESS_REFUSED, `${hostname} resolves to ${bad.address}, which is not a public address`));
      const first = found[0];
      if (first === undefined) return fail(codedError("ENOTFOUND", `${hostname} resolves to no address`));
      for (const a of found) passed.addAddress(a.address, familyOf(a.address));
      return options.all === true ? () => callback(null, [...found]) : () => callback(null, first.address, first.family);
    };
    Promise.resolve()
      .then(() => resolve(hostname))
      .then(judge, fail)
      .catch(fail)
      // Node's callback runs outside the promise chain, so a throw in it is not swallowed as a rejection.
      .then((call) => process.nextTick(call));
  };
}

/** An agent whose every connection goes through `checkedLookup`, remembering per socket what it let through. */
class CheckedAgent extends https.Agent {
  readonly #passed = new WeakMap<Duplex, BlockList>();
  readonly #resolve: ResolveHost;

  constructor(resolve: ResolveHost) {
    super({ keepAlive: true });
    this.#resolve = resolve;
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const passed = new BlockList();
    const socket = super.createConnection({ ...options, lookup: checkedLookup(this.#resolve, passed) }, callback);
    if (socket) this.#passed.set(socket, passed);
    return socket;
  }

  /** The addresses the lookup let through for this socket (none when it made no lookup). */
  addressesPassed(socket: Duplex): BlockList {
    return this.#passed.get(socket) ?? new BlockList();
  }
}

export function createPushTransport(deps: PushTransportDeps = {}): PushTransport {
  const agent = new CheckedAgent(deps.resolve ?? resolveWithDns);
  const clock = deps.clock ?? systemClock;
  return {
    send: (request, policy) =>
      new Promise<PushOutcome>((resolve) => {
        try {
          startSend(request, policy, agent, clock, resolve);
        } catch (err) {
          resolve({ kind: "failed", message: `push request failed: ${describe(err)}` });
        }
      }),
    close: () => agent.destroy(),
  };
}

let sharedTransport: PushTransport | undefined;

export function sendPushRequest(request: PushRequest, policy: PushPolicy): Promise<PushOutcome> {
  sharedTransport ??= createPushTransport();
  return sharedTransport.send(request, policy);
}

function startSend(request: PushRequest, policy: PushPolicy, agent: CheckedAgent, clock: Clock, settle: (o: PushOutcome) => void): void {
  const check = checkPushEndpoint(request.endpoint, policy);
  if (!check.ok) return settle({ kind: "refused", code: check.code, message: check.message });
  const problem = requestProblem(request);
  if (problem !== null) return settle({ kind: "refused", code: "push_request_invalid", message: problem });

  const url = new URL(request.endpoint);
  const isTest = url.origin === testOrigin(policy);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== "content-length"));
  let outgoing: ClientRequest;
  try {
    outgoing = https.request({
      agent,
      hostname,
      port: url.port === "" ? 443 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { ...headers, "content-length": String(request.body.length) },
      // SNI and the certificate check use the name; the test service is an IP, checked against its own CA only.
      ...(isTest ? { ca: policy.testService?.ca } : { servername: hostname }),
    });
  } catch (err) {
    return settle({ kind: "refused", code: "push_request_invalid", message: `the request cannot be sent: ${describe(err)}` });
  }

  let isSettled = false;
  const timer = setTimeout(() => outgoing.destroy(codedError(TIMED_OUT, `no answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
  const finish = (outcome: PushOutcome): void => {
    if (isSettled) return;
    isSettled = true;
    clearTimeout(timer);
    settle(outcome);
  };

  outgoing.on("socket", (socket: Socket) => {
    const verify = (): void => {
      const mismatch = connectedAddressProblem(socket, isTest ? testAddress(hostname) : agent.addressesPassed(socket), isTest);
      if (mismatch !== null) socket.destroy(codedError(ADDRESS_MISMATCH, mismatch));
    };
    // A new socket is checked on TCP connect, before TLS finishes and so before any of the request is sent; a
    // pooled one was checked when it connected and is checked again here.
    if (socket.pending) socket.once("connect", verify);
    else verify();
  });
  outgoing.on("error", (err) => finish(outcomeForError(err)));
  outgoing.on("response", (response) => onResponse(response, policy, clock, finish, () => outgoing.destroy()));
  outgoing.end(request.body);
}

function requestProblem(request: PushRequest): string | null {
  if (request.method !== "POST") return "push requests are POST";
  if (!Buffer.isBuffer(request.body)) return "the body must be a Buffer";
  if (typeof request.headers !== "object" || request.headers === null) return "headers must be an object";
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value !== "string") return `header ${name} must be a string`;
    // The Host header follows the endpoint; another value would ask the service for a different site.
    if (name.toLowerCase() === "host") return "the Host header comes from the endpoint";
  }
  return null;
}

function testAddress(ip: string): BlockList {
  const list = new BlockList();
  list.addAddress(ip, familyOf(ip));
  return list;
}

/** Why the socket's peer is not an address that passed the check, or null when it is. */
function connectedAddressProblem(socket: Socket, passed: BlockList, isTest: boolean): string | null {
  const remote = socket.remoteAddress;
  if (remote === undefined || isIP(remote) === 0) return "the connected address is unknown";
  if (!passed.check(remote, familyOf(remote))) return `connected to ${remote}, which is not the address that was checked`;
  if (!isTest && !isPublicAddress(remote)) return `connected to ${remote}, which is not a public address`;
  return null;
}

function onResponse(response: IncomingMessage, policy: PushPolicy, clock: Clock, finish: (o: PushOutcome) => void, abort: () => void): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    // Never followed, and nothing of it is read: the Location could point anywhere. `failed`, not `refused`: the
    // service answered, and a redirect from a real push service is its own fault, which may pass.
    finish({ kind: "failed", status, message: `the push service answered ${status} (a redirect); redirects are never followed` });
    abort();
    return;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  const done = (): void => {
    finish(outcomeForStatus(status, Buffer.concat(chunks).toString("utf8"), response.headers["retry-after"], clock));
  };
  response.on("data", (chunk: Buffer) => {
    const room = policy.maxResponseBytes - bytes;
    chunks.push(chunk.subarray(0, Math.max(0, room)));
    bytes += chunk.length;
    if (bytes > policy.maxResponseBytes) {
      done();
      abort(); // the rest is never read: the socket goes, and with it whatever was still coming
    }
  });
  response.on("end", done);
  response.on("error", done);
  response.on("close", done);
}

function outcomeForStatus(status: number, body: string, retryAfter: string | undefined, clock: Clock): PushOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  if (status === 404 || status === 410) return { kind: "gone", status };
  const excerpt = body.replace(/[^\x21-\x7e]+/g, " ").trim().slice(0, 200);
  const outcome: PushOutcome = { kind: "failed", status, message: `the push service answered ${status}${excerpt === "" ? "" : `: ${excerpt}`}` };
  const retryAfterMs = parseRetryAfterMs(retryAfter, clock);
  return retryAfterMs === undefined ? outcome : { ...outcome, retryAfterMs };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3), in ms from now; undefined when absent or unreadable. */
function parseRetryAfterMs(value: string | undefined, clock: Clock): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now().getTime());
}

function outcomeForError(err: NodeJS.ErrnoException): PushOutcome {
  const code = err.code ?? "";
  if (code === ADDRESS_REFUSED || code === ADDRESS_MISMATCH) return { kind: "refused", code, message: err.message };
  if (code === TIMED_OUT) return { kind: "failed", message: `the push service timed out: ${err.message}` };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return { kind: "failed", message: `the push service's TLS certificate was not accepted: ${err.message} (${code})` };
  }
  return { kind: "failed", message: `could not reach the push service: ${describe(err)}` };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? err.message : `${err.message} (${code})`;
}
