// A room sender's outbox, as the page's (public/js/outbox.js): messages are composed at a steady pace, sent one
// at a time in order while the room is joined and caught up, kept while offline and sent again after the
// rejoin with the same clientId, so the server stores each once. A message is confirmed by its ack (a repeat
// answers duplicate: true with the stored message) or, as the page does, by its own copy arriving live or in a
// catch-up history; either way the server has given it an id, and it joins the ledger of what every member
// of the room is owed. Where the page would show "failed" and wait for the reader's Retry (no answer in time),
// the bench retries at once: it plays the reader who clicks.

export type SendOutcome = { ok: true; id: number; isDuplicate: boolean } | { ok: false; code: string; retryAfterMs?: number };

export interface ConfirmedMessage {
  seq: number;
  id: number;
  how: "ack" | "duplicate_ack" | "receipt";
}

interface Item {
  seq: number;
  clientId: string;
  content: string;
  storageRetries: number;
  otherFailures: number;
}

export interface OutboxDeps {
  /** The message's text for this sequence number, composed now. */
  compose(seq: number): string;
  emit(payload: { content: string; clientId: string }): Promise<SendOutcome>;
  /** The room is joined and caught up on a live connection. */
  canSend(): boolean;
  /** The server says this socket is not in the room: join it again. */
  onNotInRoom(): void;
  /** Composing has stopped and everything composed is confirmed (or given up). */
  onIdle(): void;
}

/** As the page: a send the server could not store goes again after 250 ms, 500 ms, 1 s, ... (the page stops after 4). */
const STORAGE_RETRY_FIRST_MS = 250;
const STORAGE_RETRY_MAX_MS = 8_000;
/** Waits before a send refused for another reason goes again; after this many such refusals it is given up. */
const OTHER_RETRY_MS = 1_000;
const MAX_OTHER_FAILURES = 10;

/**
 * A sender's next compose: the first slot of its grid (startMs + k × intervalMs) after `slot` that is not already
 * past, and the wait until it. setInterval re-arms one interval after its callback runs, so when a worker's loop
 * stalls (the storm's reconnections keep it busy), every sender whose compose fell due meanwhile fires in the same
 * tick and stays in step with the others from then on: every room's message arrived in one burst a second after the
 * restart (seen in the server's CPU profile), and the "steady after" latency measured that burst, not the server.
 * A slot missed entirely is skipped rather than composed late on top of the next.
 */
export function composeSlot(startMs: number, intervalMs: number, slot: number, nowMs: number): { slot: number; delayMs: number } {
  const next = Math.max(slot + 1, Math.ceil((nowMs - startMs) / intervalMs));
  return { slot: next, delayMs: Math.max(0, startMs + next * intervalMs - nowMs) };
}

export class StormOutbox {
  private readonly items = new Map<string, Item>();
  private inFlight: number | null = null;
  private attempts = 0;
  private resumeTimer: NodeJS.Timeout | null = null;
  private composeTimer: NodeJS.Timeout | null = null;
  private isComposing = false;
  private nextSeq = 0;
  readonly confirmed: ConfirmedMessage[] = [];
  /** Refusals and local failures by code ("timeout": no answer in time; "disconnected": the connection dropped first). */
  readonly failures = new Map<string, number>();
  /** Messages given up after repeated refusals: they are owed to nobody, and reported. */
  readonly givenUp: number[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /**
   * Composes one message every `intervalMs`, the first after `firstDelayMs` (senders are spread over the first
   * interval), each on its own fixed grid (composeSlot): a stall of this worker's loop does not put senders in step.
   */
  start(intervalMs: number, firstDelayMs: number): void {
    this.isComposing = true;
    const startMs = performance.now() + firstDelayMs;
    let slot = 0;
    const tick = (): void => {
      this.composeOne();
      const next = composeSlot(startMs, intervalMs, slot, performance.now());
      slot = next.slot;
      this.composeTimer = setTimeout(tick, next.delayMs);
    };
    this.composeTimer = setTimeout(tick, firstDelayMs);
  }

  stop(): void {
    this.isComposing = false;
    if (this.composeTimer) clearTimeout(this.composeTimer);
    this.composeTimer = null;
    this.notifyIfIdle();
  }

  composed(): number {
    return this.nextSeq;
  }

  pending(): number {
    return this.items.size;
  }

  /** The connection dropped: what was on its way goes again after the rejoin; its answer, if any, is ignored. */
  disconnected(): void {
    this.inFlight = null;
    this.notifyIfIdle();
  }

  /** One of ours arrived (live or in a history): it is stored, whatever its ack will say. */
  confirmByReceipt(clientId: string, id: number): void {
    const item = this.items.get(clientId);
    if (item) this.confirm(item, { seq: item.seq, id, how: "receipt" });
  }

  /** Sends the next message when the room is caught up and nothing else is on its way. */
  pump(): void {
    if (this.inFlight !== null || this.resumeTimer !== null) return;
    const item = this.items.values().next().value;
    if (item === undefined) return this.notifyIfIdle();
    if (!this.deps.canSend()) return;
    const attempt = ++this.attempts;
    this.inFlight = attempt;
    void this.deps.emit({ content: item.content, clientId: item.clientId }).then((res) => {
      if (this.inFlight !== attempt) return; // the connection dropped meanwhile: it goes again after the rejoin
      this.inFlight = null;
      if (this.items.has(item.clientId)) this.settle(item, res);
      this.pump();
    });
  }

  private composeOne(): void {
    const seq = this.nextSeq++;
    const item: Item = { seq, clientId: crypto.randomUUID(), content: this.deps.compose(seq), storageRetries: 0, otherFailures: 0 };
    this.items.set(item.clientId, item);
    this.pump();
  }

  private settle(item: Item, res: SendOutcome): void {
    if (res.ok) {
      this.confirm(item, { seq: item.seq, id: res.id, how: res.isDuplicate ? "duplicate_ack" : "ack" });
      return;
    }
    this.failures.set(res.code, (this.failures.get(res.code) ?? 0) + 1);
    switch (res.code) {
      case "disconnected":
      case "shutting_down":
        return; // stays first in the queue; the rejoin pumps it
      case "timeout":
        return this.retryLater(0); // the reader's Retry
      case "not_in_room":
        this.deps.onNotInRoom();
        return;
      case "rate_limited":
      case "overloaded":
        return this.retryLater(Math.max(res.retryAfterMs ?? 500, 100));
      case "storage_unavailable":
        return this.retryLater(Math.min(STORAGE_RETRY_FIRST_MS * 2 ** item.storageRetries++, STORAGE_RETRY_MAX_MS));
      default:
        if (++item.otherFailures >= MAX_OTHER_FAILURES) {
          this.items.delete(item.clientId);
          this.givenUp.push(item.seq);
          return;
        }
        this.retryLater(OTHER_RETRY_MS);
    }
  }

  private confirm(item: Item, entry: ConfirmedMessage): void {
    this.items.delete(item.clientId);
    this.confirmed.push(entry);
    this.notifyIfIdle();
  }

  /** Holds the whole queue (order is kept) for `delayMs`. */
  private retryLater(delayMs: number): void {
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      this.pump();
    }, delayMs);
  }

  private notifyIfIdle(): void {
    if (!this.isComposing && this.items.size === 0 && this.inFlight === null) this.deps.onIdle();
  }
}
