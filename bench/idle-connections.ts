// Workload 4: many idle members. Memory per connection is a slope between two connection counts in one process:
// `connections` clients, then as many more, each reading taken after a full GC (issue 20). The first step carries
// fixed costs (code V8 compiles during the join burst, tables that grow once, heap pages committed once) and the
// second nearly none, so the second step's growth per connection is what one more idle tab costs.
// The figure compared is the live heap (V8's heapUsed plus memory outside it, e.g. buffers), as the server reports
// it right after the GC: exact to the byte from run to run. RSS is shown beside it; it moves with when V8 decides
// to grow or shrink its heap, by tens of KB per connection between runs of the same build.
import { closeAll, connectClient, forEachLimited, joinRoom, type ChatSocket } from "./chat-client.js";
import { readProc } from "./proc-stats.js";
import type { RunningServer } from "./server-process.js";

/** Memory after a full GC: the server's own heapUsed + external, and its RSS from /proc. */
export interface MemoryReading {
  liveBytes: number;
  rssBytes: number;
}

export interface IdleResult {
  /** Clients in each step: the server holds this many, then twice as many. */
  connections: number;
  rooms: number;
  /** Warmed up with no clients, with `connections`, with twice as many; each after a full GC. */
  before: MemoryReading;
  firstStep: MemoryReading;
  after: MemoryReading;
  /** The figure to compare: live memory per connection over the second step (connections -> 2 x connections). */
  livePerConnectionBytes: number;
  /** RSS per connection over the same step. */
  rssPerConnectionBytes: number;
  /** The older figures, growth from no clients to `connections`: fixed costs included, shown beside them. */
  livePerConnectionFromNoneBytes: number;
  rssPerConnectionFromNoneBytes: number;
  /** Connecting and joining the first step's clients, with CONNECT_CONCURRENCY in flight. */
  connectAndJoinMs: number;
  serverCpuSeconds: number;
  disconnects: number;
  /** Every repeat's figure when the workload ran more than once; this result is the median one. */
  livePerConnectionSamplesBytes?: number[];
}

const CONNECT_CONCURRENCY = 50;
const GC_LINE = "gc-on-signal: ";
/** What the server must be started with for readings after a full GC (see gc-on-signal.cjs). */
export const GC_ON_SIGNAL_ARGS = ["--expose-gc", `--require=${new URL("gc-on-signal.cjs", import.meta.url).pathname}`];

export async function runIdleConnections(server: RunningServer, connections: number, rooms: number): Promise<IdleResult> {
  await warmUp(server.url);
  const before = await memoryAfterGc(server);
  const cpuBefore = readProc(server.pid).cpuSeconds;

  const sockets: ChatSocket[] = [];
  let disconnects = 0;
  let isOver = false;
  // Members i and i + connections share a room: the second step fills the same rooms, as more tabs of them would.
  const connectStep = (first: number): Promise<void> =>
    forEachLimited(Array.from({ length: connections }, (_, i) => first + i), CONNECT_CONCURRENCY, async (i) => {
      const socket = await connectClient(server.url);
      sockets.push(socket);
      socket.on("disconnect", () => {
        if (!isOver) disconnects++;
      });
      await joinRoom(socket, `idle${i % rooms}`, `idle${i}`);
    });
  try {
    const started = performance.now();
    await connectStep(0);
    const connectAndJoinMs = performance.now() - started;
    const firstStep = await memoryAfterGc(server);
    await connectStep(connections);
    const after = await memoryAfterGc(server);
    const per = (from: MemoryReading, to: MemoryReading, key: keyof MemoryReading): number => (to[key] - from[key]) / connections;
    return {
      connections,
      rooms,
      before,
      firstStep,
      after,
      livePerConnectionBytes: per(firstStep, after, "liveBytes"),
      rssPerConnectionBytes: per(firstStep, after, "rssBytes"),
      livePerConnectionFromNoneBytes: per(before, firstStep, "liveBytes"),
      rssPerConnectionFromNoneBytes: per(before, firstStep, "rssBytes"),
      connectAndJoinMs,
      serverCpuSeconds: readProc(server.pid).cpuSeconds - cpuBefore,
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

/** SIGUSR2 makes the server run a full GC and print its memory (gc-on-signal.cjs); RSS is read from /proc after it. */
export async function memoryAfterGc(server: RunningServer): Promise<MemoryReading> {
  const line = server.nextOutput(GC_LINE);
  process.kill(server.pid, "SIGUSR2");
  const { heapUsed, external } = JSON.parse((await line).slice(GC_LINE.length)) as { heapUsed: number; external: number };
  return { liveBytes: heapUsed + external, rssBytes: readProc(server.pid).rssBytes };
}
