// What the soak promises to check: every acknowledged message is delivered exactly once to every member
// present for it. Times are the soak process's performance.now(), one clock for every client.
//
// "Present for it" is decided from causality, not guessed from timing:
// - a member whose join ack arrived before the message was emitted was in the room when the server got it;
// - a member that emits its leave (or, before disconnecting, a fence: any request it awaits) after the
//   message's ack arrived is still in the room when the server broadcasts it (the broadcast precedes the ack),
//   and gets it before the answer to that leave or fence (one ordered stream per connection).
// Members that came or went while a message was in flight may or may not get it, but never twice.
//
// Beside delivery, every live message is checked as it arrives and every reader's view at the end:
// - wrong room: a message arrives on a connection that is not in (or joining, or leaving) its room, or its
//   room differs from the one its sender's ack named;
// - order: on one connection, each room's live messages arrive with rising ids (ids are handed out in
//   commit order, and the server broadcasts in that order);
// - views: what one reader holds of one room, from its join's history through live messages and every
//   catch-up after a reconnect (join_chat {since}, then fetch_history {after} while hasMoreAfter), is
//   exactly the stored messages of that room between its first and last id, each once;
// - tabs: a receiver is one connection, so a person's extra tabs (same session cookie, same name) are
//   receivers of their own and must each get every message.

export interface AckedMessage {
  id: number;
  room: string;
  person: number;
  emittedAt: number;
  ackedAt: number;
}

export interface Membership {
  person: number;
  room: string;
  /** When the join ack arrived. */
  joinedAt: number;
  /** When the leave or the last fence was emitted; Infinity while still in the room. */
  endedAt: number;
}

export interface LiveMessage {
  id: number;
  room: string;
}

/** What one reader holds of one room, in arrival order, from its join until it left the room for good. */
export interface View {
  receiver: number;
  room: string;
  ids: number[];
  /** Reconnects that caught up with join_chat {since} within this view. */
  catchUps: number;
}

export interface ViewReport {
  views: number;
  catchUps: number;
  /** Views with an id twice, or a stored id missing between their first and last. */
  broken: number;
  examples: string[];
}

export interface LedgerReport {
  acked: number;
  /** (member, message) pairs that had to arrive. */
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** Message ids received that no ack announced. */
  unknown: number;
  /** Live messages whose room was not one the connection was in, or not the one the ack named. */
  wrongRoom: number;
  /** Live messages that arrived after a higher id of the same room on the same connection. */
  outOfOrder: number;
  examples: string[];
}

export class Ledger {
  readonly acked = new Map<number, AckedMessage>();
  readonly memberships: Membership[] = [];
  /** person -> message id -> times received. */
  private readonly received = new Map<number, Map<number, number>>();
  /** receiver -> message id -> the room it arrived labelled with. */
  private readonly receivedRoom = new Map<number, Map<number, string>>();
  /** "receiver/connection/room" -> the highest live id seen there. */
  private readonly lastLiveId = new Map<string, number>();
  private wrongRoom = 0;
  private outOfOrder = 0;
  private readonly liveExamples: string[] = [];
  readonly views: View[] = [];
  readonly failures: string[] = [];
  readonly ackLatenciesMs: number[] = [];

  recordAck(msg: AckedMessage): void {
    if (this.acked.has(msg.id)) this.failures.push(`message id ${msg.id} acknowledged twice`);
    this.acked.set(msg.id, msg);
    this.ackLatenciesMs.push(msg.ackedAt - msg.emittedAt);
  }

  openMembership(person: number, room: string, joinedAt: number): Membership {
    const m: Membership = { person, room, joinedAt, endedAt: Number.POSITIVE_INFINITY };
    this.memberships.push(m);
    return m;
  }

  /**
   * A live `message` on one connection of `person`. `rooms` are the rooms that connection may hear now:
   * the one it is in, one whose join is in flight, one whose leave is not answered yet.
   */
  recordReceipt(person: number, msg: LiveMessage, connection = 0, rooms: ReadonlySet<string> | null = null): void {
    let mine = this.received.get(person);
    if (!mine) this.received.set(person, (mine = new Map()));
    mine.set(msg.id, (mine.get(msg.id) ?? 0) + 1);
    let labels = this.receivedRoom.get(person);
    if (!labels) this.receivedRoom.set(person, (labels = new Map()));
    labels.set(msg.id, msg.room);
    if (rooms && !rooms.has(msg.room)) {
      this.wrongRoom++;
      this.liveExample(`p${person} got id ${msg.id} of ${msg.room} while in ${[...rooms].join(", ") || "no room"}`);
    }
    const key = `${person}/${connection}/${msg.room}`;
    const last = this.lastLiveId.get(key) ?? 0;
    if (msg.id <= last) {
      this.outOfOrder++;
      this.liveExample(`p${person} got id ${msg.id} in ${msg.room} after id ${last} on one connection`);
    } else this.lastLiveId.set(key, msg.id);
  }

  /** A reader's view of a room is complete (it left the room, or the run ended). */
  recordView(view: View): void {
    if (view.ids.length > 0) this.views.push(view);
  }

  private liveExample(text: string): void {
    if (this.liveExamples.length < 10) this.liveExamples.push(text);
  }

  fail(reason: string): void {
    this.failures.push(reason);
  }

  check(): LedgerReport {
    const report: LedgerReport = { acked: this.acked.size, expected: 0, delivered: 0, missing: 0, duplicates: 0, unknown: 0, wrongRoom: this.wrongRoom, outOfOrder: this.outOfOrder, examples: [...this.liveExamples] };
    const example = (text: string): void => void (report.examples.length < 20 && report.examples.push(text));
    const byRoom = new Map<string, AckedMessage[]>();
    for (const msg of this.acked.values()) {
      const list = byRoom.get(msg.room) ?? [];
      list.push(msg);
      byRoom.set(msg.room, list);
    }
    for (const m of this.memberships) {
      const got = this.received.get(m.person);
      for (const msg of byRoom.get(m.room) ?? []) {
        if (!(m.joinedAt < msg.emittedAt && msg.ackedAt < m.endedAt)) continue;
        report.expected++;
        if ((got?.get(msg.id) ?? 0) >= 1) report.delivered++;
        else {
          report.missing++;
          example(`p${m.person} in ${m.room} (joined ${m.joinedAt.toFixed(0)}, until ${m.endedAt.toFixed(0)}) missed id ${msg.id} (emitted ${msg.emittedAt.toFixed(0)}, acked ${msg.ackedAt.toFixed(0)})`);
        }
      }
    }
    for (const [person, got] of this.received) {
      for (const [id, times] of got) {
        if (times > 1) {
          report.duplicates++;
          example(`p${person} got id ${id} ${times} times`);
        }
        const acked = this.acked.get(id);
        if (!acked) {
          report.unknown++;
          example(`p${person} got id ${id}, which no ack announced`);
        } else if (this.receivedRoom.get(person)?.get(id) !== acked.room) {
          report.wrongRoom++;
          example(`p${person} got id ${id} labelled ${this.receivedRoom.get(person)?.get(id)}, acked for ${acked.room}`);
        }
      }
    }
    return report;
  }

  /** Each view against the database: `stored` maps a room to its stored ids, ascending. */
  checkViews(stored: ReadonlyMap<string, readonly number[]>): ViewReport {
    const report: ViewReport = { views: this.views.length, catchUps: 0, broken: 0, examples: [] };
    for (const view of this.views) {
      report.catchUps += view.catchUps;
      const problem = viewProblem(view, stored.get(view.room) ?? []);
      if (problem === null) continue;
      report.broken++;
      if (report.examples.length < 10) report.examples.push(`p${view.receiver} in ${view.room} (${view.catchUps} catch-ups): ${problem}`);
    }
    return report;
  }
}

/** Why a view is not exactly the stored messages between its first and last id, or null. */
export function viewProblem(view: View, storedIds: readonly number[]): string | null {
  const seen = new Set<number>();
  for (const id of view.ids) {
    if (seen.has(id)) return `id ${id} twice`;
    seen.add(id);
  }
  const first = view.ids.reduce((a, b) => Math.min(a, b));
  const last = view.ids.reduce((a, b) => Math.max(a, b));
  const expected = storedIds.filter((id) => id >= first && id <= last);
  const missing = expected.filter((id) => !seen.has(id));
  if (missing.length > 0) return `missing ${missing.length} stored ids between ${first} and ${last}, e.g. ${missing.slice(0, 3).join(", ")}`;
  const storedSet = new Set(expected);
  const extra = [...seen].filter((id) => !storedSet.has(id));
  if (extra.length > 0) return `ids not stored in this room: ${extra.slice(0, 3).join(", ")}`;
  return null;
}
