// Web Push endpoints come from browsers, so each is an attack on the server's network until proven otherwise
// (issue 23, docs/push-security.md). Every attack here is refused before a socket connects; the positive paths run
// against a real HTTPS service on loopback, allowed through the test-only `testService` origin.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { createManualClock } from "../src/clock.js";
import {
  DEFAULT_PUSH_ALLOWED_HOSTS,
  checkPushEndpoint,
  createPushTransport,
  isPublicAddress,
  sendPushRequest,
  type PushPolicy,
  type PushRequest,
  type ResolveHost,
} from "../src/push/transport.js";

interface Tls { key: string; cert: string }

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI in `dir`. */
function makeCertificate(dir: string, name: string): Tls {
  const [key, cert] = [join(dir, `${name}-key.pem`), join(dir, `${name}-cert.pem`)];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

let dir: string;
let tls: Tls;
let otherTls: Tls;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "push-transport-"));
  tls = makeCertificate(dir, "service");
  otherTls = makeCertificate(dir, "other");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plain TCP server on loopback that only counts the connections it gets. */
async function startCounter(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Seen { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer; closed: Promise<void> }

/** An HTTPS push service on 127.0.0.1 that records each request, then lets `answer` respond (or not). */
async function startService(answer: (res: ServerResponse) => void) {
  const requests: Seen[] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.on("close", resolve));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks), closed });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = (): Promise<void> => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  onTestFinished(close);
  return { port, origin: `https://127.0.0.1:${port}`, requests };
}

const aPolicy = (overrides: Partial<PushPolicy> = {}): PushPolicy => ({
  allowedHosts: DEFAULT_PUSH_ALLOWED_HOSTS,
  timeoutMs: 5000,
  maxResponseBytes: 4096,
  ...overrides,
});

const aPush = (endpoint: string, overrides: Partial<PushRequest> = {}): PushRequest => ({
  endpoint,
  method: "POST",
  headers: { ttl: "60", "content-encoding": "aes128gcm", authorization: "vapid t=abc, k=def" },
  body: Buffer.from([0, 1, 2, 250, 251, 252]),
  ...overrides,
});

/** Counts the sockets the https agent creates from now on, and how many of them connect. */
function watchSockets(): { created: () => number; connected: () => number } {
  const original = https.Agent.prototype.createConnection;
  let [created, connected] = [0, 0];
  const spy = vi.spyOn(https.Agent.prototype, "createConnection").mockImplementation(function (this: https.Agent, ...args) {
    created += 1;
    const socket = original.apply(this, args);
    socket?.on("connect", () => (connected += 1));
    return socket;
  });
  onTestFinished(() => spy.mockRestore());
  return { created: () => created, connected: () => connected };
}

/** Each attack: the endpoint ({port} is the counting server's) and the code it is refused with. */
const ATTACKS: readonly (readonly [string, string])[] = [
  ["https://127.0.0.1/fcm/send/x", "push_endpoint_ip_literal"],
  ["https://127.0.0.1:{port}/", "push_endpoint_ip_literal"],
  ["https://169.254.169.254/latest/meta-data", "push_endpoint_ip_literal"],
  ["https://2130706433/", "push_endpoint_ip_literal"],
  ["https://2130706433:{port}/", "push_endpoint_ip_literal"],
  ["https://0x7f000001/", "push_endpoint_ip_literal"],
  ["https://0177.0.0.1/", "push_endpoint_ip_literal"],
  ["https://0x7f.1/", "push_endpoint_ip_literal"],
  ["https://127.1/", "push_endpoint_ip_literal"],
  ["https://0/", "push_endpoint_ip_literal"],
  ["https://[::1]/", "push_endpoint_ip_literal"],
  ["https://[::ffff:127.0.0.1]/", "push_endpoint_ip_literal"],
  ["https://[::ffff:127.0.0.1]:{port}/", "push_endpoint_ip_literal"],
  ["https://[::ffff:7f00:1]/", "push_endpoint_ip_literal"],
  ["https://[fe80::1%25eth0]/", "push_endpoint_invalid"],
  ["http://fcm.googleapis.com/fcm/send/x", "push_endpoint_not_https"],
  ["file:///etc/passwd", "push_endpoint_not_https"],
  ["https://user:pw@fcm.googleapis.com/", "push_endpoint_userinfo"],
  ["https://@fcm.googleapis.com/", "push_endpoint_userinfo"],
  ["https://127.0.0.1:{port}@fcm.googleapis.com/", "push_endpoint_userinfo"],
  ["https://fcm.googleapis.com\\@evil.example/", "push_endpoint_invalid"],
  ["https://fcm.googleapis.com /x", "push_endpoint_invalid"],
  [`https://fcm.googleapis.com/${"a".repeat(1010)}`, "push_endpoint_too_long"],
  ["https://evil.example/", "push_endpoint_host_not_allowed"],
  ["https://fcm.googleapis.com.evil.example/", "push_endpoint_host_not_allowed"],
  ["https://evilfcm.googleapis.com/", "push_endpoint_host_not_allowed"],
  ["https://fcm.googleapis.com./", "push_endpoint_host_not_allowed"],
  ["https://push.apple.com.evil.example/", "push_endpoint_host_not_allowed"],
  ["https://169.254.169.254.nip.io/", "push_endpoint_host_not_allowed"],
  ["https://localhost/", "push_endpoint_host_not_allowed"],
  ["https://fcm.googleapis.com:8443/", "push_endpoint_port"],
  ["https://fcm.googleapis.com:{port}/", "push_endpoint_port"],
];

describe("attacks refused without a connection being made", () => {
  let counter: Awaited<ReturnType<typeof startCounter>>;
  beforeAll(async () => {
    counter = await startCounter();
  });
  afterAll(() => counter.close());

  for (const withTestService of [false, true]) {
    const setting = withTestService ? "with a test service on another port" : "with the default policy";
    for (const [template, code] of ATTACKS) {
      it(`${setting}: refuses ${template.slice(0, 60)} with ${code}, no lookup, no socket`, async () => {
        const service = withTestService ? await startService((res) => res.writeHead(201).end()) : undefined;
        const policy = aPolicy(service ? { testService: { origin: service.origin, ca: tls.cert } } : {});
        const endpoint = template.replace("{port}", String(counter.port));
        const sockets = watchSockets();
        const resolve = vi.fn<ResolveHost>(async () => [{ address: "127.0.0.1", family: 4 }]);
        const transport = createPushTransport({ resolve });
        onTestFinished(() => transport.close());

        expect(checkPushEndpoint(endpoint, policy)).toEqual({ ok: false, code, message: expect.any(String) });
        expect(await sendPushRequest(aPush(endpoint), policy)).toEqual({ kind: "refused", code, message: expect.any(String) });
        expect(await transport.send(aPush(endpoint), policy)).toEqual({ kind: "refused", code, message: expect.any(String) });

        expect(resolve).not.toHaveBeenCalled();
        expect(sockets.created()).toBe(0);
        expect(counter.connections()).toBe(0);
        expect(service?.requests ?? []).toEqual([]);
      });
    }
  }
});

describe("a host name that resolves to a non-public address", () => {
  const RESOLVED_TO = [
    ["10.0.0.5"],
    ["::ffff:192.168.1.1"],
    ["169.254.169.254"],
    ["fd00::1"],
    ["64:ff9b::a00:5"], // NAT64 for 10.0.0.5
    ["2002:a9fe:a9fe::1"], // 6to4 for 169.254.169.254
    ["8.8.8.8", "10.0.0.5"], // one private address among public ones is enough
    ["2606:4700::1111", "::1"],
  ];

  for (const addresses of RESOLVED_TO) {
    it(`refuses push.example.test resolving to ${addresses.join(", ")} with push_address_refused, before connecting`, async () => {
      const sockets = watchSockets();
      const resolve = vi.fn<ResolveHost>(async () => addresses.map((address) => ({ address, family: net.isIP(address) })));
      const transport = createPushTransport({ resolve });
      onTestFinished(() => transport.close());
      const policy = aPolicy({ allowedHosts: ["push.example.test"] });

      const outcome = await transport.send(aPush("https://push.example.test/send/1"), policy);

      expect(outcome).toEqual({ kind: "refused", code: "push_address_refused", message: expect.stringContaining("not a public address") });
      expect(resolve).toHaveBeenCalledWith("push.example.test");
      expect(sockets.created()).toBe(1); // the lookup runs inside the socket's connect...
      expect(sockets.connected()).toBe(0); // ...and refuses before any TCP connection
    });
  }

  it("refuses localhost through real DNS when an operator allows it by name (PUSH_ALLOWED_HOSTS=localhost)", async () => {
    const sockets = watchSockets();
    const transport = createPushTransport();
    onTestFinished(() => transport.close());

    const outcome = await transport.send(aPush("https://localhost/send/1"), aPolicy({ allowedHosts: ["localhost"] }));

    expect(outcome).toEqual({ kind: "refused", code: "push_address_refused", message: expect.stringMatching(/localhost resolves to (127\.0\.0\.1|::1)/) });
    expect(sockets.connected()).toBe(0);
  });

  it("gives failed, not a throw, when the name does not resolve", async () => {
    const transport = createPushTransport({ resolve: async () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" })) });
    onTestFinished(() => transport.close());
    const outcome = await transport.send(aPush("https://push.example.test/x"), aPolicy({ allowedHosts: ["push.example.test"] }));
    expect(outcome).toEqual({ kind: "failed", message: expect.stringContaining("ENOTFOUND") });
  });
});

describe("redirects are never followed", () => {
  for (const [status, location] of [
    [302, "https://169.254.169.254/latest/meta-data"],
    [307, "https://127.0.0.1:{port}/"],
    [308, "https://127.0.0.1:{port}/"],
  ] as const) {
    it(`answers ${status} to ${location} with failed, and the target sees no connection`, async () => {
      const counter = await startCounter();
      onTestFinished(counter.close);
      const target = location.replace("{port}", String(counter.port));
      const service = await startService((res) => res.writeHead(status, { location: target }).end("moved"));
      const transport = createPushTransport();
      onTestFinished(() => transport.close());
      const sockets = watchSockets();

      const outcome = await transport.send(aPush(`${service.origin}/send/1`), aPolicy({ testService: { origin: service.origin, ca: tls.cert } }));

      expect(outcome).toEqual({ kind: "failed", status, message: expect.stringContaining("redirects are never followed") });
      expect(service.requests).toHaveLength(1);
      expect(sockets.created()).toBe(1);
      expect(counter.connections()).toBe(0);
    });
  }
});

describe("the test service: what a push service answers becomes an outcome", () => {
  async function sendTo(answer: (res: ServerResponse) => void, policy: Partial<PushPolicy> = {}, request: Partial<PushRequest> = {}) {
    const service = await startService(answer);
    const clock = createManualClock();
    const transport = createPushTransport({ clock });
    onTestFinished(() => transport.close());
    const outcome = await transport.send(aPush(`${service.origin}/push/abc?x=1`, request), aPolicy({ testService: { origin: service.origin, ca: tls.cert }, ...policy }));
    return { outcome, service, clock };
  }

  it("201 is delivered, with the body and headers arriving as sent", async () => {
    const body = Buffer.from([0, 255, 1, 254, 10, 13]);
    const { outcome, service } = await sendTo((res) => res.writeHead(201).end(), {}, { body, headers: { ttl: "60", urgency: "high", "content-encoding": "aes128gcm", "content-length": "999" } });

    expect(outcome).toEqual({ kind: "delivered", status: 201 });
    expect(service.requests).toHaveLength(1);
    const [seen] = service.requests;
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/push/abc?x=1");
    expect(seen?.body.equals(body)).toBe(true);
    expect(seen?.headers).toMatchObject({ ttl: "60", urgency: "high", "content-encoding": "aes128gcm", "content-length": "6" }); // the length is the body's own
  });

  it("sendPushRequest (the shared transport) delivers too", async () => {
    const service = await startService((res) => res.writeHead(201).end());
    const policy = aPolicy({ testService: { origin: service.origin, ca: tls.cert } });
    expect(await sendPushRequest(aPush(`${service.origin}/x`), policy)).toEqual({ kind: "delivered", status: 201 });
  });

  it("410 and 404 are gone", async () => {
    expect((await sendTo((res) => res.writeHead(410).end())).outcome).toEqual({ kind: "gone", status: 410 });
    expect((await sendTo((res) => res.writeHead(404).end())).outcome).toEqual({ kind: "gone", status: 404 });
  });

  it("429 with Retry-After in seconds is failed with retryAfterMs", async () => {
    const { outcome } = await sendTo((res) => res.writeHead(429, { "retry-after": "120" }).end("slow down"));
    expect(outcome).toEqual({ kind: "failed", status: 429, retryAfterMs: 120_000, message: "the push service answered 429: slow down" });
  });

  it("503 with Retry-After as an HTTP date is failed with the time until then", async () => {
    const at = new Date(createManualClock().now().getTime() + 30_000).toUTCString(); // whole seconds: ms are cut
    const { outcome, clock } = await sendTo((res) => res.writeHead(503, { "retry-after": at }).end());
    expect(outcome).toMatchObject({ kind: "failed", status: 503, retryAfterMs: Date.parse(at) - clock.now().getTime() });
    expect(outcome).toMatchObject({ retryAfterMs: expect.toSatisfy((ms: number) => ms > 29_000 && ms <= 30_000) });
  });

  it("500 is failed, and an unreadable Retry-After is left out", async () => {
    const { outcome } = await sendTo((res) => res.writeHead(500, { "retry-after": "soon" }).end());
    expect(outcome).toEqual({ kind: "failed", status: 500, message: "the push service answered 500" });
  });

  it("400 is failed with the service's reason, cut to printable text", async () => {
    const { outcome } = await sendTo((res) => res.writeHead(400).end("bad\r\nrequest\u0000 x"));
    expect(outcome).toEqual({ kind: "failed", status: 400, message: "the push service answered 400: bad request x" });
  });

  for (const status of [201, 500]) {
    it(`a body that never ends (status ${status}): the outcome comes after maxResponseBytes and the connection is closed`, async () => {
      const chunk = Buffer.alloc(16 * 1024, "x");
      const { outcome, service } = await sendTo(
        (res) => {
          res.writeHead(status);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
          };
          res.on("drain", pump);
          pump();
        },
        { maxResponseBytes: 1024, timeoutMs: 10_000 },
      );

      expect(outcome).toMatchObject({ kind: status === 201 ? "delivered" : "failed", status });
      if (outcome.kind === "failed") expect(outcome.message.length).toBeLessThan(260);
      await service.requests[0]?.closed; // the client destroyed the socket; the stream would go on forever otherwise
    });
  }

  it("a service that never answers is failed after timeoutMs, and the connection is closed", async () => {
    const { outcome, service } = await sendTo(() => undefined, { timeoutMs: 200 });
    expect(outcome).toEqual({ kind: "failed", message: "the push service timed out: no answer within 200 ms" });
    await service.requests[0]?.closed;
  });

  it("a certificate from another CA is failed, and nothing reaches the service", async () => {
    const service = await startService((res) => res.writeHead(201).end());
    const transport = createPushTransport();
    onTestFinished(() => transport.close());
    const outcome = await transport.send(aPush(`${service.origin}/x`), aPolicy({ testService: { origin: service.origin, ca: otherTls.cert } }));
    expect(outcome).toEqual({ kind: "failed", message: expect.stringContaining("certificate") });
    expect(service.requests).toEqual([]);
  });

  it("a request that is not a well-formed POST is refused before connecting", async () => {
    const service = await startService((res) => res.writeHead(201).end());
    const policy = aPolicy({ testService: { origin: service.origin, ca: tls.cert } });
    const transport = createPushTransport();
    onTestFinished(() => transport.close());
    const refusedWith = { kind: "refused", code: "push_request_invalid", message: expect.any(String) };

    expect(await transport.send(aPush(`${service.origin}/x`, { headers: { host: "metadata.google.internal" } }), policy)).toEqual(refusedWith);
    expect(await transport.send(aPush(`${service.origin}/x`, { headers: { ttl: "60\r\nx-evil: 1" } }), policy)).toEqual(refusedWith);
    expect(await transport.send({ ...aPush(`${service.origin}/x`), method: "GET" as "POST" }, policy)).toEqual(refusedWith);
    expect(service.requests).toEqual([]);
  });
});

describe("testService does not widen anything", () => {
  it("allows only its exact origin: another port, another spelling of the host, or http are refused", async () => {
    const service = await startService((res) => res.writeHead(201).end());
    const counter = await startCounter();
    onTestFinished(counter.close);
    const policy = aPolicy({ testService: { origin: service.origin, ca: tls.cert } });
    const sockets = watchSockets();

    for (const endpoint of [`https://127.0.0.1:${counter.port}/`, `https://localhost:${service.port}/`, `http://127.0.0.1:${service.port}/`, `https://[::1]:${service.port}/`]) {
      expect(await sendPushRequest(aPush(endpoint), policy)).toMatchObject({ kind: "refused" });
    }
    expect(sockets.created()).toBe(0);
    expect(counter.connections()).toBe(0);
    expect(service.requests).toEqual([]);
  });

  it("is ignored unless it is an https origin on 127.0.0.1 or [::1]", () => {
    for (const origin of ["https://evil.example", "https://10.0.0.1:8443", "http://127.0.0.1:8443", "https://127.0.0.1:8443/path", "https://u:p@127.0.0.1:8443", "not a url"]) {
      const policy = aPolicy({ testService: { origin, ca: tls.cert } });
      const endpoint = origin.startsWith("https://") ? origin.replace(/\/path$/, "").replace("u:p@", "") + "/x" : "https://127.0.0.1:8443/x";
      expect(checkPushEndpoint(endpoint, policy)).toMatchObject({ ok: false });
    }
  });
});

describe("checkPushEndpoint accepts what browsers hand out", () => {
  it.each([
    "https://fcm.googleapis.com/fcm/send/eEsw5ryoAzo:APA91bHC-x_y",
    "https://fcm.googleapis.com:443/fcm/send/abc",
    "https://FCM.googleapis.com/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk-abc_def",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAD",
  ])("%s", (endpoint) => {
    expect(checkPushEndpoint(endpoint, aPolicy())).toEqual({ ok: true });
  });

  it("reads allowedHosts as exact names or dotted suffixes of two labels or more, ignoring IPs and bare TLDs", () => {
    const check = (endpoint: string, allowedHosts: string[]) => checkPushEndpoint(endpoint, aPolicy({ allowedHosts })).ok;
    expect(check("https://push.example.org/x", [" Push.Example.ORG "])).toBe(true);
    expect(check("https://a.push.example.org/x", [".push.example.org"])).toBe(true);
    expect(check("https://push.example.org/x", [".push.example.org"])).toBe(false); // a suffix is not the name itself
    expect(check("https://example.com/x", [".com"])).toBe(false);
    expect(check("https://127.0.0.1/x", ["127.0.0.1"])).toBe(false);
    expect(check("https://[::1]/x", ["::1", "[::1]"])).toBe(false);
    expect(check("https://anything.example/x", ["."])).toBe(false);
    expect(check("https://fcm.googleapis.com/x", [])).toBe(false);
  });
});

describe("isPublicAddress", () => {
  it.each([
    "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001:80b::200a", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
    // just outside each refused IPv4 range
    "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255",
    "169.255.0.0", "172.15.255.255", "172.32.0.0", "191.255.255.255", "192.0.1.0", "192.0.3.0", "192.88.98.255", "192.88.100.0",
    "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255",
    "203.0.114.0", "223.255.255.255",
    // just outside each refused IPv6 range
    "2000::", "2001:200::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "3ffe:ffff::", "3fff:1000::",
    "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  ])("%s is public", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    // each refused IPv4 range, first and last address
    "0.0.0.0", "0.255.255.255", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.0.0.0", "127.0.0.1",
    "127.255.255.255", "169.254.0.0", "169.254.169.254", "169.254.255.255", "172.16.0.0", "172.31.255.255", "192.0.0.0",
    "192.0.0.255", "192.0.2.0", "192.0.2.255", "192.88.99.0", "192.88.99.255", "192.168.0.0", "192.168.255.255", "198.18.0.0",
    "198.19.255.255", "198.51.100.0", "198.51.100.255", "203.0.113.0", "203.0.113.255", "224.0.0.0", "239.255.255.255",
    "240.0.0.0", "255.255.255.254", "255.255.255.255",
    // IPv6: unspecified, loopback, unique-local, link-local, site-local, multicast, documentation, Teredo, outside 2000::/3
    "::", "::1", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fec0::1", "ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
    "100::1", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "4000::", "5f00::1",
    // IPv4 inside IPv6, judged as the IPv4 address: mapped, NAT64, 6to4; the deprecated IPv4-compatible form; SIIT
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::FFFF:7F00:1", "::ffff:10.0.0.1", "::ffff:a9fe:a9fe", "::ffff:0.0.0.0",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::192.168.1.1", "64:ff9b:1::808:808", "2002:7f00:1::", "2002:a00:1::1",
    "2002:c0a8:101::1", "::127.0.0.1", "::8.8.8.8", "::ffff:0:7f00:1",
    // a zone, and strings that are not one canonical address
    "fe80::1%eth0", "2606:4700::1111%1", "", "localhost", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "1.2.3.4.5", "[::1]",
  ])("%s is not public", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});
