// One chat member of the cluster tests: a socket.io-client connection to one node, in one room, that keeps
// what it has of the room (its view: join history, live messages, catch-ups) and reports to the soak's ledger
// (soak/ledger.ts): acks, live receipts (duplicates, order, wrong room), views checked against the table.
// It catches up the way the page does: join_chat {since} after moving to another node, fetch_history {after}
// on the server's `resync {room}` after a Redis outage, paging while there is more.
import type { Socket } from "socket.io-client";
import type { Ack, HistoryResult, JoinResult, MessageEvent, SendResult, WireMessage } from "../../src/protocol.js";
import { Ledger, type Membership } from "../../soak/ledger.js";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo } from "../helpers/child-server.js";
import { newClientId } from "../helpers/emit.js";
import { isChat } from "../helpers/messages.js";
import type { Cluster } from "../helpers/cluster.js";

const PAGE = 100;
const ACK_TIMEOUT_MS = 5000;

export interface SendOutcome {
  ack: Ack<SendResult>;
  emittedAt: number;
  ackedAt: number;
}

export class Member {
  socket: ClientSocket | null = null;
  url = "";
  /** Ids of the room this member holds, in arrival order (live and caught up), each once. */
  readonly ids: number[] = [];
  private readonly seen = new Set<number>();
  /** Contents of the live chat messages in arrival order (to check the order senders sent in). */
  readonly liveContents: string[] = [];
  /** Every event that is not a chat message (notices, presence, typing, resync) with its name. */
  readonly events: { event: string; payload: unknown }[] = [];
  catchUps = 0;
  resyncs = 0;
  private connection = 0;
  /** The browser session cookie (name=value), fetched from the first node's page: it follows the person to any node. */
  private cookie: string | null = null;
  private membership: Membership | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    readonly ledger: Ledger,
    readonly person: number,
    readonly name: string,
    readonly room: string,
  ) {}

  get lastId(): number {
    return this.ids.reduce((a, b) => Math.max(a, b), 0);
  }

  /** Connects to `url` (websocket, no automatic reconnection: the test decides where a member goes). */
  async connect(url: string): Promise<void> {
    this.url = url;
    this.connection++;
    const connection = this.connection;
    // Like a browser: one session for the person on every node (same SECRET_KEY), so a rejoin after a node
    // died is the same person coming back, not a stranger asking for a held name.
    this.cookie ??= await sessionCookie(url);
    const socket = await connectTo(url, { extraHeaders: { cookie: this.cookie } });
    this.socket = socket;
    socket.on("message", (m: MessageEvent) => this.onMessage(m, connection));
    for (const event of ["presence", "typing"] as const) socket.on(event, (payload: unknown) => this.record(event, payload));
    // `resync {room}` (issue 10): the node's adapter lost messages while Redis was away; catch up from the last id.
    // `after` is the room's newest id when the node noticed the outage: live messages from this member's own
    // node went on meanwhile, so its own last id may sit beyond a gap. Catch up from the older of the two.
    (socket as unknown as Socket).on("resync", (payload: { room?: string; after?: number }) => {
      this.record("resync", payload);
      if (payload?.room !== this.room) return;
      this.resyncs++;
      this.catchUp(Math.min(payload.after ?? this.lastId, this.lastId)).catch((err: unknown) => this.record("catch_up_failed", String(err)));
    });
  }

  /** join_chat, with `since` when this member already holds messages; pages the rest with fetch_history. */
  async join(): Promise<Ack<JoinResult>> {
    const socket = this.need();
    const since = this.ids.length > 0 ? this.lastId : undefined;
    const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", { username: this.name, room: this.room, ...(since !== undefined ? { since } : {}) })) as Ack<JoinResult>;
    if (!ack.ok) return ack;
    this.take(ack.history);
    if (since !== undefined) {
      this.catchUps++;
      if (ack.hasMoreAfter) await this.pageAfter();
    }
    return ack;
  }

  /** Opens this member's ledger membership: from now on every acked message must arrive live. */
  startMembership(): void {
    this.membership = this.ledger.openMembership(this.person, this.room, performance.now());
  }

  /** Ends the live membership (its node died: what was in flight to it may be gone; catch-up must bring it). */
  endMembership(): void {
    if (this.membership) this.membership.endedAt = performance.now();
    this.membership = null;
  }

  /** Leaves the dead connection behind and joins on `url` with since = the last id held. */
  async moveTo(url: string): Promise<Ack<JoinResult>> {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    await this.connect(url);
    return this.join();
  }

  async send(content: string): Promise<SendOutcome> {
    const socket = this.need();
    const emittedAt = performance.now();
    let ack: Ack<SendResult>;
    try {
      ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("send_message", { room: this.room, username: this.name, content, clientId: newClientId() })) as Ack<SendResult>;
    } catch (err) {
      ack = { ok: false, error: { code: "internal", message: `no ack: ${(err as Error).message}` } };
    }
    const ackedAt = performance.now();
    if (ack.ok) this.ledger.recordAck({ id: ack.message.id, room: this.room, person: this.person, emittedAt, ackedAt });
    return { ack, emittedAt, ackedAt };
  }

  typing(isTyping: boolean): Promise<Ack> {
    return this.need().timeout(ACK_TIMEOUT_MS).emitWithAck("typing", { room: this.room, isTyping }) as Promise<Ack>;
  }

  /** Resolves once this member holds every id in `ids`; rejects after `timeoutMs` saying what is missing. */
  waitForIds(ids: readonly number[], timeoutMs = 10_000): Promise<void> {
    const missing = (): number[] => ids.filter((id) => !this.seen.has(id));
    if (missing().length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        const left = missing();
        reject(new Error(`${this.name} on ${this.url}: ${left.length} of ${ids.length} ids never arrived (e.g. ${left.slice(0, 5).join(", ")})`));
      }, timeoutMs);
      const check = (): void => {
        if (missing().length > 0) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Records the view with the ledger (call once, at the end). */
  finish(): void {
    this.ledger.recordView({ receiver: this.person, room: this.room, ids: [...this.ids], catchUps: this.catchUps });
  }

  close(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private async catchUp(from: number): Promise<void> {
    this.catchUps++;
    await this.pageAfter(from);
  }

  /** fetch_history {after} from `from` until the newest page. */
  private async pageAfter(from = this.lastId): Promise<void> {
    let after = from;
    for (;;) {
      const res = (await this.need().timeout(ACK_TIMEOUT_MS).emitWithAck("fetch_history", { room: this.room, after, limit: PAGE })) as Ack<HistoryResult>;
      if (!res.ok) throw new Error(`${this.name}: fetch_history failed: ${res.error.code} ${res.error.message}`);
      this.take(res.messages);
      const last = res.messages.at(-1);
      if (!res.hasMore || last === undefined) return;
      after = last.id;
    }
  }

  private onMessage(m: MessageEvent, connection: number): void {
    if (!isChat(m)) {
      this.record("notice", m);
      return;
    }
    this.ledger.recordReceipt(this.person, { id: m.id, room: m.room }, connection, new Set([this.room]));
    this.liveContents.push(m.content);
    this.take([m]);
  }

  /** Adds messages not held yet; a live copy of a caught-up id (or the reverse) is the same message, kept once. */
  private take(messages: readonly WireMessage[]): void {
    for (const m of messages) {
      if (m.room !== this.room || this.seen.has(m.id)) continue;
      this.seen.add(m.id);
      this.ids.push(m.id);
    }
    for (const w of [...this.waiters]) w();
  }

  private record(event: string, payload: unknown): void {
    this.events.push({ event, payload });
  }

  /** The connection (throws while there is none). */
  need(): ClientSocket {
    if (this.socket === null) throw new Error(`${this.name} is not connected`);
    return this.socket;
  }
}

/** GET / hands out the signed session cookie; its name=value part. */
async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => c.includes("="));
  if (cookie === undefined) throw new Error(`${url}/ set no session cookie`);
  return cookie;
}

/** Counts for assertion messages: what was sent and acked, and what the members hold of it. */
export interface Tally {
  sent: number;
  acked: number;
  /** (member, acked message) pairs a member holds. */
  delivered: number;
  /** (member, acked message) pairs a member should hold and does not. */
  lost: number;
  /** Live messages a connection got more than once, plus ids twice in a view. */
  duplicated: number;
}

/** Every member must hold every acked id of its room emitted after it first joined. */
export function tally(ledger: Ledger, sent: number, members: readonly Member[], joinedAt: ReadonlyMap<Member, number>): Tally {
  const report = ledger.check();
  let delivered = 0;
  let lost = 0;
  let twiceInView = 0;
  for (const m of members) {
    const held = new Set(m.ids);
    twiceInView += m.ids.length - held.size;
    const since = joinedAt.get(m) ?? 0;
    for (const msg of ledger.acked.values()) {
      if (msg.room !== m.room || msg.emittedAt < since) continue;
      if (held.has(msg.id)) delivered++;
      else lost++;
    }
  }
  return { sent, acked: ledger.acked.size, delivered, lost, duplicated: report.duplicates + twiceInView };
}

export const describeTally = (t: Tally): string => `sent ${t.sent}, acked ${t.acked}, delivered ${t.delivered}, lost ${t.lost}, duplicated ${t.duplicated}`;

/** Resolves when `done()` holds (checked every 20 ms: counters, not events); fails after `timeoutMs` with `why()`. */
export async function waitUntil(done: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A talker and a reader joined to `room` on every node of the cluster, in node order; their names say which
 * (`talker-<node id>`, `reader-<node id>`).
 */
export async function talkersAndReaders(cluster: Pick<Cluster, "nodes">, ledger: Ledger, room: string): Promise<Member[]> {
  const members: Member[] = [];
  for (const node of cluster.nodes) {
    for (const role of ["talker", "reader"]) {
      const m = new Member(ledger, members.length + 1, `${role}-${node.id}`, room);
      await m.connect(node.url);
      const ack = await m.join();
      if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
      members.push(m);
    }
  }
  return members;
}
