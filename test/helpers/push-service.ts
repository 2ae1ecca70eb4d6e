// A local push service for the Web Push tests (issue 23): HTTPS on 127.0.0.1, port 0, with a self-signed
// certificate made at test time by the openssl CLI. It records every push it gets and answers with the status a
// test asks for; subscriptions made for it hold a real P-256 key pair and auth secret, so what arrives can be
// decrypted (http_ece, aes128gcm) and its VAPID JWT checked against the server's public key.
import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

interface Ece {
  decrypt(buffer: Buffer, params: { version: "aes128gcm"; privateKey: ECDH; authSecret: Buffer }): Buffer;
}
// http_ece ships no types: loaded through require, typed by the one call the tests make.
const ece = createRequire(import.meta.url)("http_ece") as Ece;

export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  status: number;
  at: number;
}

export interface TestSubscription {
  endpoint: string;
  path: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
  authSecret: Buffer;
  /** The body as the page sends it to POST /api/push/subscription. */
  json: { endpoint: string; keys: { p256dh: string; auth: string }; expirationTime: null };
}

export interface PushServiceDouble {
  origin: string;
  caFile: string;
  ca: string;
  /** Every push received so far, in order. */
  received: ReceivedPush[];
  /** Env for loadConfig: NODE_ENV=test and the test-only pair. */
  env: Record<string, string>;
  subscription(): TestSubscription;
  /** The answers for a subscription's next pushes, in order (then 201 again). */
  respond(sub: TestSubscription, ...statuses: number[]): void;
  /** Resolves with the `count`-th push (1-based, counting from all so far) for the subscription; rejects after timeoutMs. */
  nth(sub: TestSubscription, count: number, timeoutMs?: number): Promise<ReceivedPush>;
  pushesFor(sub: TestSubscription): ReceivedPush[];
  decrypt(push: ReceivedPush, sub: TestSubscription): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushServiceDouble> {
  const dir = mkdtempSync(join(tmpdir(), "mr-push-"));
  const keyFile = join(dir, "key.pem");
  const caFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", keyFile, "-out", caFile],
    { stdio: "ignore" },
  );
  const ca = readFileSync(caFile, "utf8");
  const received: ReceivedPush[] = [];
  const answers = new Map<string, number[]>();
  const waiters: (() => void)[] = [];

  const server: Server = createServer({ key: readFileSync(keyFile), cert: ca }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      const status = answers.get(path)?.shift() ?? 201;
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks), status, at: Date.now() });
      res.writeHead(status, status === 429 || status === 503 ? { "Retry-After": "0" } : {}).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pushesFor = (sub: TestSubscription): ReceivedPush[] => received.filter((r) => r.path === sub.path);

  return {
    origin,
    caFile,
    ca,
    received,
    env: { NODE_ENV: "test", PUSH_TEST_ONLY_SERVICE: origin, PUSH_TEST_ONLY_CA_FILE: caFile },
    subscription() {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const path = `/push/${randomUUID()}`;
      const keys = { p256dh: ecdh.getPublicKey().toString("base64url"), auth: authSecret.toString("base64url") };
      return { endpoint: origin + path, path, keys, ecdh, authSecret, json: { endpoint: origin + path, keys, expirationTime: null } };
    },
    respond(sub, ...statuses) {
      answers.set(sub.path, statuses);
    },
    pushesFor,
    nth(sub, count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`push #${count} for ${sub.path} did not arrive within ${timeoutMs} ms (got ${pushesFor(sub).length})`)), timeoutMs);
        const check = (): void => {
          const found = pushesFor(sub)[count - 1];
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
    decrypt(push, sub) {
      return JSON.parse(ece.decrypt(push.body, { version: "aes128gcm", privateKey: sub.ecdh, authSecret: sub.authSecret }).toString("utf8")) as Record<string, unknown>;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface VapidCheck {
  header: Record<string, unknown>;
  claims: { aud?: string; exp?: number; sub?: string };
  key: string;
  isSignatureValid: boolean;
}

/** Reads `Authorization: vapid t=<jwt>, k=<key>` and verifies the JWT's ES256 signature with `publicKey` (base64url, uncompressed point). */
export function checkVapid(authorization: string, publicKey: string): VapidCheck {
  const match = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(authorization);
  if (match === null) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, jwt, key] = match as unknown as [string, string, string];
  const [h, c, s] = jwt.split(".") as [string, string, string];
  const point = Buffer.from(publicKey, "base64url");
  const jwk = { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33, 65).toString("base64url") };
  const isSignatureValid = verify("sha256", Buffer.from(`${h}.${c}`), { key: createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as VapidCheck["claims"],
    key,
    isSignatureValid,
  };
}
