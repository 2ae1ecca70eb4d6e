// One client's receipts of its room's messages, by the sender's sequence number: how often each arrived live
// (a `message` event) and how often in a history (a join's answer, a fetch_history page). Checked at the end
// against the ledger of confirmed messages: each must have reached the client at least once (else it is lost),
// never twice live (a live duplicate: the failure the page cannot hide); live and in a catch-up history both is
// expected around a reconnect, and the page shows it once (deduplicated by id), so it is counted apart, as is the
// same message in two histories (an interrupted catch-up paged again).

/** Low nibble: live receipts; high nibble: history receipts; each saturates at 15. */
const LIVE_MASK = 0x0f;
const HISTORY_SHIFT = 4;

export type ReceiptSource = "live" | "history";

export interface ReceiptCheck {
  /** Confirmed messages of the room that never reached this client. */
  lost: number;
  /** Extra live receipts of one message (2 live receipts = 1). */
  liveDuplicates: number;
  /** Messages that came live and in a catch-up history (shown once by the page). */
  liveAndHistory: number;
  /** Extra history receipts of one message. */
  historyRepeats: number;
  /** Messages received that the ledger never confirmed (stored without the sender learning so). */
  unconfirmedReceived: number;
  /** The first lost sequence numbers, for the report's examples. */
  lostSeqs: number[];
  /** The first live-duplicated sequence numbers. */
  duplicatedSeqs: number[];
}

const MAX_EXAMPLE_SEQS = 3;

export class Receipts {
  private counts = new Uint8Array(64);

  /** Records one receipt; true when this is the first of that message by any path. */
  record(seq: number, source: ReceiptSource): boolean {
    if (seq >= this.counts.length) this.grow(seq);
    const cell = this.counts[seq] as number;
    const live = cell & LIVE_MASK;
    const history = cell >> HISTORY_SHIFT;
    this.counts[seq] = source === "live" ? (history << HISTORY_SHIFT) | Math.min(15, live + 1) : (Math.min(15, history + 1) << HISTORY_SHIFT) | live;
    return cell === 0;
  }

  has(seq: number): boolean {
    return seq < this.counts.length && this.counts[seq] !== 0;
  }

  check(confirmed: ReadonlySet<number>): ReceiptCheck {
    const out: ReceiptCheck = { lost: 0, liveDuplicates: 0, liveAndHistory: 0, historyRepeats: 0, unconfirmedReceived: 0, lostSeqs: [], duplicatedSeqs: [] };
    for (const seq of confirmed) {
      if (!this.has(seq)) {
        out.lost++;
        if (out.lostSeqs.length < MAX_EXAMPLE_SEQS) out.lostSeqs.push(seq);
      }
    }
    for (let seq = 0; seq < this.counts.length; seq++) {
      const cell = this.counts[seq] as number;
      if (cell === 0) continue;
      const live = cell & LIVE_MASK;
      const history = cell >> HISTORY_SHIFT;
      if (!confirmed.has(seq)) out.unconfirmedReceived++;
      if (live > 1) {
        out.liveDuplicates += live - 1;
        if (out.duplicatedSeqs.length < MAX_EXAMPLE_SEQS) out.duplicatedSeqs.push(seq);
      }
      if (live > 0 && history > 0) out.liveAndHistory++;
      if (history > 1) out.historyRepeats += history - 1;
    }
    return out;
  }

  private grow(seq: number): void {
    const grown = new Uint8Array(Math.max(this.counts.length * 2, seq + 1));
    grown.set(this.counts);
    this.counts = grown;
  }
}
