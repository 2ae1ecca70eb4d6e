// Measuring windows of paced chat traffic from outside the servers (issue 21's foreign cost and --scale): a reading
// of counters (CPU seconds of processes from /proc, Redis byte counters, receipts) before and after a window, and
// senders that post at a fixed rate. Shared by foreign-cost.ts and the scale bench so both count the same way.
import { setTimeout as sleep } from "node:timers/promises";
import { ACK_TIMEOUT_MS, type ChatSocket } from "./chat-client.js";
import { readCpuSeconds } from "./proc-stats.js";

export interface PacedSender {
  socket: ChatSocket;
  room: string;
  username: string;
}

export interface SendCounts {
  acked: number;
  failed: number;
}

/** The change of every counter `read` returns over `during` (a plain wait of `ms` by default). */
export async function deltaOver(read: () => Promise<number[]> | number[], during: () => Promise<void>): Promise<number[]> {
  const before = await read();
  await during();
  const after = await read();
  return after.map((x, i) => x - (before[i] ?? 0));
}

/** CPU seconds of each pid (all its threads) over `during`, or over a wait of `ms`. */
export function cpuOver(pids: readonly number[], ms: number, during: () => Promise<void> = () => sleep(ms)): Promise<number[]> {
  return deltaOver(() => pids.map(readCpuSeconds), during);
}

/** Every sender posts `rate` messages a second for `ms`; resolves when every ack is in. */
export async function sendFor(senders: readonly PacedSender[], rate: number, ms: number): Promise<SendCounts> {
  const counts: SendCounts = { acked: 0, failed: 0 };
  const intervalMs = 1000 / rate;
  const until = Date.now() + ms;
  const acks: Promise<void>[] = [];
  await Promise.all(
    senders.map(async ({ socket, room, username }, i) => {
      await sleep((intervalMs * i) / senders.length); // spread the rooms' sends over the interval
      for (let n = 0; Date.now() < until; n++) {
        const next = Date.now() + intervalMs;
        acks.push(
          socket
            .timeout(ACK_TIMEOUT_MS)
            .emitWithAck("send_message", { room, username, content: `message ${n} of ${room}: some ordinary chat text` })
            .then((res) => void (res.ok ? counts.acked++ : counts.failed++), () => void counts.failed++),
        );
        await sleep(Math.max(0, next - Date.now()));
      }
    }),
  );
  await Promise.all(acks);
  return counts;
}

/** Element-wise sum; a missing element counts as 0 (the first sum starts from []). */
export function addCounters(a: readonly number[], b: readonly number[]): number[] {
  const length = Math.max(a.length, b.length);
  return Array.from({ length }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

/** Every sender keeps `depth` sends in flight (a new one as each ack comes back) for `ms`: as fast as the set-up goes. */
export async function sendClosedLoop(senders: readonly PacedSender[], ms: number, depth: number): Promise<SendCounts> {
  const counts: SendCounts = { acked: 0, failed: 0 };
  const until = Date.now() + ms;
  const loop = async ({ socket, room, username }: PacedSender, lane: number): Promise<void> => {
    for (let n = 0; Date.now() < until; n++) {
      const res = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("send_message", { room, username, content: `closed loop ${lane}.${n} of ${room}: some ordinary chat text` })
        .catch(() => null);
      if (res?.ok === true) counts.acked++;
      else counts.failed++;
    }
  };
  await Promise.all(senders.flatMap((sender) => Array.from({ length: depth }, (_, lane) => loop(sender, lane))));
  return counts;
}
