// The measurement of `npm run bench -- --scale` (issue 21 §3): for each cluster size (1, 2, 3, 5 nodes on PostgreSQL +
// Redis, Debian's, fsync on; storm-servers.ts) the same traffic per node (or, with --share total, the same total
// traffic; ScaleSizes.share) three times, rooms placed per node, rooms spread
// round robin, and pages through the documented nginx, which places them by room (scale-layout.ts, scale-nginx.ts),
// plus, from 2 nodes on, only node A's placed rooms busy (the foreign cost). CPU
// comes from /proc per process (nodes, the postmaster with its backends, redis-server), never from wall time: on 2
// shared cores throughput cannot show scaling, CPU per useful delivery can. Busy windows alternate with idle ones of
// the same length, and the idle mean is subtracted, as in foreign-cost.ts (whose helpers, cpu-windows.ts, this uses).
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { closeAll, connectClient, forEachLimited, joinRoom, type ChatSocket } from "./chat-client.js";
import { addCounters, deltaOver, sendClosedLoop, sendFor, type PacedSender, type SendCounts } from "./cpu-windows.js";
import { readCpuSeconds, readLoadAverage, readProcessTreeCpuSeconds } from "./proc-stats.js";
import { readRedisNetBytes } from "./redis-info.js";
import { meanInterestedNodes, seatClients, type Placement, type Seat } from "./scale-layout.js";
import { affinityOf, nodeOfRoom, startScaleNginx } from "./scale-nginx.js";
import { workOver, type ClosedLoopResult, type PhaseResult, type ScaleRow } from "./scale-math.js";
import { startClusterNodes, startSingleNode, type ClusterServices, type StormSetup } from "./storm-servers.js";

/**
 * "node": every node carries the same traffic at every cluster size (the rooms grow with the nodes), which is how a
 * cluster grows with its users and what "nodes add capacity" means: CPU per delivery flat in N at a fixed load per
 * node. "total": the same rooms at every size, so each node's load falls as 1/N (the first runs' series).
 */
export type ScaleShare = "node" | "total";

export interface ScaleSizes {
  nodeCounts: number[];
  share: ScaleShare;
  /** Rooms per placement: per node with share "node", in all with "total" (30 divides over 1, 2, 3 and 5 nodes). */
  rooms: number;
  members: number;
  /** Messages per second per room while its phase is busy. */
  rate: number;
  windowSeconds: number;
  /** Busy windows per phase, each after an idle one. */
  rounds: number;
  closedLoopSeconds: number;
}

// --quick is a smoke run (110-141 s on 2 cores; its 2 s windows are too short to judge a few per cent of foreign
// cost); the full sizes took 527-583 s with share "total". With share "node", 6 rooms a node: the 5-node row carries
// what the "total" series' 1-node row carries (30 rooms), all the machine's 2 cores hold beside PostgreSQL, Redis and
// this load generator.
const QUICK: Omit<ScaleSizes, "share" | "rooms"> = { nodeCounts: [1, 2, 3, 5], members: 6, rate: 4, windowSeconds: 2, rounds: 1, closedLoopSeconds: 2 };
const FULL: Omit<ScaleSizes, "share" | "rooms"> = { nodeCounts: [1, 2, 3, 5], members: 16, rate: 6, windowSeconds: 8, rounds: 2, closedLoopSeconds: 6 };

export function scaleSizes(isQuick: boolean, share: ScaleShare): ScaleSizes {
  return { ...(isQuick ? QUICK : FULL), share, rooms: share === "node" ? 6 : 30 };
}

/** Rooms per placement on a cluster of `nodes`. */
export function roomsAt(sizes: Pick<ScaleSizes, "share" | "rooms">, nodes: number): number {
  return sizes.share === "node" ? sizes.rooms * nodes : sizes.rooms;
}

/** Handshakes and joins in flight while seating: enough to be quick, few enough not to measure the accept queue. */
const SEATING_CONCURRENCY = 16;
/** Sends each closed-loop sender keeps in flight. */
const CLOSED_LOOP_DEPTH = 2;

type PhaseName = "placed" | "foreign" | "spread" | "nginx";

interface Seated {
  seats: Seat[];
  sockets: ChatSocket[];
}

export async function runScaleBench(opts: { sizes: ScaleSizes; appEntry: string; workDir: string; progress: (line: string) => void }): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const nodes of opts.sizes.nodeCounts) {
    const dir = mkdtempSync(join(opts.workDir, `scale-${nodes}-`));
    const setup = await startClusterNodes(opts.appEntry, dir, nodes);
    // The control (foreign-cost.ts's): the same build alone on SQLite, which no cluster traffic reaches. What its idle
    // work costs more while the machine is busy is contention, and is taken off the foreign cost beside the raw one.
    const control = nodes >= 2 ? await startSingleNode(opts.appEntry, dir) : undefined;
    try {
      rows.push(await measureCluster(setup, control, opts.sizes, opts.progress));
    } finally {
      await setup.stop();
      await control?.stop();
    }
    opts.progress(`scale: ${nodes} node${nodes === 1 ? "" : "s"} done; load average ${readLoadAverage()}`);
  }
  return rows;
}

async function measureCluster(setup: StormSetup, control: StormSetup | undefined, sizes: ScaleSizes, progress: (line: string) => void): Promise<ScaleRow> {
  const services = setup.services;
  if (services === undefined) throw new Error("the scale bench needs a cluster set-up (PostgreSQL + Redis)");
  const n = setup.nodes;
  const rooms = roomsAt(sizes, n);
  const receipts = new Array<number>(n).fill(0);
  const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const nginx = await startScaleNginx(setup.urls);
  const seated: Seated[] = [];
  try {
    for (const placement of ["placed", "spread"] as const) seated.push(await seat(setup, placement, rooms, sizes, receipts));
    const nodeOf = new Map<string, number>();
    for (let r = 0; r < rooms; r++) nodeOf.set(`nginx-${r}`, await nodeOfRoom(nginx, setup.urls, `nginx-${r}`));
    seated.push(
      await seat(setup, "nginx", rooms, sizes, receipts, { url: nginx.url, nodeOf: (room) => nodeOf.get(room) ?? -1 }).catch((err: unknown) => {
        throw new Error(`${String(err)}; nginx's error log: ${nginx.errorLog().slice(-2000)}`);
      }),
    );
    const [placed, spread, byRoom] = seated as [Seated, Seated, Seated];
    await expectSockets(setup, seated);
    progress(`scale: ${n} node${n === 1 ? "" : "s"} up, ${seated.reduce((a, s) => a + s.sockets.length, 0)} clients joined; through nginx ${roomsPerNode(byRoom, n)} rooms per node`);
    await sleep(2000); // let start-up and joins settle before the first idle window

    const senders = (s: Seated, onlyNode?: number): PacedSender[] =>
      s.seats.flatMap((seat, i) => (seat.isSender && (onlyNode === undefined || seat.node === onlyNode) ? [{ socket: s.sockets[i] as ChatSocket, room: seat.room, username: seat.username }] : []));
    // The foreign phase sends the placed phase's whole traffic through node A's rooms (each at N times the rate): the
    // machine is as busy as in the other phases, and node A's work is large enough that the other nodes' idle noise,
    // subtracted, does not swamp a share of a few per cent (with 6 rooms a node at 6 msg/s it did: -11 to +8 %).
    const phases: { name: PhaseName; senders: PacedSender[]; seats: Seat[]; rate: number }[] = [
      { name: "placed", senders: senders(placed), seats: placed.seats, rate: sizes.rate },
      ...(n >= 2 ? [{ name: "foreign" as const, senders: senders(placed, 0), seats: placed.seats.filter((s) => s.node === 0), rate: sizes.rate * n }] : []),
      { name: "spread", senders: senders(spread), seats: spread.seats, rate: sizes.rate },
      { name: "nginx", senders: senders(byRoom), seats: byRoom.seats, rate: sizes.rate },
    ];
    const read = readingOf(setup, services, redis, receipts, control);
    const windowMs = sizes.windowSeconds * 1000;
    let idleSum: number[] = [];
    let idleWindows = 0;
    const idle = async (): Promise<void> => {
      idleSum = addCounters(idleSum, await deltaOver(read, () => sleep(windowMs)));
      idleWindows++;
    };
    const busy = new Map<PhaseName, { sum: number[]; sent: SendCounts; ms: number }>();
    for (let r = 0; r < sizes.rounds; r++) {
      for (const phase of phases) {
        await idle();
        const sent: SendCounts = { acked: 0, failed: 0 };
        const started = performance.now();
        const delta = await deltaOver(read, async () => void Object.assign(sent, await sendFor(phase.senders, phase.rate, windowMs)));
        const so = busy.get(phase.name) ?? { sum: [], sent: { acked: 0, failed: 0 }, ms: 0 };
        busy.set(phase.name, { sum: addCounters(so.sum, delta), sent: { acked: so.sent.acked + sent.acked, failed: so.sent.failed + sent.failed }, ms: so.ms + performance.now() - started });
      }
    }
    await idle();
    const closedLoop = await runClosedLoop(phases[0]?.senders ?? [], sizes, receipts);
    const result = (name: PhaseName): PhaseResult => {
      const b = busy.get(name);
      const phase = phases.find((p) => p.name === name);
      if (b === undefined || phase === undefined) throw new Error(`no ${name} phase`);
      return toPhaseResult(n, workOver(b.sum, idleSum, idleWindows, sizes.rounds), b.sent, b.ms / 1000, meanInterestedNodes(phase.seats.filter((s) => phase.senders.some((p) => p.room === s.room))));
    };
    return {
      nodes: n,
      rooms,
      placed: result("placed"),
      ...(n >= 2 ? { foreign: result("foreign") } : {}),
      spread: result("spread"),
      nginx: result("nginx"),
      closedLoop,
      loadAverage: readLoadAverage(),
    };
  } finally {
    for (const s of seated) closeAll(s.sockets);
    redis.disconnect();
    await nginx.remove();
  }
}

/**
 * Connects and joins every seat's client on its node (or through nginx, with the room's `affinity` as the page
 * sends it); each client's "message" events count for its node.
 */
async function seat(setup: StormSetup, placement: Placement, rooms: number, sizes: ScaleSizes, receipts: number[], via?: { url: string; nodeOf: (room: string) => number }): Promise<Seated> {
  const seats = seatClients(placement, setup.nodes, rooms, sizes.members, via?.nodeOf);
  const sockets = new Array<ChatSocket>(seats.length);
  await forEachLimited(seats, SEATING_CONCURRENCY, async (s, i) => {
    const socket = via ? await connectClient(via.url, { affinity: affinityOf(s.room) }) : await connectClient(setup.urls[s.node] ?? "");
    sockets[i] = socket;
    socket.on("message", () => void (receipts[s.node] = (receipts[s.node] ?? 0) + 1));
    await joinRoom(socket, s.room, s.username);
  });
  return { seats, sockets };
}

/** Each node holds exactly the sockets its seats say: nginx put every page where its room's handshake went. */
async function expectSockets(setup: StormSetup, seated: readonly Seated[]): Promise<void> {
  for (let node = 0; node < setup.nodes; node++) {
    const expected = seated.reduce((a, s) => a + s.seats.filter((seat) => seat.node === node).length, 0);
    const text = await (await fetch(`${setup.urls[node] ?? ""}/metrics`)).text();
    const got = Number(/^mr_connected_sockets(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? "NaN");
    if (got !== expected) throw new Error(`node ${node} holds ${got} sockets, its seats say ${expected}: nginx placed pages elsewhere`);
  }
}

function roomsPerNode(s: Seated, nodes: number): string {
  const rooms = (node: number): number => new Set(s.seats.filter((seat) => seat.node === node).map((seat) => seat.room)).size;
  return Array.from({ length: nodes }, (_, i) => rooms(i)).join("/");
}

/**
 * The counters one window reads, in this order: each node's CPU, PostgreSQL's (postmaster and backends), Redis's,
 * Redis's bytes in and out, each node's receipts, then the control's CPU (when there is one). toPhaseResult reads
 * them back in the same order.
 */
function readingOf(setup: StormSetup, services: ClusterServices, redis: Redis, receipts: readonly number[], control?: StormSetup): () => Promise<number[]> {
  const nodePids = Array.from({ length: setup.nodes }, (_, i) => setup.pid(i));
  const controlPid = control?.pid(0);
  return async () => {
    const net = await readRedisNetBytes(redis);
    const controlCpu = controlPid === undefined ? [] : [readCpuSeconds(controlPid)];
    return [...nodePids.map(readCpuSeconds), readProcessTreeCpuSeconds(services.postgresPid()), readCpuSeconds(services.redisPid()), net.inBytes, net.outBytes, ...receipts, ...controlCpu];
  };
}

function toPhaseResult(n: number, work: readonly number[], sent: SendCounts, seconds: number, interestedNodes: number): PhaseResult {
  const at = (i: number): number => work[i] ?? NaN;
  return {
    messages: sent.acked,
    failed: sent.failed,
    nodeWorkCpuSeconds: work.slice(0, n),
    postgresWorkCpuSeconds: at(n),
    redisWorkCpuSeconds: at(n + 1),
    redisInBytes: at(n + 2),
    redisOutBytes: at(n + 3),
    // Idle windows deliver nothing, so the subtraction leaves the busy windows' receipts; rounded against float dust.
    deliveries: work.slice(n + 4, n + 4 + n).map(Math.round),
    ...(work.length > 2 * n + 4 ? { controlWorkCpuSeconds: at(2 * n + 4) } : {}),
    interestedNodes,
    seconds,
  };
}

async function runClosedLoop(senders: readonly PacedSender[], sizes: ScaleSizes, receipts: readonly number[]): Promise<ClosedLoopResult> {
  const sent: SendCounts = { acked: 0, failed: 0 };
  const started = performance.now();
  const delivered = await deltaOver(
    () => [...receipts],
    async () => void Object.assign(sent, await sendClosedLoop(senders, sizes.closedLoopSeconds * 1000, CLOSED_LOOP_DEPTH)),
  );
  // Deliveries still on their way at the last ack are not counted: a few dozen of thousands.
  return { seconds: (performance.now() - started) / 1000, messages: sent.acked, deliveries: delivered.reduce((a, b) => a + b, 0) };
}
