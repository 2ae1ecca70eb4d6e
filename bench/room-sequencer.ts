// Micro-benchmark of the room sequencer's own cost (issue 10), µs per message, in one process:
// - in order: each message's previousId is the watermark, the common case (no read, no promise);
// - queued: the same messages while a step is pending, so each one goes through the room's promise chain;
// - bare: the delivery callback alone, for reference.
// The delivery callback only counts; Socket.IO's emit and the network are not in these figures.
//   node --import tsx bench/room-sequencer.ts [--messages 200000] [--rounds 5]
import { parseArgs } from "node:util";
import { RoomSequencer } from "../src/cluster/room-sequencer.js";
import type { Logger } from "../src/log.js";
import type { WireMessage } from "../src/protocol.js";
import type { HistoryPage } from "../src/storage/repository.js";

const { values } = parseArgs({ options: { messages: { type: "string", default: "200000" }, rounds: { type: "string", default: "5" } } });
const COUNT = Number(values.messages);
const ROUNDS = Number(values.rounds);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const room = "general";
let delivered = 0;

/** A store whose room is empty: the first member's read answers "nothing yet"; gap reads never happen here. */
const emptyRoom = { page: (): Promise<HistoryPage> => Promise.resolve({ messages: [], hasMore: false }) };

function messages(): WireMessage[] {
  // Ids step by 3, as when other rooms take ids in between: the sequencer must follow previousId, not id + 1.
  return Array.from({ length: COUNT }, (_, i) => ({ id: 3 * (i + 1), room, sender: "ana", content: "Hello everyone, a normal chat line.", timestamp: "2026-11-26 17:00:00", sentAt: "2026-11-26T17:00:00.000Z" }));
}

async function inOrder(list: WireMessage[]): Promise<number> {
  const sequencer = new RoomSequencer({ repo: emptyRoom, deliver: () => void delivered++, resync() {}, log: quiet });
  await sequencer.enter(room);
  const start = process.hrtime.bigint();
  for (let i = 0; i < list.length; i++) void sequencer.offer(list[i] as WireMessage, i === 0 ? 0 : 3 * i);
  return Number(process.hrtime.bigint() - start) / 1000 / list.length;
}

async function queued(list: WireMessage[]): Promise<number> {
  let release = (): void => undefined;
  const held = new Promise<HistoryPage>((resolve) => (release = () => resolve({ messages: [], hasMore: false })));
  const sequencer = new RoomSequencer({ repo: { page: () => held }, deliver: () => void delivered++, resync() {}, log: quiet });
  const entered = sequencer.enter(room); // the first read is pending: every offer below queues behind it
  const start = process.hrtime.bigint();
  const steps = list.map((m, i) => sequencer.offer(m, i === 0 ? 0 : 3 * i));
  release();
  await entered;
  await Promise.all(steps);
  return Number(process.hrtime.bigint() - start) / 1000 / list.length;
}

function bare(list: WireMessage[]): number {
  const deliver = (m: WireMessage): void => void (delivered += m.id > 0 ? 1 : 0);
  const start = process.hrtime.bigint();
  for (const m of list) deliver(m);
  return Number(process.hrtime.bigint() - start) / 1000 / list.length;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const list = messages();
  const results: Record<string, number[]> = { "in order": [], queued: [], bare: [] };
  for (let r = 0; r < ROUNDS; r++) {
    results["in order"]?.push(await inOrder(list));
    results.queued?.push(await queued(list));
    results.bare?.push(bare(list));
  }
  for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(9)} ${median(xs).toFixed(3)} µs/message (median of ${ROUNDS} rounds of ${COUNT})`);
  if (delivered !== 3 * ROUNDS * COUNT) throw new Error(`delivered ${delivered}, expected ${3 * ROUNDS * COUNT}`);
}

void main();
