// `npm run bench -- --only files` (issue 18), app only: upload throughput (documents, one at a time and four at
// once; large images with their processing), and how the chat fares while large images are processed: the event
// loop's delay (monitorEventLoopDelay through /metrics, whose histogram prom-client resets at each scrape) and the
// delivery latency of a busy room, in a quiet window and in one with image uploads running all along.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import sharp from "sharp";
import type { UploadAnswer } from "../src/http-api.js";
import { closeAll, connectClient, joinRoom, type ChatSocket } from "./chat-client.js";
import { startServer, type RunningServer } from "./server-process.js";
import { percentiles } from "./stats.js";

export interface FilesBenchSizes {
  documents: number;
  documentBytes: number;
  images: number;
  /** The large images: a noisy photo-like JPEG of this many pixels each way (noise compresses badly: large files). */
  imageSide: number;
  receivers: number;
  messagesPerSecond: number;
  windowMs: number;
}

export const FULL_FILES_SIZES: FilesBenchSizes = { documents: 20, documentBytes: 5 * 1024 * 1024, images: 3, imageSide: 6800, receivers: 20, messagesPerSecond: 20, windowMs: 10_000 };
export const QUICK_FILES_SIZES: FilesBenchSizes = { documents: 4, documentBytes: 1024 * 1024, images: 2, imageSide: 1500, receivers: 5, messagesPerSecond: 10, windowMs: 2_000 };

export interface ChatWindow {
  label: string;
  delivered: number;
  sent: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  imagesDone: number;
}

export interface FilesBenchResult {
  sizes: FilesBenchSizes;
  documents: { sequentialMBps: number; parallelMBps: number };
  images: { count: number; bytesEach: number; meanMs: number; maxMs: number };
  windows: ChatWindow[];
  failures: string[];
}

/** The page's session cookie, as a browser gets it with the page. */
async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (cookie === undefined) throw new Error("the page set no session cookie");
  return cookie;
}

async function uploadOnce(url: string, cookie: string, bytes: Buffer, name: string): Promise<UploadAnswer> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${url}/api/uploads`, { method: "POST", body: form, headers: { Cookie: cookie, Origin: url } });
  return (await res.json()) as UploadAnswer;
}

/** The server's event-loop delay since the last scrape, p99 and max, in ms. */
async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? NaN) * 1000;
  return { p99: read("nodejs_eventloop_lag_p99_seconds"), max: read("nodejs_eventloop_lag_max_seconds") };
}

async function photo(side: number): Promise<Buffer> {
  const noise = { width: side, height: Math.round(side * 0.75), channels: 3 as const, background: "#888", noise: { type: "gaussian" as const, mean: 128, sigma: 60 } };
  return sharp({ create: noise }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * A room of `receivers` and one sender at `messagesPerSecond` for `windowMs`, while `background` runs; the
 * delivery latency of every message to every receiver, and the loop's delay over the window.
 */
async function chatWindow(server: RunningServer, label: string, sizes: FilesBenchSizes, background: () => Promise<number>): Promise<ChatWindow> {
  const room = `bench-${label}`;
  const sockets: ChatSocket[] = [];
  try {
    const sender = await connectClient(server.url);
    sockets.push(sender);
    await joinRoom(sender, room, "sender");
    const latencies: number[] = [];
    const sentAt = new Map<string, number>();
    for (let i = 0; i < sizes.receivers; i++) {
      const s = await connectClient(server.url);
      sockets.push(s);
      await joinRoom(s, room, `r${i}`);
      s.on("message", (m) => {
        const at = sentAt.get(m.content);
        if (at !== undefined) latencies.push(performance.now() - at);
      });
    }
    await loopDelay(server.url); // resets the server's histogram: the window starts here
    const stop = performance.now() + sizes.windowMs;
    const imagesDone = background();
    let sent = 0;
    const gapMs = 1000 / sizes.messagesPerSecond;
    while (performance.now() < stop) {
      const content = `m${sent++}`;
      sentAt.set(content, performance.now());
      await sender.timeout(15_000).emitWithAck("send_message", { room, username: "sender", content });
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    const loop = await loopDelay(server.url);
    const done = await imagesDone;
    const p = percentiles(latencies);
    return { label, sent, delivered: latencies.length, deliveryP50Ms: p.p50, deliveryP99Ms: p.p99, loopP99Ms: loop.p99, loopMaxMs: loop.max, imagesDone: done };
  } finally {
    closeAll(sockets);
  }
}

export async function runFilesBench(workDir: string, appEntry: string, sizes: FilesBenchSizes, progress: (line: string) => void): Promise<FilesBenchResult> {
  const failures: string[] = [];
  const server = await startServer({
    target: "app",
    entry: appEntry,
    databasePath: join(workDir, "files-bench.db"),
    extraEnv: { MAX_FILE_BYTES: String(64 * 1024 * 1024), UPLOAD_BYTES_PER_HOUR: "0", MAX_STORAGE_BYTES: String(64 * 1024 * 1024 * 1024), RATE_SEND_BURST: "1000" },
  });
  try {
    const cookie = await sessionCookie(server.url);
    const check = (answer: UploadAnswer, what: string): void => {
      if (!answer.ok) failures.push(`${what}: ${answer.error.code} ${answer.error.message}`);
    };

    // Documents: random bytes (no processing), one at a time, then four at once.
    const docs = Array.from({ length: sizes.documents }, () => randomBytes(sizes.documentBytes));
    let started = performance.now();
    for (const [i, d] of docs.entries()) check(await uploadOnce(server.url, cookie, d, `doc-${i}.bin`), "document");
    const sequentialMBps = (sizes.documents * sizes.documentBytes) / 1024 / 1024 / ((performance.now() - started) / 1000);
    const fresh = Array.from({ length: sizes.documents }, () => randomBytes(sizes.documentBytes));
    started = performance.now();
    for (let i = 0; i < fresh.length; i += 4) {
      const batch = fresh.slice(i, i + 4);
      for (const a of await Promise.all(batch.map((d, j) => uploadOnce(server.url, cookie, d, `par-${i + j}.bin`)))) check(a, "document");
    }
    const parallelMBps = (sizes.documents * sizes.documentBytes) / 1024 / 1024 / ((performance.now() - started) / 1000);
    progress(`files: documents ${sequentialMBps.toFixed(0)} MB/s one at a time, ${parallelMBps.toFixed(0)} MB/s four at once`);

    // Large images: each processed (metadata removed, thumbnail, display size) before its answer.
    const images = await Promise.all(Array.from({ length: sizes.images }, () => photo(sizes.imageSide)));
    const times: number[] = [];
    for (const [i, img] of images.entries()) {
      const t = performance.now();
      check(await uploadOnce(server.url, cookie, img, `photo-${i}.jpg`), "image");
      times.push(performance.now() - t);
    }
    const bytesEach = images.reduce((n, b) => n + b.length, 0) / images.length;
    progress(`files: ${sizes.images} images of ${(bytesEach / 1024 / 1024).toFixed(1)} MB, ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(0)} ms each`);

    // The chat, quiet and then with image uploads running all along (two at a time).
    const quiet = await chatWindow(server, "quiet", sizes, () => Promise.resolve(0));
    let busy = true;
    const uploading = async (): Promise<number> => {
      let done = 0;
      const lane = async (): Promise<void> => {
        for (let i = 0; busy; i++) {
          check(await uploadOnce(server.url, cookie, images[i % images.length] as Buffer, `busy-${i}.jpg`), "image during chat");
          done++;
        }
      };
      await Promise.all([lane(), lane()]);
      return done;
    };
    const loaded = await chatWindow(server, "images", sizes, () => {
      const run = uploading();
      setTimeout(() => (busy = false), sizes.windowMs);
      return run;
    });
    for (const w of [quiet, loaded]) if (w.delivered !== w.sent * sizes.receivers) failures.push(`${w.label}: ${w.delivered} deliveries of ${w.sent * sizes.receivers}`);
    return {
      sizes,
      documents: { sequentialMBps, parallelMBps },
      images: { count: sizes.images, bytesEach, meanMs: times.reduce((a, b) => a + b, 0) / times.length, maxMs: Math.max(...times) },
      windows: [quiet, loaded],
      failures,
    };
  } finally {
    await server.stop();
  }
}

export function formatFilesTable(r: FilesBenchResult): string {
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const lines = [
    `Files (issue 18): ${r.sizes.documents} documents of ${mb(r.sizes.documentBytes)}: ${r.documents.sequentialMBps.toFixed(0)} MB/s one at a time, ${r.documents.parallelMBps.toFixed(0)} MB/s four at once`,
    `  ${r.images.count} images (${r.sizes.imageSide} px JPEG, ${mb(r.images.bytesEach)}): ${r.images.meanMs.toFixed(0)} ms each on average, ${r.images.maxMs.toFixed(0)} ms at most (upload + processing)`,
    `  chat, ${r.sizes.receivers} receivers, ${r.sizes.messagesPerSecond} msg/s for ${r.sizes.windowMs / 1000} s:`,
    "  | window | images processed | delivery p50 | delivery p99 | event loop p99 | event loop max |",
    "  |---|---|---|---|---|---|",
    ...r.windows.map((w) => `  | ${w.label} | ${w.imagesDone} | ${w.deliveryP50Ms.toFixed(1)} ms | ${w.deliveryP99Ms.toFixed(1)} ms | ${w.loopP99Ms.toFixed(1)} ms | ${w.loopMaxMs.toFixed(1)} ms |`),
  ];
  if (r.failures.length > 0) lines.push(`  FAILURES: ${r.failures.slice(0, 5).join("; ")}`);
  return lines.join("\n");
}
