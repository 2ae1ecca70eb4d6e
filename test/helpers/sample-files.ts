// Files for the upload tests (issue 18), made here rather than checked in: real images (sharp), a JPEG with what
// phones put in theirs (exif.ts), a decompression bomb (png-bomb.ts), a PDF, and hostile text (HTML, SVG with a
// script), plus how a browser uploads one.
import sharp from "sharp";
import request from "supertest";
import type { WireAttachment } from "../../src/protocol.js";
import type { UploadAnswer } from "../../src/http-api.js";
import type { TestApp } from "./app.js";
import { withExif, type PhoneExif } from "./exif.js";

export const PHONE_EXIF: PhoneExif = { make: "PhoneCam 9", orientation: 6, latitude: [51, 30, 26], longitude: [0, 7, 39] };

export const png = (width = 64, height = 48, background = "#3a7"): Promise<Buffer> => sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();

/** 400 x 200 as stored, turned a quarter (orientation 6): shown 200 x 400. With a camera name and a GPS position. */
export async function phoneJpeg(): Promise<Buffer> {
  const plain = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#c33" } }).jpeg().toBuffer();
  return withExif(plain, PHONE_EXIF);
}

/** Two frames of 40 x 40, red then blue. */
export function animatedGif(): Promise<Buffer> {
  const frame = (rgb: [number, number, number]): Buffer => Buffer.from(Buffer.alloc(40 * 40 * 3).map((_, i) => rgb[i % 3] as number));
  const raw = Buffer.concat([frame([255, 0, 0]), frame([0, 0, 255])]);
  return sharp(raw, { raw: { width: 40, height: 80, channels: 3, pageHeight: 40 } }).gif({ delay: [200, 200], loop: 0 }).toBuffer();
}

export const pdf = (): Buffer => Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "latin1");
export const html = (): Buffer => Buffer.from("<!doctype html><html><body><script>document.title = 'pwned'</script></body></html>");
export const svgWithScript = (): Buffer =>
  Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>');
/** The start of an ELF executable: file-type knows it, and it is refused by default. */
export const elf = (): Buffer => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120)]);

/** What the page does: a same-origin multipart post with the session cookie, one file in the field "file". */
export function uploadRequest(app: TestApp, session: string, bytes: Buffer, name: string) {
  return request(app.url).post("/api/uploads").set("Cookie", session).set("Origin", app.url).attach("file", bytes, name);
}

/** Uploads and returns the attachment; fails the test with the server's answer otherwise. */
export async function upload(app: TestApp, session: string, bytes: Buffer, name: string): Promise<WireAttachment> {
  const res = await uploadRequest(app, session, bytes, name);
  const body = res.body as UploadAnswer;
  if (res.status !== 201 || !body.ok) throw new Error(`upload of ${name} answered ${res.status}: ${JSON.stringify(body)}`);
  return body.upload;
}

/** GET a path as a browser with this session (or none), the body as bytes. */
export function fetchFile(app: TestApp, path: string, session?: string) {
  const req = request(app.url).get(path).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => done(null, Buffer.concat(chunks)));
  });
  return session === undefined ? req : req.set("Cookie", session);
}
