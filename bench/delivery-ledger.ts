// The loss and order checker. Every message the load generator sends is recorded here, and every
// `message` event every member receives is checked against it. The rule (issue 6): each member gets
// every message sent into its room after it joined, exactly once, in each sender's order. All members
// join before the first send, so "after it joined" means every message acked in its room.
// Per receipt the work is one Map lookup and a counter bump: the loadgen shares 2 cores with the
// server, so the checker must stay cheap.
import type { MessageEvent, SendResult, WireMessage, Ack } from "../src/protocol.js";
import { isNotice } from "../src/protocol.js";

export interface Sender {
  /** Index in the ledger's sender list. */
  index: number;
  room: string;
  username: string;
  /** Messages this sender emitted so far; the next one gets this sequence number. */
  emitted: number;
}

interface SentMessage {
  sender: Sender;
  seq: number;
  clientId: string;
  emittedAt: number;
  ackedAt?: number;
  /** Set when the ack was an error or never came: the run fails. */
  failure?: string;
}

export interface Member {
  room: string;
  username: string;
  /** Per sender index: how often each sequence number arrived (exactly 1 is right). */
  counts: Map<number, Uint8Array>;
  /** Per sender index: highest sequence number seen, to catch a message arriving after a later one. */
  highestSeq: Map<number, number>;
  /** Sender indexes whose messages arrived out of order at least once. */
  reorderedFrom: Set<number>;
  received: number;
}

export interface Violations {
  lost: number;
  duplicated: number;
  reordered: number;
  /** Message events that were not ours, for another room, or malformed. */
  unexpected: number;
  /** Sends whose ack was an error or timed out. */
  failedSends: number;
  /** A few examples, for the report. */
  examples: string[];
}

const MAX_EXAMPLES = 10;

export class DeliveryLedger {
  private readonly sent = new Map<string, SentMessage>();
  private readonly senders: Sender[] = [];
  private readonly members: Member[] = [];
  private readonly membersPerRoom = new Map<string, number>();
  private unexpected = 0;
  private readonly examples: string[] = [];
  /** Receive minus emit time of every delivery, ms. */
  readonly latenciesMs: number[] = [];
  /** Ack minus emit time of every send, ms. */
  readonly ackLatenciesMs: number[] = [];
  received = 0;
  acked = 0;
  failed = 0;
  /** Deliveries owed so far: each acked send × the members of its room. */
  expectedReceipts = 0;
  lastReceiptAt = 0;
  lastAckAt = 0;

  constructor(private readonly runTag: string) {}

  addMember(room: string, username: string): Member {
    const member: Member = { room, username, counts: new Map(), highestSeq: new Map(), reorderedFrom: new Set(), received: 0 };
    this.members.push(member);
    this.membersPerRoom.set(room, (this.membersPerRoom.get(room) ?? 0) + 1);
    return member;
  }

  addSender(room: string, username: string): Sender {
    const sender: Sender = { index: this.senders.length, room, username, emitted: 0 };
    this.senders.push(sender);
    return sender;
  }

  /** Records a send about to be emitted and returns its payload fields. */
  recordEmit(sender: Sender, now: number): { content: string; clientId: string } {
    const seq = sender.emitted++;
    // Unique across runs and senders, so a stray message from elsewhere can never pass as ours.
    const content = `${this.runTag} s${sender.index} #${seq}`;
    const clientId = crypto.randomUUID();
    this.sent.set(content, { sender, seq, clientId, emittedAt: now });
    return { content, clientId };
  }

  recordAck(content: string, res: Ack<SendResult> | Error, now: number): void {
    const sent = this.sent.get(content);
    if (!sent) throw new Error(`ack for a message never sent: ${content}`);
    if (res instanceof Error) {
      sent.failure = `no ack: ${res.message}`;
    } else if (!res.ok) {
      sent.failure = `${res.error.code}: ${res.error.message}`;
    } else if (res.message.content !== content || res.message.room !== sent.sender.room || typeof res.message.id !== "number") {
      sent.failure = `ack carries another message: ${JSON.stringify(res.message)}`;
    } else {
      sent.ackedAt = now;
      this.acked++;
      this.expectedReceipts += this.membersPerRoom.get(sent.sender.room) ?? 0;
      this.lastAckAt = now;
      this.ackLatenciesMs.push(now - sent.emittedAt);
      return;
    }
    this.failed++;
    this.example(`send ${content}: ${sent.failure}`);
  }

  recordReceipt(member: Member, event: MessageEvent, now: number): void {
    if (isNotice(event)) return; // joined/left lines are not part of the delivery contract checked here
    const sent = this.sent.get(event.content);
    if (!sent || !this.matches(event, sent, member)) {
      this.unexpected++;
      this.example(`${member.username} got an unexpected message: ${JSON.stringify(event).slice(0, 200)}`);
      return;
    }
    const { index } = sent.sender;
    const counts = grownCounts(member, index, sent.seq);
    const highest = member.highestSeq.get(index) ?? -1;
    if (sent.seq < highest && counts[sent.seq] === 0) {
      // A repeat of an old message is a duplicate (counted at verify), not a reorder.
      if (!member.reorderedFrom.has(index)) this.example(`${member.username} got s${index} #${sent.seq} after #${highest}`);
      member.reorderedFrom.add(index);
    } else if (sent.seq > highest) {
      member.highestSeq.set(index, sent.seq);
    }
    counts[sent.seq] = Math.min(255, (counts[sent.seq] ?? 0) + 1);
    member.received++;
    this.received++;
    this.lastReceiptAt = now;
    this.latenciesMs.push(now - sent.emittedAt);
  }

  pendingAcks(): number {
    return this.sent.size - this.acked - this.failed;
  }

  /** Every send answered and every owed delivery made: the workload is over. */
  isDrained(): boolean {
    return this.pendingAcks() === 0 && this.received >= this.expectedReceipts;
  }

  emitted(): number {
    return this.sent.size;
  }

  /** Marks sends still without an ack as failed (called after the ack deadline). */
  expireUnacked(): void {
    for (const [content, sent] of this.sent) {
      if (sent.ackedAt === undefined && sent.failure === undefined) {
        sent.failure = "no ack before the deadline";
        this.failed++;
        this.example(`send ${content}: ${sent.failure}`);
      }
    }
  }

  verify(): Violations {
    const v: Violations = { lost: 0, duplicated: 0, reordered: 0, unexpected: this.unexpected, failedSends: 0, examples: this.examples };
    const sentBySender = this.senders.map(() => [] as SentMessage[]);
    for (const sent of this.sent.values()) {
      sentBySender[sent.sender.index]?.push(sent);
      if (sent.failure !== undefined) v.failedSends++;
    }
    for (const member of this.members) {
      for (const sender of this.senders) {
        if (sender.room !== member.room) {
          if (member.counts.has(sender.index)) v.unexpected++;
          continue;
        }
        if (member.reorderedFrom.has(sender.index)) v.reordered++;
        const counts = member.counts.get(sender.index) ?? new Uint8Array(0);
        for (const sent of sentBySender[sender.index] ?? []) {
          const n = counts[sent.seq] ?? 0;
          // A failed send must not be delivered either: the client was told it was not stored.
          const owed = sent.ackedAt !== undefined ? 1 : 0;
          if (n < owed) {
            v.lost++;
            this.example(`${member.username} never got s${sender.index} #${sent.seq}`);
          } else if (n > owed) {
            v.duplicated += n - owed;
            this.example(`${member.username} got s${sender.index} #${sent.seq} ${n} times (owed ${owed})`);
          }
        }
      }
    }
    return v;
  }

  private matches(event: WireMessage, sent: SentMessage, member: Member): boolean {
    return (
      event.room === member.room &&
      event.room === sent.sender.room &&
      event.sender === sent.sender.username &&
      typeof event.id === "number" &&
      (event.clientId === undefined || event.clientId === sent.clientId)
    );
  }

  private example(text: string): void {
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(text);
  }
}

export function hasViolations(v: Violations): boolean {
  return v.lost + v.duplicated + v.reordered + v.unexpected + v.failedSends > 0;
}

/** The member's count array for a sender, grown to hold `seq`. */
function grownCounts(member: Member, senderIndex: number, seq: number): Uint8Array {
  const current = member.counts.get(senderIndex);
  if (current && seq < current.length) return current;
  const grown = new Uint8Array(Math.max(1024, (seq + 1) * 2));
  if (current) grown.set(current);
  member.counts.set(senderIndex, grown);
  return grown;
}
