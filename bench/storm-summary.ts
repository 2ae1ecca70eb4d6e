// The restart storm's figures from the workers' answers: the ledger (what the senders had confirmed), the
// delivery check (every client against it) and each time window's observations, summed over the workers.
import type { StopReply, VerifyReply } from "./storm-messages.js";
import type { TimeWindow, WindowReport } from "./storm-observations.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface WindowSummary {
  name: string;
  wallSeconds: number;
  joinedAboutOthers: number;
  joinedAboutSelf: number;
  left: number;
  presenceEvents: number;
  presenceNames: number;
  /** Over clients: presence events each received in the window (one room per client). */
  presencePerClient: Percentiles;
  joinedAboutOthersPerClient: Percentiles;
  joins: Record<string, number>;
  disconnects: Record<string, number>;
  connectErrors: number;
  shutdownNotices: number;
  reconnectAfterMs: Percentiles;
  fetchPages: number;
  other: Record<string, number>;
  /** Messages composed in the window and received live: send to receipt. */
  latencyMs: Percentiles;
  /** The same by the node the receiving client was on, with how many receipts each node's clients had. */
  latencyByNode: NodeLatency[];
}

export interface NodeLatency {
  node: number;
  receipts: number;
  latencyMs: Percentiles;
}

export interface LedgerSummary {
  composed: number;
  /** Confirmed by their ack, by an ack saying duplicate (stored on an earlier attempt), or by their own copy arriving. */
  confirmedByAck: number;
  confirmedByDuplicateAck: number;
  confirmedByReceipt: number;
  pendingAtEnd: number;
  givenUp: number;
  sendFailures: Record<string, number>;
}

export type DeliverySummary = Omit<VerifyReply, "clients" | "windows">;

const MAX_EXAMPLES = 10;

/** The confirmed sequence numbers of each room: what every client of the room is owed. */
export function confirmedByRoom(stopped: readonly StopReply[]): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const reply of stopped) for (const s of reply.senders) (out[s.roomIndex] ??= []).push(...s.confirmed.map((c) => c.seq));
  return out;
}

export function ledgerOf(stopped: readonly StopReply[]): LedgerSummary {
  const ledger: LedgerSummary = { composed: 0, confirmedByAck: 0, confirmedByDuplicateAck: 0, confirmedByReceipt: 0, pendingAtEnd: 0, givenUp: 0, sendFailures: {} };
  for (const s of stopped.flatMap((r) => r.senders)) {
    ledger.composed += s.composed;
    ledger.pendingAtEnd += s.pending;
    ledger.givenUp += s.givenUp.length;
    for (const c of s.confirmed) {
      if (c.how === "ack") ledger.confirmedByAck++;
      else if (c.how === "duplicate_ack") ledger.confirmedByDuplicateAck++;
      else ledger.confirmedByReceipt++;
    }
    addCounts(ledger.sendFailures, s.failures);
  }
  return ledger;
}

/** The workers' delivery checks as one: counts summed, drained only if every worker drained, the first examples. */
export function mergeDelivery(replies: readonly VerifyReply[]): DeliverySummary {
  const out: DeliverySummary = {
    isDrained: replies.every((r) => r.isDrained),
    notCaughtUp: 0,
    lost: 0,
    owedToClientsOut: 0,
    liveDuplicates: 0,
    liveAndHistory: 0,
    historyRepeats: 0,
    unconfirmedReceived: 0,
    unexpected: 0,
    wrongPeopleLists: 0,
    lostRooms: {},
    examples: [],
  };
  const summed = ["notCaughtUp", "lost", "owedToClientsOut", "liveDuplicates", "liveAndHistory", "historyRepeats", "unconfirmedReceived", "unexpected", "wrongPeopleLists"] as const;
  for (const r of replies) {
    for (const key of summed) out[key] += r[key];
    addCounts(out.lostRooms, r.lostRooms);
    out.examples.push(...r.examples.slice(0, MAX_EXAMPLES - out.examples.length));
  }
  return out;
}

/** One window's observations over every worker's clients. */
export function summarizeWindow(window: TimeWindow, parts: readonly WindowReport[]): WindowSummary {
  const sum = (pick: (p: WindowReport) => number): number => parts.reduce((n, p) => n + pick(p), 0);
  const merged = (pick: (p: WindowReport) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const p of parts) addCounts(out, pick(p));
    return out;
  };
  const spread = (pick: (p: WindowReport) => ArrayLike<number>): Percentiles => percentiles(parts.flatMap((p) => Array.from(pick(p)).filter(Number.isFinite)));
  return {
    name: window.name,
    wallSeconds: (window.toMs - window.fromMs) / 1000,
    joinedAboutOthers: sum((p) => p.joinedAboutOthers),
    joinedAboutSelf: sum((p) => p.joinedAboutSelf),
    left: sum((p) => p.left),
    presenceEvents: sum((p) => p.presenceEvents),
    presenceNames: sum((p) => p.presenceNames),
    presencePerClient: spread((p) => p.perClientPresence),
    joinedAboutOthersPerClient: spread((p) => p.perClientJoinedAboutOthers),
    joins: merged((p) => p.joins),
    disconnects: merged((p) => p.disconnects),
    connectErrors: sum((p) => p.connectErrors),
    shutdownNotices: sum((p) => p.shutdownNotices),
    reconnectAfterMs: spread((p) => p.reconnectAfterMs),
    fetchPages: sum((p) => p.fetchPages),
    other: merged((p) => p.other),
    latencyMs: spread((p) => p.latenciesMs),
    latencyByNode: byNode(parts),
  };
}

/** Each node's receipts over every worker, in node order. */
function byNode(parts: readonly WindowReport[]): NodeLatency[] {
  const values = new Map<number, number[]>();
  for (const p of parts) {
    for (const [node, latencies] of Object.entries(p.latenciesMsByNode)) {
      const into = values.get(Number(node)) ?? [];
      for (const v of latencies) if (Number.isFinite(v)) into.push(v);
      values.set(Number(node), into);
    }
  }
  return [...values].sort(([a], [b]) => a - b).map(([node, all]) => ({ node, receipts: all.length, latencyMs: percentiles(all) }));
}

export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}
