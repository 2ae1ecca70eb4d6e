// Foreign cost (issue 21): the CPU a node spends on rooms where it has no member, as a share of what the node
// serving them spends. Starts the built server as N nodes on PostgreSQL + Redis (storm-servers.ts), puts every
// member of the busy rooms on node A, gives node B one member in a quiet room of its own, and reads each node's
// CPU seconds from /proc/<pid>/stat over busy windows alternating with idle ones, all of one
// length. Foreign cost = (B busy - B idle) / (A busy - A idle): idle CPU (timers, heartbeats) is subtracted.
//
// On 2 shared cores an idle node's own timers (the admission's event-loop monitor wakes 100 times a second) cost
// more CPU while the machine is busy, whether or not the node hears anything. A control measures that: the same
// build started alone (SQLite, no Redis, no cluster), which no cluster traffic can reach. Its busy-minus-idle is
// printed, and the foreign cost is also given with it subtracted.
//
//   npm run build && node --import tsx bench/foreign-cost.ts [--nodes 3] [--rooms 10] [--members 5] [--rate 10] [--seconds 10] [--rounds 3]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { closeAll, connectClient, joinRoom, type ChatSocket } from "./chat-client.js";
import { addCounters as add, cpuOver, sendFor, type PacedSender } from "./cpu-windows.js";
import { startClusterNodes, startSingleNode, type StormSetup } from "./storm-servers.js";

interface Options {
  nodes: number;
  rooms: number;
  members: number;
  /** Messages per second per busy room. */
  rate: number;
  /** Length of each window. */
  seconds: number;
  /** Busy windows, each after an idle one. */
  rounds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: "string", default: "3" },
      rooms: { type: "string", default: "10" },
      members: { type: "string", default: "5" },
      rate: { type: "string", default: "10" },
      seconds: { type: "string", default: "10" },
      rounds: { type: "string", default: "3" },
    },
  });
  const num = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return { nodes: Math.max(2, num("nodes")), rooms: num("rooms"), members: num("members"), rate: num("rate"), seconds: num("seconds"), rounds: num("rounds") };
}

/** Every node's pid, then the control's (last). */
function pidsOf(setups: StormSetup[]): number[] {
  return setups.flatMap((setup) => Array.from({ length: setup.nodes }, (_, i) => setup.pid(i)));
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "foreign-cost-"));
  const entry = resolve("dist/server.js");
  const setup = await startClusterNodes(entry, dir, opts.nodes);
  const control = await startSingleNode(entry, dir); // its SQLite file beside the nodes' (unused) ones
  const both = [setup, control];
  const sockets: ChatSocket[] = [];
  try {
    const [urlA, urlB] = setup.urls as [string, string];
    const senders: PacedSender[] = [];
    for (let r = 0; r < opts.rooms; r++) {
      const room = `busy-${r}`;
      for (let m = 0; m < opts.members; m++) {
        const socket = await connectClient(urlA);
        sockets.push(socket);
        await joinRoom(socket, room, `user${m}`);
        if (m === 0) senders.push({ socket, room, username: `user${m}` });
      }
    }
    // Node B serves somebody too (a quiet room), so it is a working node, not an empty one.
    const quiet = await connectClient(urlB);
    sockets.push(quiet);
    await joinRoom(quiet, "quiet", "loner");

    await sleep(2000); // let start-up and joins settle before the idle window
    // Busy windows alternate with idle ones (one more idle than busy), and the idle mean is subtracted: the
    // machine's other work drifts over a run, and a spike in one window weighs less.
    const windowMs = opts.seconds * 1000;
    let idleSum: number[] = [];
    let busy: number[] = [];
    const sent = { acked: 0, failed: 0 };
    for (let r = 0; r < opts.rounds; r++) {
      idleSum = add(idleSum, await cpuOver(pidsOf(both), windowMs));
      busy = add(
        busy,
        await cpuOver(pidsOf(both), windowMs, async () => {
          const counts = await sendFor(senders, opts.rate, windowMs);
          sent.acked += counts.acked;
          sent.failed += counts.failed;
        }),
      );
    }
    idleSum = add(idleSum, await cpuOver(pidsOf(both), windowMs));
    const idle = idleSum.map((x) => (x / (opts.rounds + 1)) * opts.rounds);
    const work = busy.map((b, i) => b - (idle[i] ?? 0));
    const served = work[0] ?? 0;
    const floor = work[opts.nodes] ?? 0; // the control's
    console.log(`${setup.label}: ${opts.rooms} rooms × ${opts.members} members on node A, ${opts.rate} msg/s each, ${opts.rounds} busy windows of ${opts.seconds} s between ${opts.rounds + 1} idle ones`);
    console.log(`sent ${sent.acked} acknowledged, ${sent.failed} failed`);
    console.log("process       idle CPU s   busy CPU s   work CPU s   share of node A's work   minus the control's");
    work.forEach((w, i) => {
      const name = i === opts.nodes ? "control" : `node ${String.fromCharCode(65 + i)}`;
      const share = i === 0 ? "(serves the rooms)" : `${pct(w / served)}`.padEnd(24) + (i === opts.nodes ? "" : pct((w - floor) / served));
      console.log(`${name.padEnd(12)}${(idle[i] ?? 0).toFixed(2).padStart(12)}${(busy[i] ?? 0).toFixed(2).padStart(13)}${w.toFixed(2).padStart(13)}   ${share}`);
    });
    const foreign = work.slice(1, opts.nodes);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`foreign cost (mean of the nodes without members): ${pct(mean(foreign) / served)}; minus the control's: ${pct((mean(foreign) - floor) / served)}`);
  } finally {
    closeAll(sockets);
    await setup.stop();
    await control.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
