// What a message costs a process that sleeps between messages, with no code of this app in it (issue 21's R):
// a child that only relays newline-framed lines from one loopback TCP socket to another, fed at a steady rate.
// Its CPU per message (every thread's run time from /proc/<pid>/task/*/schedstat, nanoseconds, the same length of
// idle time subtracted) shows what waking up costs on this machine, apart from anything the app does per message.
//
//   node --import tsx bench/wakeup-cost.ts [--rates 20,100,500,2000] [--seconds 10] [--coalesce-ms 0]
//
// --coalesce-ms N tries interrupt coalescing (as a NIC's driver does): after each read the relay stops reading its
// input for N ms, so the kernel gathers what arrives meanwhile and one wake-up carries several messages. It asks
// whether batching receives on a node's Redis link would make a spread room's once-per-node receive cheaper
// (docs/performance.md, "Coalescing the receives").
import { fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

/** libuv's read switch of a TCP socket. Node has no public way to stop reading: pause() still reads up to the high-water mark. */
interface ReadSwitch {
  readStop(): number;
  readStart(): number;
}

/** The relay: the first line of each connection says which end it is ("OUT" receives, anything else sends). */
function relay(coalesceMs: number): void {
  let out: net.Socket | null = null;
  const server = net.createServer((socket) => {
    socket.once("data", (first) => {
      if (first.toString().startsWith("OUT")) out = socket;
      else
        socket.on("data", (chunk) => {
          out?.write(chunk);
          if (coalesceMs <= 0) return;
          const handle = (socket as unknown as { _handle: ReadSwitch })._handle;
          handle.readStop();
          setTimeout(() => handle.readStart(), coalesceMs);
        });
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    process.send?.({ port: address.port });
  });
}

/** Run time of every thread of `pid` so far, in microseconds (schedstat's first field is nanoseconds on the CPU). */
function runMicros(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1000;
    } catch {
      // a thread that ended between listing and reading
    }
  }
  return sum;
}

async function connect(port: number, hello: string): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(`${hello}\n`);
  return socket;
}

/** Sends `count` lines at `rate` per second, each on its own due time (no bursts to catch up with). */
async function paced(socket: net.Socket, rate: number, count: number, line: string): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    socket.write(line);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rates: { type: "string", default: "20,100,500,2000" }, seconds: { type: "string", default: "10" }, "coalesce-ms": { type: "string", default: "0" } } });
  const rates = values.rates.split(",").map(Number);
  const seconds = Number(values.seconds);
  const child = fork(fileURLToPath(import.meta.url), ["--relay", values["coalesce-ms"]], { execArgv: process.execArgv });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", (m) => resolve(m as { port: number })));
  const pid = child.pid ?? 0;
  const out = await connect(port, "OUT");
  let received = 0;
  out.on("data", (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) received++;
  });
  const input = await connect(port, "IN");
  // Warm-up: the relay's code compiled, and the collections V8 runs after a start (its memory reducer, seconds
  // later) over, before the first idle window.
  await paced(input, 500, 1000, "warm-up\n");
  await sleep(8000);
  // About the size of a chat message's broadcast (a 200-character text with its fields).
  const line = `${JSON.stringify({ room: "r1", id: 1, sender: "Ana", content: "x".repeat(200), timestamp: "2026-12-06T12:00:00.000Z" })}\n`;
  console.log("| messages/s | messages | relayed | relay's CPU per message | CPU, idle window / busy window |\n| ---: | ---: | ---: | ---: | ---: |");
  for (const rate of rates) {
    const idleStart = runMicros(pid);
    await sleep(seconds * 1000);
    const idle = runMicros(pid) - idleStart;
    const count = rate * seconds;
    received = 0;
    const busyStart = runMicros(pid);
    await paced(input, rate, count, line);
    while (received < count) await sleep(10);
    const busy = runMicros(pid) - busyStart;
    console.log(`| ${rate} | ${count} | ${received} | ${((busy - idle) / count).toFixed(1)} µs | ${(idle / 1000).toFixed(1)} / ${(busy / 1000).toFixed(1)} ms |`);
  }
  input.destroy();
  out.destroy();
  child.kill();
}

const relayAt = process.argv.indexOf("--relay");
if (relayAt !== -1) relay(Number(process.argv[relayAt + 1] ?? 0));
else await main();
