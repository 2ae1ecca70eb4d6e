// A restart-storm worker, a child process of the bench (storm-workers.ts forks it): holds its share of the
// clients (storm-client.ts), carries out the main process's commands (storm-messages.ts) and reports each client
// going out of its room and back in as it happens. Waits are for events (a people list completing, an outbox
// emptying, the last owed message arriving), each with a deadline so a run that goes wrong still ends with
// figures. A process, not a thread: each has its own open-files limit (10,000 clients and their reconnects
// in one process ran out of it).
import { Agent } from "node:http";
import { forEachLimited } from "./chat-client.js";
import { nowMs } from "./storm-clock.js";
import { StormClient } from "./storm-client.js";
import type { CommandName, Commands, SenderReport, VerifyReply, WorkerCommand, WorkerInit, WorkerMessage } from "./storm-messages.js";
import { Observations, type TimeWindow } from "./storm-observations.js";

const MAX_EXAMPLES = 10;

if (process.send === undefined) throw new Error("storm-worker.ts runs as a child process (bench/storm-workers.ts forks it)");
// The first message is this worker's share; commands follow only once it has said it is ready.
const init = await new Promise<WorkerInit>((resolve) => process.once("message", (msg) => resolve(msg as WorkerInit)));
const seen = new Observations();
const pageAgent = new Agent({ keepAlive: true, maxSockets: init.setupConcurrency });

/** A wait for "every client is so": the clients not yet so, and what to do once there are none. */
class Pending {
  private readonly left = new Set<number>();
  private done: (() => void) | null = null;

  constructor(private readonly isSo: (local: number) => boolean) {}

  /** Resolves once every local index in `all` is so (checked now, then on each update), or false at the deadline. */
  wait(all: Iterable<number>, timeoutMs: number): Promise<boolean> {
    this.left.clear();
    for (const local of all) if (!this.isSo(local)) this.left.add(local);
    if (this.left.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.done = null;
        resolve(false);
      }, timeoutMs);
      this.done = () => {
        clearTimeout(timer);
        this.done = null;
        resolve(true);
      };
    });
  }

  update(local: number): void {
    if (this.done === null) return;
    if (this.isSo(local)) this.left.delete(local);
    else this.left.add(local);
    if (this.left.size === 0) this.done();
  }
}

const clients: StormClient[] = [];
/** Per client during verify: owed messages of its room not received yet. */
let missing: Uint32Array | null = null;
let owed: Map<number, Set<number>> = new Map();

const settled = new Pending((local) => clients[local]?.view.size === clients[local]?.spec.roomSize);
const senderIdle = new Pending((local) => clients[local]?.outbox?.pending() === 0);
const drained = new Pending((local) => {
  const c = clients[local];
  return c !== undefined && (c.lostCode !== null || (c.isCaughtUp && missing?.[local] === 0));
});

init.clients.forEach((spec, local) => {
  clients.push(
    new StormClient(spec, {
      runTag: init.runTag,
      urls: init.urls,
      local,
      seen,
      pageAgent,
      onState: (isIn, atMs) => post({ type: "state", client: spec.index, isIn, atMs }),
      onCaughtUp: () => drained.update(local),
      onFirstReceipt: (seq) => {
        if (missing !== null && owed.get(spec.roomIndex)?.has(seq) === true && (missing[local] ?? 0) > 0) {
          missing[local] = (missing[local] ?? 0) - 1;
          drained.update(local);
        }
      },
      onViewChanged: () => settled.update(local),
      onSenderIdle: () => senderIdle.update(local),
    }),
  );
});
const allLocal = clients.map((_, i) => i);
const senderLocals = allLocal.filter((i) => clients[i]?.outbox !== null);

process.on("message", (cmd: WorkerCommand) => {
  run(cmd).then(
    (body) => post({ type: "reply", id: cmd.id, command: cmd.type, body } as WorkerMessage),
    (err: unknown) => post({ type: "failed", id: cmd.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
post({ type: "ready" });

async function run(cmd: WorkerCommand): Promise<Commands[CommandName]["reply"]> {
  switch (cmd.type) {
    case "connect":
      return connectAll();
    case "settle":
      return { unsettled: (await settled.wait(allLocal, cmd.timeoutMs)) ? 0 : allLocal.filter((i) => clients[i]?.view.size !== clients[i]?.spec.roomSize).length };
    case "start_traffic":
      // Spread over the first interval, as rooms busy on their own would be.
      for (const i of senderLocals) clients[i]?.outbox?.start(init.sendIntervalMs, Math.random() * init.sendIntervalMs);
      return {};
    case "stop_traffic": {
      for (const i of senderLocals) clients[i]?.outbox?.stop();
      const isIdle = await senderIdle.wait(senderLocals, cmd.timeoutMs);
      return { isIdle, senders: senderLocals.map(senderReport) };
    }
    case "verify":
      return verify(cmd.confirmed, cmd.timeoutMs, cmd.windows);
    case "close":
      for (const c of clients) c.close();
      return {};
  }
}

async function connectAll(): Promise<Commands["connect"]["reply"]> {
  const startedAt = nowMs();
  const failures: string[] = [];
  await forEachLimited(clients, init.setupConcurrency, async (client) => {
    await client.start().catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
  });
  return { failures, setupMs: nowMs() - startedAt };
}

function senderReport(local: number): SenderReport {
  const client = clients[local];
  const outbox = client?.outbox;
  if (!client || !outbox) throw new Error(`client ${local} is not a sender`);
  return {
    roomIndex: client.spec.roomIndex,
    composed: outbox.composed(),
    confirmed: outbox.confirmed,
    pending: outbox.pending(),
    givenUp: outbox.givenUp,
    failures: Object.fromEntries(outbox.failures),
  };
}

async function verify(confirmed: Record<number, number[]>, timeoutMs: number, windows: readonly TimeWindow[]): Promise<VerifyReply> {
  owed = new Map(Object.entries(confirmed).map(([room, seqs]) => [Number(room), new Set(seqs)]));
  missing = new Uint32Array(clients.length);
  for (const [local, c] of clients.entries()) {
    let n = 0;
    for (const seq of owed.get(c.spec.roomIndex) ?? []) if (!c.receipts.has(seq)) n++;
    missing[local] = n;
  }
  const isDrained = await drained.wait(allLocal, timeoutMs);
  const reply: VerifyReply = {
    clients: clients.map((c) => c.spec.index),
    isDrained,
    notCaughtUp: clients.filter((c) => !c.isCaughtUp).length,
    lost: 0,
    owedToClientsOut: 0,
    liveDuplicates: 0,
    liveAndHistory: 0,
    historyRepeats: 0,
    unconfirmedReceived: 0,
    unexpected: 0,
    wrongPeopleLists: clients.filter((c) => !hasWholeRoom(c)).length,
    lostRooms: {},
    examples: [],
    windows: windows.map((w) => seen.report(w, clients.length)),
  };
  for (const c of clients) {
    const check = c.receipts.check(owed.get(c.spec.roomIndex) ?? new Set());
    if (c.isCaughtUp) reply.lost += check.lost;
    else reply.owedToClientsOut += check.lost;
    reply.liveDuplicates += check.liveDuplicates;
    reply.liveAndHistory += check.liveAndHistory;
    reply.historyRepeats += check.historyRepeats;
    reply.unconfirmedReceived += check.unconfirmedReceived;
    reply.unexpected += c.unexpected;
    if (c.lostCode !== null) reply.lostRooms[c.lostCode] = (reply.lostRooms[c.lostCode] ?? 0) + 1;
    const room = `r${c.spec.roomIndex}`;
    if (check.lostSeqs.length > 0) example(reply, `${c.spec.username} never got ${room} #${check.lostSeqs.join(", #")}${c.isCaughtUp ? "" : " (not caught up)"}`);
    if (check.duplicatedSeqs.length > 0) example(reply, `${c.spec.username} got ${room} #${check.duplicatedSeqs.join(", #")} more than once live`);
  }
  return reply;
}

/** The people list is the room exactly: every client of it, nobody else. */
function hasWholeRoom(c: StormClient): boolean {
  if (c.view.size !== c.spec.roomSize) return false;
  const prefix = `r${c.spec.roomIndex}u`;
  for (const name of c.view) {
    const seat = Number(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !Number.isSafeInteger(seat) || seat >= c.spec.roomSize) return false;
  }
  return true;
}

function example(reply: VerifyReply, text: string): void {
  if (reply.examples.length < MAX_EXAMPLES) reply.examples.push(text);
}

function post(msg: WorkerMessage): void {
  process.send?.(msg);
}
