// Uploads attacked through the body itself (found by the 2026-12-07 review): a multipart body cut short must be
// refused, never take the process down; a client that goes away mid-body must leave nothing on disk and nothing
// held; a part that is not the one file is refused at once, not read to its end; and uploads sent at the same
// time must not all pass a quota that each alone would fit. And downloads abandoned halfway must not keep files open.
import { readdirSync, readlinkSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { newSessionCookie } from "../src/http/session.js";
import { defaultFilesPath } from "../src/storage/files.js";
import { startTestApp, tempDatabase, type TestApp } from "./helpers/app.js";
import { startChildServer } from "./helpers/child-server.js";
import { upload, uploadRequest } from "./helpers/sample-files.js";

const CHILD_SECRET = "child-secret-key-0123456789abcdef";
const BOUNDARY = "----abuse";
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const filePart = (field: string, name: string): string => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
const closing = `\r\n--${BOUNDARY}--\r\n`;

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env });
  onTestFinished(app.close);
  return app;
}

/** A POST to /api/uploads with the body streamed by `write`; resolves with the status, or null when the connection dropped first. */
function post(url: string, headers: Record<string, string>, write: (req: ClientRequest) => void): Promise<number | null> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/api/uploads`, { method: "POST", headers });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("error", () => resolve(null));
    write(req);
  });
}

/** Resolves once `check` holds, looking again on every turn of the loop; fails after `timeoutMs`. */
async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe("a malformed or abandoned upload body", () => {
  it("a file part that ends without its closing boundary is refused (400) and the server goes on (it used to exit)", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const server = await startChildServer({ databasePath: db.path });
    onTestFinished(server.stop);
    const cookie = newSessionCookie(CHILD_SECRET, false).split(";")[0] as string;
    const body = Buffer.concat([Buffer.from(filePart("file", "a.bin")), Buffer.alloc(1000, 7)]); // no closing boundary
    const status = await post(server.url, { Cookie: cookie, Origin: server.url, "Content-Type": MULTIPART, "Content-Length": String(body.length) }, (req) => req.end(body));
    const health = await fetch(`${server.url}/healthz`).then((r) => r.status);
    expect({ status, health, stderr: server.stderr() }).toEqual({ status: 400, health: 200, stderr: "" });
  });

  it("a client that goes away mid-file leaves no spool file, and its bytes are given back to the hour's budget and the store", async () => {
    // Each abandoned upload holds MAX_FILE_BYTES of a budget and a store that fit two: if nothing were given back,
    // the third upload and the whole one after them would be refused.
    const app = await appFor({ MAX_FILE_BYTES: "1000000", UPLOAD_BYTES_PER_HOUR: "2000000", MAX_STORAGE_BYTES: "2000000" });
    const session = app.newSession();
    const spoolDir = join(defaultFilesPath(app.databasePath), "tmp");
    for (let i = 0; i < 3; i++) {
      const refusals = app.logs.filter((l) => l.event === "upload_refused").length;
      const receiving = app.logs.filter((l) => l.event === "upload_receiving").length;
      void post(app.url, { Cookie: session, Origin: app.url, "Content-Type": MULTIPART, "Transfer-Encoding": "chunked" }, (req) => {
        req.write(filePart("file", `big${i}.bin`));
        req.write(Buffer.alloc(300_000, i));
        void eventually(() => app.logs.filter((l) => l.event === "upload_receiving").length > receiving, "the upload is being received").then(() => req.destroy());
      });
      await eventually(() => app.logs.filter((l) => l.event === "upload_refused").length > refusals, "the abandoned upload is refused");
      await eventually(() => readdirSync(spoolDir).length === 0, "the spool file is removed");
    }
    expect(app.logs.filter((l) => l.event === "upload_refused").map((l) => l.reason)).toEqual(Array(3).fill("The upload was cut off before its end."));
    const whole = await uploadRequest(app, session, Buffer.alloc(900_000, 9), "whole.bin");
    expect(whole.status).toBe(201);
  });

  it("a file under another field name is refused at once, not read to its end (20 MB sent, MAX_FILE_BYTES 100,000)", async () => {
    const app = await appFor({ MAX_FILE_BYTES: "100000" });
    const total = 20 * 1024 * 1024;
    let written = 0;
    const status = await post(app.url, { Cookie: app.newSession(), Origin: app.url, "Content-Type": MULTIPART, "Transfer-Encoding": "chunked" }, (req) => {
      req.write(filePart("junk", "big.bin"));
      const chunk = Buffer.alloc(64 * 1024, 7);
      let isAnswered = false;
      req.on("response", () => (isAnswered = true));
      const pump = (): void => {
        while (written < total && !isAnswered && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!isAnswered && !req.destroyed) req.end(closing);
      };
      pump();
    });
    expect(status).toBe(400);
    expect(written).toBeLessThan(total / 2);
  });

  it("two files in one upload are refused (400), and so is an upload with no file", async () => {
    const app = await appFor();
    const two = Buffer.from(`${filePart("file", "a.bin")}aaa\r\n${filePart("file", "b.bin")}bbb${closing}`);
    const none = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello${closing}`);
    const send = (body: Buffer): Promise<number | null> => post(app.url, { Cookie: app.newSession(), Origin: app.url, "Content-Type": MULTIPART, "Content-Length": String(body.length) }, (req) => req.end(body));
    expect([await send(two), await send(none)]).toEqual([400, 400]);
    expect(await app.sqlite.files.storedBytes()).toBe(0);
  });
});

describe("quotas under uploads sent at the same time", () => {
  it("UPLOAD_BYTES_PER_HOUR 6,000: of eight 4,000-byte uploads sent at once by one browser, one is stored", async () => {
    const app = await appFor({ UPLOAD_BYTES_PER_HOUR: "6000" });
    const session = app.newSession();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => uploadRequest(app, session, Buffer.alloc(4000, i + 1), `f${i}.bin`)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(429)]);
    expect(await app.sqlite.files.storedBytes()).toBe(4000);
  });

  it("MAX_STORAGE_BYTES 10,000: of eight 4,000-byte uploads sent at once by eight browsers, two are stored", async () => {
    const app = await appFor({ MAX_STORAGE_BYTES: "10000" });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => uploadRequest(app, app.newSession(), Buffer.alloc(4000, i + 1), `f${i}.bin`)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, ...Array(6).fill(507)]);
    expect(await app.sqlite.files.storedBytes()).toBe(8000);
  });

  it("a body without Content-Length counts as MAX_FILE_BYTES against a store that is nearly full (507), and stores nothing", async () => {
    const app = await appFor({ MAX_STORAGE_BYTES: "10000", MAX_FILE_BYTES: "50000" });
    expect((await uploadRequest(app, app.newSession(), Buffer.alloc(8000, 1), "first.bin")).status).toBe(201);
    const status = await post(app.url, { Cookie: app.newSession(), Origin: app.url, "Content-Type": MULTIPART, "Transfer-Encoding": "chunked" }, (req) => {
      req.write(filePart("file", "second.bin"));
      req.write(Buffer.alloc(1000, 2));
      req.end(closing);
    });
    expect(status).toBe(507);
    expect(await app.sqlite.files.storedBytes()).toBe(8000);
  });
});

describe("downloads abandoned halfway", () => {
  it("fifty readers who go away after the first chunk of a 20 MB file leave no descriptor open on it (pipe left each one open)", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, Buffer.alloc(20_000_000, 1), "big.bin");
    const filesDir = defaultFilesPath(app.databasePath);
    const openOnFiles = (): number =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(filesDir);
        } catch {
          return false; // closed while we looked
        }
      }).length;
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${app.url}${file.url}`, { headers: { Cookie: session } });
        req.on("response", (res) => res.once("data", () => (req.destroy(), resolve())));
        req.on("error", () => resolve());
        req.end();
      });
    }
    await eventually(() => openOnFiles() === 0, "every abandoned download's file is closed");
    expect(openOnFiles()).toBe(0);
  });
});
