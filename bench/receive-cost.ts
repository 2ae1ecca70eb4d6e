// What a node pays to receive a room's message from another node (issue 21 §3, rooms spread): node A holds each
// room's sender and some members, node B `--on-b` members of every room. B's CPU per message over busy windows
// (idle subtracted, as foreign-cost.ts counts) is R + k × s: R what B does once per message (Redis, decoding, the
// room sequencer, Socket.IO's encoding), s what each local delivery adds. Two runs with different k separate them:
//
//   npm run build && node --import tsx bench/receive-cost.ts --on-b 1 && node --import tsx bench/receive-cost.ts --on-b 8
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { closeAll, connectClient, joinRoom, type ChatSocket } from "./chat-client.js";
import { addCounters as add, cpuOver, sendFor, type PacedSender } from "./cpu-windows.js";
import { startClusterNodes } from "./storm-servers.js";

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rooms: { type: "string", default: "10" },
      "on-a": { type: "string", default: "4" },
      "on-b": { type: "string", default: "1" },
      rate: { type: "string", default: "10" },
      seconds: { type: "string", default: "8" },
      rounds: { type: "string", default: "3" },
    },
  });
  const num = (v: string | undefined, name: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
    return n;
  };
  return { rooms: num(values.rooms, "rooms"), onA: num(values["on-a"], "on-a"), onB: num(values["on-b"], "on-b"), rate: num(values.rate, "rate"), seconds: num(values.seconds, "seconds"), rounds: num(values.rounds, "rounds") };
}

/** CPU ticks (user, system) of each thread of `pid`, by thread name and id. */
function threadTicks(pid: number): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(`${name}#${tid}`, [Number(fields[11]), Number(fields[12])]);
    } catch {
      // the thread ended
    }
  }
  return out;
}

async function joined(url: string, room: string, name: string, into: ChatSocket[]): Promise<ChatSocket> {
  const socket = await connectClient(url);
  into.push(socket);
  await joinRoom(socket, room, name);
  return socket;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "receive-cost-"));
  // PROFILE_DIR=<dir>: each node runs under --cpu-prof and writes <dir>/node-a.cpuprofile, node-b.cpuprofile at exit.
  const setup = await startClusterNodes(resolve("dist/server.js"), dir, 2, {}, process.env.PROFILE_DIR);
  const sockets: ChatSocket[] = [];
  let delivered = 0;
  try {
    const [urlA, urlB] = setup.urls as [string, string];
    const senders: PacedSender[] = [];
    for (let r = 0; r < opts.rooms; r++) {
      const room = `spread-${r}`;
      for (let m = 0; m < opts.onA; m++) {
        const socket = await joined(urlA, room, `a${m}`, sockets);
        if (m === 0) senders.push({ socket, room, username: "a0" });
      }
      for (let m = 0; m < opts.onB; m++) (await joined(urlB, room, `b${m}`, sockets)).on("message", () => void delivered++);
    }
    await sleep(2000);
    const pids = [setup.pid(0), setup.pid(1)];
    const windowMs = opts.seconds * 1000;
    let idleSum: number[] = [];
    let busy: number[] = [];
    let acked = 0;
    let deliveredInBusy = 0;
    const threadsBefore = threadTicks(setup.pid(1));
    for (let r = 0; r < opts.rounds; r++) {
      idleSum = add(idleSum, await cpuOver(pids, windowMs));
      const before = delivered;
      busy = add(busy, await cpuOver(pids, windowMs, async () => void (acked += (await sendFor(senders, opts.rate, windowMs)).acked)));
      deliveredInBusy += delivered - before;
    }
    idleSum = add(idleSum, await cpuOver(pids, windowMs));
    const threadsAfter = threadTicks(setup.pid(1));
    const threadLines = [...threadsAfter].map(([name, [u, sy]]) => {
      const [u0, s0] = threadsBefore.get(name) ?? [0, 0];
      return { name, user: u - u0, system: sy - s0 };
    }).filter((t) => t.user + t.system > 0).sort((a, b) => b.user + b.system - (a.user + a.system));
    const work = busy.map((b, i) => b - ((idleSum[i] ?? 0) / (opts.rounds + 1)) * opts.rounds);
    const us = (cpu: number, n: number): string => `${((cpu / n) * 1e6).toFixed(1)} µs`;
    console.log(`${opts.rooms} rooms, ${opts.onA} members on A (one sends ${opts.rate}/s), ${opts.onB} on B; ${acked} messages, ${deliveredInBusy} deliveries on B`);
    console.log(`node A: ${(work[0] ?? 0).toFixed(2)} CPU s, ${us(work[0] ?? 0, acked)} per message`);
    console.log(`node B: ${(work[1] ?? 0).toFixed(2)} CPU s, ${us(work[1] ?? 0, acked)} per message, ${us(work[1] ?? 0, deliveredInBusy)} per delivery on B`);
    console.log(`node B's threads over all windows (idle ones too), clock ticks user / system: ${threadLines.map((t) => `${t.name} ${t.user}/${t.system}`).join(", ")}`);
  } finally {
    closeAll(sockets);
    await setup.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
