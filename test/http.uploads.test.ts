// Issue 18: uploads and file responses, attacked. The type comes from the bytes; HTML and SVG never show inline;
// every file answer is sandboxed; a photo loses its GPS position (and every other metadata field) in all that is
// served; a decompression bomb costs a header read; limits, quota and a full store refuse clearly; a file over the
// limit is cut off, not read to the end.
import { request as httpRequest } from "node:http";
import sharp from "sharp";
import { describe, expect, it, onTestFinished } from "vitest";
import type { UploadAnswer } from "../src/http-api.js";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { gpsLatitudeBytes } from "./helpers/exif.js";
import { pngBomb } from "./helpers/png-bomb.js";
import { animatedGif, elf, fetchFile, html, pdf, PHONE_EXIF, phoneJpeg, png, svgWithScript, upload, uploadRequest } from "./helpers/sample-files.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env });
  onTestFinished(app.close);
  return app;
}

describe("what a file is comes from its bytes", () => {
  it("a PNG named .txt is an image: thumbnail, display size, its size, served inline as image/png", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, await png(64, 48), "notes.txt");
    expect(file).toMatchObject({ name: "notes.txt", type: "image/png", width: 64, height: 48, thumbUrl: `/files/${file.id}/-/thumb`, displayUrl: `/files/${file.id}/-/display` });
    const served = await fetchFile(app, file.url, session).expect(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.headers["content-disposition"]).toMatch(/^inline; /);
    const thumb = await fetchFile(app, file.thumbUrl as string, session).expect(200);
    expect(thumb.headers["content-type"]).toBe("image/webp");
    expect((await sharp(thumb.body as Buffer).metadata()).format).toBe("webp");
  });

  it("HTML named .png is a document: no thumbnail, served as a download, never as HTML", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, html(), "cat.png");
    expect(file.type).toBe("application/octet-stream");
    expect(file.thumbUrl).toBeUndefined();
    const served = await fetchFile(app, file.url, session).expect(200);
    expect(served.headers["content-type"]).toBe("application/octet-stream");
    expect(served.headers["content-disposition"]).toMatch(/^attachment; filename="cat.png"/);
  });

  it("an SVG with a script is a document: downloaded, sandboxed by CSP, never sniffed", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, svgWithScript(), "logo.svg");
    expect(file.type).not.toContain("svg");
    expect(file.thumbUrl).toBeUndefined();
    const served = await fetchFile(app, file.url, session).expect(200);
    expect(served.headers["content-disposition"]).toMatch(/^attachment; /);
    expect(served.headers["content-security-policy"]).toMatch(/^sandbox; default-src 'none'/);
    expect(served.headers["x-content-type-options"]).toBe("nosniff");
    expect(served.headers["content-type"]).not.toMatch(/svg|html|xml/);
  });

  it("a PDF is known as one and downloads; an executable is refused (415 file_type_refused)", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, pdf(), "report.pdf");
    expect(file.type).toBe("application/pdf");
    expect((await fetchFile(app, file.url, session).expect(200)).headers["content-disposition"]).toMatch(/^attachment; filename="report.pdf"/);
    const refused = await uploadRequest(app, session, elf(), "tool.jpg").expect(415);
    expect((refused.body as UploadAnswer).ok === false && (refused.body as { error: { code: string } }).error.code).toBe("file_type_refused");
  });

  it("every file answer is sandboxed and never sniffed, images too", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, await png(), "a.png");
    for (const path of [file.url, file.thumbUrl, file.displayUrl] as string[]) {
      const res = await fetchFile(app, path, session).expect(200);
      expect(res.headers["content-security-policy"]).toMatch(/^sandbox; default-src 'none'/);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      // Not sent yet: its uploader's only, so the browser asks again each time (chat.attachments: what it may keep).
      expect(res.headers["cache-control"]).toBe("private, no-cache");
      expect(res.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    }
  });

  it("a name that would mislead is made safe: no path, no controls, no right-to-left override", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, pdf(), "../../etc/invoice\u202Efdp.exe");
    expect(file.name).toBe("invoice_fdp.exe"); // busboy drops the path; the override becomes "_"
    expect(file.name).not.toMatch(/[/\\\u202E]/);
  });
});

describe("what a photo gives away", () => {
  it("a JPEG with a GPS position and a camera name has neither in the original, the display size or the thumbnail; turned the right way", async () => {
    const app = await appFor();
    const session = app.newSession();
    const bytes = await phoneJpeg();
    expect(bytes.includes(gpsLatitudeBytes(PHONE_EXIF))).toBe(true);
    expect((await sharp(bytes).metadata()).orientation).toBe(6);
    const file = await upload(app, session, bytes, "IMG_0001.jpg");
    expect(file).toMatchObject({ type: "image/jpeg", width: 200, height: 400 });
    for (const path of [file.url, file.displayUrl, file.thumbUrl] as string[]) {
      const served = (await fetchFile(app, path, session).expect(200)).body as Buffer;
      const meta = await sharp(served).metadata();
      expect(meta.exif, path).toBeUndefined();
      expect(served.includes(gpsLatitudeBytes(PHONE_EXIF)), path).toBe(false);
      expect(served.includes(Buffer.from(PHONE_EXIF.make)), path).toBe(false);
      expect((meta.height ?? 0) > (meta.width ?? 0), `${path} is upright`).toBe(true);
    }
  });

  it("an animated GIF keeps its frames in the original; its thumbnail is the first frame", async () => {
    const app = await appFor();
    const session = app.newSession();
    const file = await upload(app, session, await animatedGif(), "dance.gif");
    expect(file).toMatchObject({ type: "image/gif", animated: true, width: 40, height: 40 });
    expect((await sharp((await fetchFile(app, file.url, session).expect(200)).body as Buffer).metadata()).pages).toBe(2);
    expect((await sharp((await fetchFile(app, file.thumbUrl as string, session).expect(200)).body as Buffer).metadata()).pages ?? 1).toBe(1);
  });
});

describe("what an upload may cost", () => {
  it("a decompression bomb (a few hundred bytes saying 100,000 x 100,000) is refused within a second, with bounded memory", async () => {
    const app = await appFor();
    const session = app.newSession();
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(1000);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const res = await uploadRequest(app, session, bomb, "tiny.png").expect(422);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(res.body).toMatchObject({ ok: false, error: { code: "image_refused", message: expect.stringContaining("too large") } });
  });

  it("an image cut short is refused in words the uploader can use (422 image_refused); what libvips said goes to the log only", async () => {
    const app = await appFor();
    const whole = await png(64, 48);
    const res = await uploadRequest(app, app.newSession(), whole.subarray(0, whole.length - 20), "cut.png").expect(422);
    expect(res.body).toEqual({ ok: false, error: { code: "image_refused", message: "This image cannot be read: the file is damaged or cut short." } });
    const logged = app.logs.find((l) => l.event === "image_unreadable");
    expect(logged?.detail).toEqual(expect.stringMatching(/\S/));
    expect(res.body.error.message).not.toContain(logged?.detail);
  });

  it("a file over MAX_FILE_BYTES is refused at the limit (413), and the connection is closed rather than the rest read", async () => {
    const app = await appFor({ MAX_FILE_BYTES: "100000" });
    const session = app.newSession();
    // Without a Content-Length (chunked), so only the limit itself can stop it.
    const boundary = "----mr-test-boundary";
    const total = 20 * 1024 * 1024;
    const outcome = await new Promise<{ status: number | null; written: number; body: string }>((resolve) => {
      let written = 0;
      let status: number | null = null;
      let body = "";
      const req = httpRequest(`${app.url}/api/uploads`, {
        method: "POST",
        headers: { Cookie: session, Origin: app.url, "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" },
      });
      req.on("response", (res) => {
        status = res.statusCode ?? null;
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status, written, body }));
      });
      req.on("error", () => resolve({ status, written, body }));
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = (): void => {
        while (written < total && status === null) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (status === null) req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    expect(outcome.status).toBe(413);
    expect(outcome.body).toContain("file_too_big");
    expect(outcome.written).toBeLessThan(total / 2); // the server stopped reading long before the end
  });

  it("a declared size over the limit is refused before any byte is read", async () => {
    const app = await appFor({ MAX_FILE_BYTES: "1000" });
    const res = await uploadRequest(app, app.newSession(), Buffer.alloc(50_000, 1), "big.bin").expect(413);
    expect(res.body).toMatchObject({ ok: false, error: { code: "file_too_big" } });
  });

  it("UPLOAD_BYTES_PER_HOUR: a session over its hour's bytes gets 429 upload_quota; another session is not held back", async () => {
    const app = await appFor({ UPLOAD_BYTES_PER_HOUR: "6000" });
    const ana = app.newSession();
    await upload(app, ana, Buffer.alloc(4000, 1), "one.bin");
    const over = await uploadRequest(app, ana, Buffer.alloc(4000, 2), "two.bin").expect(429);
    expect(over.body).toMatchObject({ ok: false, error: { code: "upload_quota" } });
    await upload(app, app.newSession(), Buffer.alloc(4000, 3), "three.bin");
  });

  it("MAX_STORAGE_BYTES: once the store is full, uploads are refused with 507 storage_full", async () => {
    const app = await appFor({ MAX_STORAGE_BYTES: "10000" });
    await upload(app, app.newSession(), Buffer.alloc(8000, 1), "first.bin");
    const full = await uploadRequest(app, app.newSession(), Buffer.alloc(4000, 2), "second.bin").expect(507);
    expect(full.body).toMatchObject({ ok: false, error: { code: "storage_full", message: expect.stringContaining("full") } });
  });

  it("only this site's pages with a browser session upload: 403 cross-site, 400 without the cookie, 400 without a file", async () => {
    const app = await appFor();
    const { default: request } = await import("supertest");
    const session = app.newSession();
    await request(app.url).post("/api/uploads").set("Cookie", session).set("Origin", "https://evil.example").attach("file", pdf(), "x.pdf").expect(403);
    await request(app.url).post("/api/uploads").set("Cookie", session).attach("file", pdf(), "x.pdf").expect(403);
    expect((await request(app.url).post("/api/uploads").set("Origin", app.url).attach("file", pdf(), "x.pdf").expect(400)).body.error.code).toBe("session_required");
    expect((await request(app.url).post("/api/uploads").set("Cookie", session).set("Origin", app.url).field("other", "x").expect(400)).body.error.code).toBe("invalid_payload");
    expect((await request(app.url).post("/api/uploads").set("Cookie", session).set("Origin", app.url).send({ file: "x" }).expect(400)).body.error.code).toBe("invalid_payload");
  });
});

describe("ranges", () => {
  it("serves a byte range (206 with Content-Range) and refuses one beyond the end (416)", async () => {
    const app = await appFor();
    const session = app.newSession();
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const file = await upload(app, session, bytes, "data.bin");
    const part = await fetchFile(app, file.url, session).set("Range", "bytes=100-199").expect(206);
    expect(part.headers["content-range"]).toBe("bytes 100-199/5000");
    expect(part.body).toEqual(bytes.subarray(100, 200));
    const tail = await fetchFile(app, file.url, session).set("Range", "bytes=-10").expect(206);
    expect(tail.body).toEqual(bytes.subarray(4990));
    await fetchFile(app, file.url, session).set("Range", "bytes=6000-7000").expect(416);
  });
});
