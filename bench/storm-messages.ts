// What the restart storm's main process and its client workers (child processes) say to each other over IPC
// (structured clone: typed arrays cross as they are). A worker first gets its share (WorkerInit) and says it is
// ready; then the main process sends a command with an id, and each worker answers it once with the same id.
// Unasked, a worker reports each client going out of its room and back in, with the time (storm-clock.ts), so
// the main process knows the moment every client is back.
import type { ConfirmedMessage } from "./storm-outbox.js";
import type { TimeWindow, WindowReport } from "./storm-observations.js";
import type { ClientSpec } from "./storm-plan.js";

export interface WorkerInit {
  runTag: string;
  urls: string[];
  clients: ClientSpec[];
  setupConcurrency: number;
  sendIntervalMs: number;
}

/** Each command's parameters and its answer. */
export interface Commands {
  /** Page load, connection and first join of every client. */
  connect: { params: object; reply: { failures: string[]; setupMs: number } };
  /** Until every client's people list holds its whole room (the first joins' notices and presence have arrived). */
  settle: { params: { timeoutMs: number }; reply: { unsettled: number } };
  start_traffic: { params: object; reply: object };
  /** Senders stop composing; answered once every outbox is empty (or at the timeout). */
  stop_traffic: { params: { timeoutMs: number }; reply: StopReply };
  /** Answered once every client has every confirmed message of its room and is caught up (or at the timeout). */
  verify: { params: { confirmed: Record<number, number[]>; timeoutMs: number; windows: TimeWindow[] }; reply: VerifyReply };
  close: { params: object; reply: object };
}

export type CommandName = keyof Commands;

export type WorkerCommand = { [K in CommandName]: { id: number; type: K } & Commands[K]["params"] }[CommandName];

export interface SenderReport {
  roomIndex: number;
  composed: number;
  confirmed: ConfirmedMessage[];
  /** Still unconfirmed when the outboxes were waited for. */
  pending: number;
  givenUp: number[];
  failures: Record<string, number>;
}

export interface StopReply {
  senders: SenderReport[];
  isIdle: boolean;
}

export interface VerifyReply {
  /** Global indexes of this worker's clients, in the order of the per-client arrays. */
  clients: number[];
  isDrained: boolean;
  notCaughtUp: number;
  /** Confirmed messages that never reached a client back in its room and caught up. */
  lost: number;
  /** Confirmed messages not received by clients still out of their room at the end: owed, not checkable. */
  owedToClientsOut: number;
  liveDuplicates: number;
  liveAndHistory: number;
  historyRepeats: number;
  unconfirmedReceived: number;
  unexpected: number;
  /** Clients whose people list at the end is not exactly their room. */
  wrongPeopleLists: number;
  /** Clients that gave up on their room (a refusal the page cannot get past), by code. */
  lostRooms: Record<string, number>;
  examples: string[];
  windows: WindowReport[];
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "state"; client: number; isIn: boolean; atMs: number }
  | { [K in CommandName]: { type: "reply"; id: number; command: K; body: Commands[K]["reply"] } }[CommandName]
  | { type: "failed"; id: number; error: string };
