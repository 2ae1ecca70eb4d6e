// Message traffic workloads (1, 2 and 5): members join their rooms, then senders either run a closed
// loop (next send after the ack) for a while or fire a burst as fast as they can; then the run waits
// until every member has every message, and the ledger checks loss, duplicates and order.
import { setTimeout as sleep } from "node:timers/promises";
import type { Ack, SendResult } from "../src/protocol.js";
import { ACK_TIMEOUT_MS, closeAll, connectClient, forEachLimited, joinRoom, type ChatSocket } from "./chat-client.js";
import { DeliveryLedger, type Member, type Sender, type Violations } from "./delivery-ledger.js";
import { startMeter, type WindowFigures } from "./meter.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface RoomPlan {
  room: string;
  members: number;
  /** The first `senders` members also send. */
  senders: number;
}

export type Drive = { kind: "closed_loop"; durationMs: number } | { kind: "burst"; messages: number };

export interface TrafficPlan {
  /** Short id used in room names, user names and message contents. */
  tag: string;
  rooms: RoomPlan[];
  drive: Drive;
  /** Several nodes: client i connects to urls[i % urls.length] (default: every client to `url`). */
  urls?: readonly string[];
}

export interface TrafficResult {
  clients: number;
  emitted: number;
  acked: number;
  received: number;
  expected: number;
  sendsPerSec: number;
  deliveredPerSec: number;
  /** Emit to each member's receipt (sender included), loadgen clock. */
  latencyMs: Percentiles;
  ackLatencyMs: Percentiles;
  /** First emit to the last delivery: the burst workload's figure. */
  completionMs: number;
  window: WindowFigures;
  violations: Violations;
  /** Connections that dropped or server errors pushed during the run (each fails it). */
  disconnects: number;
  chatErrors: number;
}

const CONNECT_CONCURRENCY = 50;
/** How long, after the last send, every member gets to receive everything before it counts as lost. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 5;
/** Lets the last "has joined" notices arrive before the clock starts: they are not traffic. */
const JOIN_SETTLE_MS = 300;

export async function runTraffic(url: string, pid: number | readonly number[], plan: TrafficPlan): Promise<TrafficResult> {
  const ledger = new DeliveryLedger(`${plan.tag}-${Date.now().toString(36)}`);
  const seats = plan.rooms.flatMap((room, r) =>
    Array.from({ length: room.members }, (_, i) => ({ room: room.room, username: `${plan.tag}r${r}u${i}`, sends: i < room.senders })),
  );
  const sockets: ChatSocket[] = [];
  const drivers: { socket: ChatSocket; sender: Sender }[] = [];
  let disconnects = 0;
  let chatErrors = 0;
  let isOver = false;

  try {
    await forEachLimited(seats, CONNECT_CONCURRENCY, async (seat, i) => {
      const socket = await connectClient(plan.urls?.[i % plan.urls.length] ?? url);
      sockets.push(socket);
      const member: Member = ledger.addMember(seat.room, seat.username);
      socket.on("message", (event) => ledger.recordReceipt(member, event, performance.now()));
      socket.on("disconnect", () => {
        if (!isOver) disconnects++;
      });
      socket.on("chat_error", () => chatErrors++);
      await joinRoom(socket, seat.room, seat.username);
      if (seat.sends) drivers.push({ socket, sender: ledger.addSender(seat.room, seat.username) });
    });
    await sleep(JOIN_SETTLE_MS);

    const meter = startMeter(pid);
    const startedAt = performance.now();
    if (plan.drive.kind === "closed_loop") {
      const endAt = startedAt + plan.drive.durationMs;
      await Promise.all(drivers.map((d) => closedLoop(ledger, d.socket, d.sender, endAt)));
    } else {
      for (const d of drivers) burst(ledger, d.socket, d.sender, plan.drive.messages);
    }
    const drained = await waitDrained(ledger);
    if (!drained) ledger.expireUnacked();
    const window = meter.stop();
    isOver = true;

    const sendSeconds = (ledger.lastAckAt - startedAt) / 1000;
    const deliverSeconds = (ledger.lastReceiptAt - startedAt) / 1000;
    return {
      clients: seats.length,
      emitted: ledger.emitted(),
      acked: ledger.acked,
      received: ledger.received,
      expected: ledger.expectedReceipts,
      sendsPerSec: ledger.acked / sendSeconds,
      deliveredPerSec: ledger.received / deliverSeconds,
      latencyMs: percentiles(ledger.latenciesMs),
      ackLatencyMs: percentiles(ledger.ackLatenciesMs),
      completionMs: drained ? ledger.lastReceiptAt - startedAt : NaN,
      window,
      violations: ledger.verify(),
      disconnects,
      chatErrors,
    };
  } finally {
    isOver = true;
    closeAll(sockets);
  }
}

async function closedLoop(ledger: DeliveryLedger, socket: ChatSocket, sender: Sender, endAt: number): Promise<void> {
  while (performance.now() < endAt) {
    const { content, clientId } = ledger.recordEmit(sender, performance.now());
    const res = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("send_message", { username: sender.username, room: sender.room, content, clientId })
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    ledger.recordAck(content, res, performance.now());
    if (res instanceof Error || !res.ok) return; // one failure already fails the run; don't pile on
  }
}

/** Emits every message in one synchronous loop: as fast as this client can, acks arriving later. */
function burst(ledger: DeliveryLedger, socket: ChatSocket, sender: Sender, messages: number): void {
  for (let i = 0; i < messages; i++) {
    const { content, clientId } = ledger.recordEmit(sender, performance.now());
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emit("send_message", { username: sender.username, room: sender.room, content, clientId }, (err: Error | null, res: Ack<SendResult>) =>
        ledger.recordAck(content, err ?? res, performance.now()),
      );
  }
}

async function waitDrained(ledger: DeliveryLedger): Promise<boolean> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (!ledger.isDrained()) {
    if (performance.now() > deadline) return false;
    await sleep(DRAIN_POLL_MS);
  }
  return true;
}
