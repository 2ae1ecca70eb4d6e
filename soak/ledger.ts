// What the soak promises to check: every acknowledged message is delivered exactly once to every member
// present for it. Times are the soak process's performance.now(), one clock for every client.
//
// "Present for it" is decided from causality, not guessed from timing:
// - a member whose join ack arrived before the message was emitted was in the room when the server got it;
// - a member that emits its leave (or, before disconnecting, a fence: any request it awaits) after the
//   message's ack arrived is still in the room when the server broadcasts it (the broadcast precedes the ack),
//   and gets it before the answer to that leave or fence (one ordered stream per connection).
// Members that came or went while a message was in flight may or may not get it, but never twice.

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

export interface LedgerReport {
  acked: number;
  /** (member, message) pairs that had to arrive. */
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** Message ids received that no ack announced. */
  unknown: number;
  examples: string[];
}

export class Ledger {
  readonly acked = new Map<number, AckedMessage>();
  readonly memberships: Membership[] = [];
  /** person -> message id -> times received. */
  private readonly received = new Map<number, Map<number, number>>();
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

  recordReceipt(person: number, id: number): void {
    let mine = this.received.get(person);
    if (!mine) this.received.set(person, (mine = new Map()));
    mine.set(id, (mine.get(id) ?? 0) + 1);
  }

  fail(reason: string): void {
    this.failures.push(reason);
  }

  check(): LedgerReport {
    const report: LedgerReport = { acked: this.acked.size, expected: 0, delivered: 0, missing: 0, duplicates: 0, unknown: 0, examples: [] };
    const example = (text: string): void => void (report.examples.length < 10 && report.examples.push(text));
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
        if (!this.acked.has(id)) {
          report.unknown++;
          example(`p${person} got id ${id}, which no ack announced`);
        }
      }
    }
    return report;
  }
}
