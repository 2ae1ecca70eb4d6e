// Workload 4: many idle members. Server memory per connection is the growth in RSS from a warmed-up
// server with no clients to the same server holding every member joined and quiet.
import { setTimeout as sleep } from "node:timers/promises";
import { closeAll, connectClient, forEachLimited, joinRoom, type ChatSocket } from "./chat-client.js";
import { readProc } from "./proc-stats.js";
import { median } from "./stats.js";

export interface IdleResult {
  connections: number;
  rooms: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerConnectionBytes: number;
  /** Connecting and joining everyone, with CONNECT_CONCURRENCY in flight. */
  connectAndJoinMs: number;
  serverCpuSeconds: number;
  disconnects: number;
  /** Every repeat's figure when the workload ran more than once; this result is the median one. */
  rssPerConnectionSamplesBytes?: number[];
}

const CONNECT_CONCURRENCY = 50;
/** Lets the first connection's lazy work (module loads, JIT, statement caches) settle before "before". */
const WARM_SETTLE_MS = 1000;
/** Lets the connection burst's garbage and socket buffers settle before "after". */
const IDLE_SETTLE_MS = 2000;
const RSS_SAMPLES = 5;
const RSS_SAMPLE_GAP_MS = 100;

export async function runIdleConnections(url: string, pid: number, connections: number, rooms: number): Promise<IdleResult> {
  await warmUp(url);
  await sleep(WARM_SETTLE_MS);
  const rssBeforeBytes = await sampleRss(pid);
  const cpuBefore = readProc(pid).cpuSeconds;

  const sockets: ChatSocket[] = [];
  let disconnects = 0;
  let isOver = false;
  const started = performance.now();
  try {
    await forEachLimited(Array.from({ length: connections }, (_, i) => i), CONNECT_CONCURRENCY, async (i) => {
      const socket = await connectClient(url);
      sockets.push(socket);
      socket.on("disconnect", () => {
        if (!isOver) disconnects++;
      });
      await joinRoom(socket, `idle${i % rooms}`, `idle${i}`);
    });
    const connectAndJoinMs = performance.now() - started;
    await sleep(IDLE_SETTLE_MS);
    const rssAfterBytes = await sampleRss(pid);
    return {
      connections,
      rooms,
      rssBeforeBytes,
      rssAfterBytes,
      rssPerConnectionBytes: (rssAfterBytes - rssBeforeBytes) / connections,
      connectAndJoinMs,
      serverCpuSeconds: readProc(pid).cpuSeconds - cpuBefore,
      disconnects,
    };
  } finally {
    isOver = true;
    closeAll(sockets);
  }
}

/** One full connect, join, send, leave, so "before" already includes the code every member uses. */
async function warmUp(url: string): Promise<void> {
  const socket = await connectClient(url);
  try {
    await joinRoom(socket, "idlewarm", "idlewarm");
    await socket.timeout(5000).emitWithAck("send_message", { username: "idlewarm", room: "idlewarm", content: "warm-up", clientId: crypto.randomUUID() });
  } finally {
    closeAll([socket]);
  }
}

async function sampleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    samples.push(readProc(pid).rssBytes);
    await sleep(RSS_SAMPLE_GAP_MS);
  }
  return median(samples);
}
