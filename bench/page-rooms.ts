// The page with several rooms (issue 13): how long switching rooms takes with 500 messages loaded in each,
// and what the page weighs with 10 rooms open. Chromium (playwright-core, /usr/bin/chromium) against the
// built server (dist/server.js) on a temporary database filled with 10 rooms of 500 messages.
// Run: npm run build && node --import tsx bench/page-rooms.ts [--switches 30]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { fillDatabase } from "./fill-db.js";
import { startServer } from "./server-process.js";
import { percentiles } from "./stats.js";

const ROOMS = 10;
const MESSAGES_PER_ROOM = 500;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist", "server.js");

interface Metrics {
  jsHeapUsedMb: number;
  /** Every DOM node the renderer holds, attached or not (the lists of rooms off screen are detached). */
  nodes: number;
  /** Nodes in the document (the room on screen only). */
  documentNodes: number;
}

async function main(): Promise<void> {
  const switchesArg = process.argv.indexOf("--switches");
  const switches = switchesArg > 0 ? Number(process.argv[switchesArg + 1]) : 30;
  const dir = mkdtempSync(join(tmpdir(), "page-rooms-"));
  const databasePath = join(dir, "bench.db");
  const rooms = Array.from({ length: ROOMS }, (_, i) => ({ room: `room${i}`, messages: MESSAGES_PER_ROOM }));
  fillDatabase(databasePath, rooms);
  // One join answer carries a room's 500 messages, so every room is loaded in full without paging.
  const server = await startServer({ target: "app", entry: ENTRY, databasePath, extraEnv: { HISTORY_LIMIT: String(MESSAGES_PER_ROOM) } });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--headless", "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 720 } })).newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const measure = async (): Promise<Metrics> => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { metrics } = await cdp.send("Performance.getMetrics");
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      const documentNodes = await page.evaluate(() => document.getElementsByTagName("*").length);
      return { jsHeapUsedMb: get("JSHeapUsedSize") / 2 ** 20, nodes: get("Nodes"), documentNodes };
    };

    await page.goto(`${server.url}/`);
    await page.fill("#username", "bench");
    const one: Metrics[] = [];
    for (const [i, r] of rooms.entries()) {
      if (i > 0) await page.click("#sidebar-join");
      await page.fill("#room-name", r.room);
      await page.press("#room-name", "Enter");
      await page.waitForFunction(
        ([room, n]) => document.getElementById("room-title-name")?.textContent === room && document.querySelectorAll("#messages li.msg").length >= n,
        [r.room, MESSAGES_PER_ROOM] as const,
      );
      if (i === 0) one.push(await measure());
    }
    const ten = await measure();

    const samples: number[] = [];
    for (let k = 0; k < switches; k++) {
      const room = rooms[k % ROOMS]?.room ?? "room0";
      samples.push(await timeSwitch(page, room));
    }
    const oneRoom = one[0];
    const report = (label: string, xs: number[]) => {
      const p = percentiles(xs);
      console.log(`${label} (${xs.length}): median ${p.p50.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms, max ${p.max.toFixed(1)} ms`);
    };
    console.log(`switch rooms, ${ROOMS} rooms x ${MESSAGES_PER_ROOM} messages loaded, click to the frame after:`);
    report("  all switches", samples);
    report("  first return to each room", samples.slice(0, ROOMS));
    report("  later switches", samples.slice(ROOMS));
    if (oneRoom) console.log(`1 room open:   JS heap ${oneRoom.jsHeapUsedMb.toFixed(1)} MB, DOM nodes ${oneRoom.nodes} (in the document ${oneRoom.documentNodes})`);
    console.log(`${ROOMS} rooms open: JS heap ${ten.jsHeapUsedMb.toFixed(1)} MB, DOM nodes ${ten.nodes} (in the document ${ten.documentNodes})`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Clicks the room in the sidebar and waits, in the page, for the frame after the switch to be drawn. */
async function timeSwitch(page: Page, room: string): Promise<number> {
  return page.evaluate(async (r) => {
    const link = [...document.querySelectorAll<HTMLAnchorElement>("#sidebar-list a.sidebar__room")].find((a) => a.dataset.room === r);
    if (!link) throw new Error(`no sidebar link for ${r}`);
    const started = performance.now();
    link.click();
    // requestAnimationFrame runs before the frame is painted; the task queued from it runs after.
    await new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    if (document.getElementById("room-title-name")?.textContent !== r) throw new Error(`did not switch to ${r}`);
    return performance.now() - started;
  }, room);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
