// Everything one worker's clients saw, timestamped (storm-clock.ts), and its summary for one window of the run
// (before the signal, the storm, after): notices and presence events (in all, and per client for the
// distribution), join outcomes by code, disconnects by reason, the delay server_shutdown asked for, catch-up
// pages, and the send-to-receipt latency of the messages composed in the window.
import { EventLog, KeyedLogs } from "./storm-event-log.js";

export interface TimeWindow {
  name: string;
  fromMs: number;
  toMs: number;
}

export interface WindowReport {
  name: string;
  /** "X has joined the chat." about someone else, and about the client itself. */
  joinedAboutOthers: number;
  joinedAboutSelf: number;
  /** "X has left the chat." */
  left: number;
  presenceEvents: number;
  /** Names carried by those events (joined and left). */
  presenceNames: number;
  /** Per client of this worker, in its order: presence events and "has joined" notices about others. */
  perClientPresence: Uint32Array;
  perClientJoinedAboutOthers: Uint32Array;
  /** Join answers by outcome: ok, an error code, no_answer (none within the timeout), disconnected. */
  joins: Record<string, number>;
  disconnects: Record<string, number>;
  connectErrors: number;
  shutdownNotices: number;
  /** reconnectAfterMs of each server_shutdown received. */
  reconnectAfterMs: Float64Array;
  fetchPages: number;
  /** resync, removed, chat_error, send refusals and the like, by name. */
  other: Record<string, number>;
  /** Composed in the window, received live: receipt minus compose time, ms. */
  latenciesMs: Float64Array;
  /** The same, by the node the receiving client was connected to ("0", "1", ...). */
  latenciesMsByNode: Record<string, Float64Array>;
}

export class Observations {
  readonly joinedAboutOthers = new EventLog();
  readonly joinedAboutSelf = new EventLog();
  readonly left = new EventLog();
  /** Value: names in the event. */
  readonly presence = new EventLog();
  /** Time: when the message was composed; value: its latency to this receipt. */
  readonly latency = new EventLog();
  /** The same rows, keyed by the receiving client's node: after a failover the nodes carry different loads. */
  readonly latencyByNode = new KeyedLogs();
  readonly joins = new KeyedLogs();
  readonly disconnects = new KeyedLogs();
  readonly connectErrors = new EventLog();
  /** Value: the reconnectAfterMs asked for. */
  readonly shutdowns = new EventLog();
  readonly fetchPages = new EventLog();
  readonly other = new KeyedLogs();

  report(window: TimeWindow, clientCount: number): WindowReport {
    const { fromMs: a, toMs: b } = window;
    return {
      name: window.name,
      joinedAboutOthers: this.joinedAboutOthers.count(a, b),
      joinedAboutSelf: this.joinedAboutSelf.count(a, b),
      left: this.left.count(a, b),
      presenceEvents: this.presence.count(a, b),
      presenceNames: this.presence.sum(a, b),
      perClientPresence: this.presence.perClient(a, b, clientCount),
      perClientJoinedAboutOthers: this.joinedAboutOthers.perClient(a, b, clientCount),
      joins: this.joins.counts(a, b),
      disconnects: this.disconnects.counts(a, b),
      connectErrors: this.connectErrors.count(a, b),
      shutdownNotices: this.shutdowns.count(a, b),
      reconnectAfterMs: this.shutdowns.valuesIn(a, b),
      fetchPages: this.fetchPages.count(a, b),
      other: this.other.counts(a, b),
      latenciesMs: this.latency.valuesIn(a, b),
      latenciesMsByNode: this.latencyByNode.valuesIn(a, b),
    };
  }
}
