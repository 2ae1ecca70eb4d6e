// Files in the browser tests (issue 18): real image bytes made with sharp, and the three ways a person hands
// files to the page (the file picker, a drop onto the chat, a paste into the message box), plus holding uploads
// on their way (page.route) so a test can see a progress bar or cancel one.
import type { Page, Route } from "playwright-core";
import sharp from "sharp";

export interface TestFile {
  name: string;
  type: string;
  bytes: Buffer;
}

export const pngOf = (width: number, height: number, background: string): Promise<Buffer> => sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();

/** A landscape drawn in SVG, as a photo would come: a JPEG, `width` × `height`. */
export function landscapeJpeg(width = 1200, height = 800): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1200 800">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2f6fd6"/><stop offset="1" stop-color="#f6c28b"/></linearGradient></defs>
    <rect width="1200" height="800" fill="url(#sky)"/>
    <circle cx="880" cy="300" r="90" fill="#ffe29a"/>
    <polygon points="0,620 260,330 470,560 700,280 980,600 1200,420 1200,800 0,800" fill="#3d5a6c"/>
    <polygon points="0,700 320,520 560,690 840,500 1200,700 1200,800 0,800" fill="#2d4a3e"/>
    <polygon points="700,280 760,350 735,345 700,380 665,340 640,345" fill="#f4f4f4"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** An animated GIF of two frames (a ball moving), `width` × `height`. */
export async function animatedGif(width = 240, height = 160): Promise<Buffer> {
  const frame = (x: number, colour: string) =>
    sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fdf1d8"/><circle cx="${x}" cy="${height / 2}" r="${height / 4}" fill="${colour}"/></svg>`))
      .ensureAlpha()
      .raw()
      .toBuffer();
  const frames = await Promise.all([frame(width / 3, "#d6453d"), frame((2 * width) / 3, "#2f6fd6")]);
  return sharp(Buffer.concat(frames), { raw: { width, height: height * 2, channels: 4, pageHeight: height } }).gif({ delay: [400, 400], loop: 0 }).toBuffer();
}

/** A small valid PDF. */
export const pdfBytes = (): Buffer =>
  Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "latin1");

interface WireFile {
  name: string;
  type: string;
  b64: string;
}

const toWire = (files: TestFile[]): WireFile[] => files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString("base64") }));

/** Pastes files into the message box as a screenshot arrives: a paste event whose clipboardData holds them (no text). */
export async function pasteFiles(page: Page, files: TestFile[]): Promise<void> {
  await page.evaluate((wire) => {
    const data = new DataTransfer();
    for (const f of wire) data.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const box = document.getElementById("message-content");
    if (!box) throw new Error("no message box");
    box.focus();
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, toWire(files));
}

/**
 * Drags files over the messages and drops them there. `beforeDrop` runs while they hover (the drop target is
 * showing); then the drop.
 */
export async function dropFiles(page: Page, files: TestFile[], beforeDrop?: () => Promise<void>): Promise<void> {
  const handle = await page.evaluateHandle((wire) => {
    const data = new DataTransfer();
    for (const f of wire) data.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return data;
  }, toWire(files));
  await page.evaluate((data) => {
    const list = document.getElementById("message-list");
    for (const type of ["dragenter", "dragover"]) list?.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, handle);
  await beforeDrop?.();
  await page.evaluate((data) => {
    document.getElementById("message-list")?.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  }, handle);
  await handle.dispose();
}

/** Picks files with the paperclip's file input (what the browser's picker does). */
export async function pickFiles(page: Page, files: TestFile[]): Promise<void> {
  await page.setInputFiles("#file-input", files.map((f) => ({ name: f.name, mimeType: f.type, buffer: f.bytes })));
}

export interface HeldUploads {
  /** The next upload request to arrive, held. */
  next(): Promise<Route>;
  /** Lets a held request go on to the server (nothing happens if the page aborted it meanwhile). */
  release(route: Route): Promise<void>;
  /** Stops holding: later uploads go straight through, held ones go on. */
  stop(): Promise<void>;
}

/** Holds every upload of `page` until the test releases it. */
export async function holdUploads(page: Page): Promise<HeldUploads> {
  const held: Route[] = [];
  let wake: (() => void) | null = null;
  const handler = (route: Route) => {
    held.push(route);
    wake?.();
  };
  await page.route("**/api/uploads", handler);
  const release = async (route: Route) => {
    await route.continue().catch(() => undefined); // an aborted request cannot go on: that is fine
  };
  return {
    async next() {
      while (held.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      return held.shift() as Route;
    },
    release,
    async stop() {
      await Promise.all(held.splice(0).map(release));
      await page.unroute("**/api/uploads", handler);
    },
  };
}

/** The chip of a file about to be sent, by its name. */
export const chip = (page: Page, name: string) => page.locator("#upload-list li.upload").filter({ has: page.locator(".upload__name", { hasText: name }) });

/**
 * Drops a file from disk at the middle of `selector` as the system does (Chromium's own drag events, CDP
 * Input.dispatchDragEvent): what the browser does with a drop the page leaves alone (opens the file) happens too.
 */
export async function dropFromDisk(page: Page, selector: string, path: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const at = { x: box.x + box.width / 2, y: box.y + Math.min(30, box.height / 2) };
  const data = { items: [], files: [path], dragOperationsMask: 1 };
  const cdp = await page.context().newCDPSession(page);
  for (const type of ["dragEnter", "dragOver", "drop"] as const) await cdp.send("Input.dispatchDragEvent", { type, ...at, data });
  await cdp.detach();
}
