// Issue 23 §1: text responses go out compressed (the page, the modules, the CSS, JSON), as the browser accepts;
// people's files go out as stored, so byte ranges still address their bytes. Read with node:http, which
// does not decompress, so the test sees what travelled.
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { upload } from "./helpers/sample-files.js";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function fetchRaw(app: TestApp, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(`${app.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env });
  onTestFinished(app.close);
  return app;
}

const publicFile = (app: TestApp, path: string): Buffer => readFileSync(join(app.config.publicDir, path));

describe("text responses are compressed", () => {
  it("a module goes out as Brotli when the browser accepts it, and decodes to the file", async () => {
    const app = await appFor();
    const res = await fetchRaw(app, "/js/message-list.js", { "Accept-Encoding": "gzip, deflate, br" });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["vary"]).toMatch(/Accept-Encoding/i);
    const original = publicFile(app, "js/message-list.js");
    expect(res.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(res.body).equals(original)).toBe(true);
  });

  it("the CSS and the page go out as gzip to a browser that accepts only gzip", async () => {
    const app = await appFor();
    const css = await fetchRaw(app, "/chat.css", { "Accept-Encoding": "gzip" });
    expect(css.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(css.body).equals(publicFile(app, "chat.css"))).toBe(true);
    const page = await fetchRaw(app, "/", { "Accept-Encoding": "gzip" });
    expect(page.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(page.body).toString()).toContain("<title>Messenger Room</title>");
  });

  it("a client that accepts no encoding gets the plain bytes", async () => {
    const app = await appFor();
    const res = await fetchRaw(app, "/js/message-list.js", {});
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.equals(publicFile(app, "js/message-list.js"))).toBe(true);
  });

  it("COMPRESS_MIN_BYTES: a body shorter than it goes out plain", async () => {
    const app = await appFor({ COMPRESS_MIN_BYTES: String(10 * 1024 * 1024) });
    const res = await fetchRaw(app, "/chat.css", { "Accept-Encoding": "gzip, br" });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.equals(publicFile(app, "chat.css"))).toBe(true);
  });

  it("the Socket.IO client (served by Socket.IO itself) is compressed too", async () => {
    const app = await appFor();
    const res = await fetchRaw(app, "/socket.io/socket.io.esm.min.js", { "Accept-Encoding": "br" });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(res.body).toString()).toContain("io");
  });
});

describe("people's files go out as stored", () => {
  it("a text file is not compressed, and a byte range addresses its stored bytes", async () => {
    const app = await appFor();
    const session = app.newSession();
    const text = Buffer.from("0123456789".repeat(500)); // 5,000 bytes: well past the threshold, very compressible
    const file = await upload(app, session, text, "digits.txt");
    const whole = await fetchRaw(app, file.url, { Cookie: session, "Accept-Encoding": "gzip, br" });
    expect(whole.status).toBe(200);
    expect(whole.headers["content-encoding"]).toBeUndefined();
    expect(whole.body.equals(text)).toBe(true);
    const range = await fetchRaw(app, file.url, { Cookie: session, "Accept-Encoding": "gzip, br", Range: "bytes=10-14" });
    expect(range.status).toBe(206);
    expect(range.headers["content-encoding"]).toBeUndefined();
    expect(range.body.toString()).toBe("01234");
  });
});
