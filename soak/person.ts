// One simulated person: a browser session that joins a room, chats, types, reads history, switches rooms,
// drops its connection and comes back, or goes away for a while, at random, until the run ends. Coming back
// is what the page does: rejoin the same room with join_chat {since: the last id it has}, then page with
// fetch_history {after} while hasMoreAfter, up to the first live message. An extra tab of a person is a
// Person too: the same cookie and name, its own connection, staying in its first room.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { io as connectClient } from "socket.io-client";
import type { JoinPayload, WireMessage } from "../src/protocol.js";
import type { ClientSocket } from "../test/helpers/app.js";
import type { Ledger, Membership, View } from "./ledger.js";

const ACK_TIMEOUT_MS = 15_000;

export interface PersonPlan {
  /** The receiver number in the ledger (one per connection-holding tab). */
  index: number;
  /** The name to join as: p<index>, or the main tab's name for an extra tab. */
  name?: string;
  /** The first room; an extra tab stays in it (no room switches). */
  firstRoom?: string;
  isExtraTab?: boolean;
  url: string;
  rooms: readonly string[];
  /** "mr_session=..." from the page, so a reconnect keeps the name at once (as a browser tab does). */
  cookie: string;
  /** performance.now() after which no new action starts. */
  endAt: number;
  thinkMs: readonly [number, number];
  /** Until this performance.now(), think times are divided by warmupSpeedup (see run.ts). */
  warmupEndsAt: number;
  warmupSpeedup: number;
  random: () => number;
  ledger: Ledger;
}

export interface PersonStats {
  sends: number;
  joins: number;
  roomSwitches: number;
  reconnects: number;
  aways: number;
  typings: number;
  fetches: number;
  catchUpPages: number;
}

export class Person {
  readonly stats: PersonStats = { sends: 0, joins: 0, roomSwitches: 0, reconnects: 0, aways: 0, typings: 0, fetches: 0, catchUpPages: 0 };
  private socket: ClientSocket | null = null;
  private membership: Membership | null = null;
  private isClosingOnPurpose = false;
  private seq = 0;
  private readonly name: string;
  /** Counts connections, so the ledger checks order per connection. */
  private connection = 0;
  /** Rooms the current connection may hear: joined, joining, or leaving (until the leave is answered). */
  private readonly listening = new Set<string>();
  /** What this reader holds of its current room, across reconnects; closed when it leaves the room. */
  private view: View | null = null;
  /** While catching up: the first live id of the view's room on the new connection (null: none yet). */
  private firstLiveId: number | null = null;

  constructor(private readonly plan: PersonPlan) {
    this.name = plan.name ?? `p${plan.index}`;
  }

  /** Chats at random until endAt; returns with the person still connected and in a room. */
  async run(): Promise<void> {
    await this.arrive();
    while (performance.now() < this.plan.endAt) {
      const speedup = performance.now() < this.plan.warmupEndsAt ? this.plan.warmupSpeedup : 1;
      await sleep(this.between(this.plan.thinkMs) / speedup);
      if (performance.now() >= this.plan.endAt) break;
      const dice = this.plan.random();
      if (dice < 0.7) await this.send();
      else if (dice < 0.78) await this.type();
      else if (dice < 0.83) await this.fetchHistory();
      else if (dice < 0.91 && !this.plan.isExtraTab) await this.switchRoom();
      else if (dice < 0.91) await this.reconnect();
      else if (dice < 0.97) await this.reconnect();
      else await this.goAwayForAWhile();
    }
  }

  /** The last word: a round trip, so every broadcast acked before it has arrived; then leave. */
  async finish(): Promise<void> {
    await this.fence();
    this.closeView();
    this.isClosingOnPurpose = true;
    this.socket?.disconnect();
  }

  private between([min, max]: readonly [number, number]): number {
    return min + this.plan.random() * (max - min);
  }

  private pickRoom(): string {
    return this.plan.rooms[Math.floor(this.plan.random() * this.plan.rooms.length)] as string;
  }

  /** Connects and joins: the room of the open view, caught up from its last id, or a first room. */
  private async arrive(): Promise<void> {
    this.socket = await this.connect();
    if (this.view) await this.join(this.view.room, this.view.ids.reduce((a, b) => Math.max(a, b), 0));
    else await this.join(this.plan.firstRoom ?? this.pickRoom());
  }

  private connect(): Promise<ClientSocket> {
    const socket: ClientSocket = connectClient(this.plan.url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie: this.plan.cookie },
    });
    this.isClosingOnPurpose = false;
    this.listening.clear();
    const connection = ++this.connection;
    socket.on("message", (m) => {
      if (!("id" in m)) return;
      this.plan.ledger.recordReceipt(this.plan.index, m, connection, this.listening);
      if (this.view && m.room === this.view.room) {
        this.view.ids.push(m.id);
        this.firstLiveId ??= m.id;
      }
    });
    socket.on("disconnect", (reason) => {
      if (!this.isClosingOnPurpose) this.plan.ledger.fail(`${this.name} was disconnected: ${reason}`);
    });
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", (err) => reject(new Error(`${this.name} could not connect: ${err.message}`)));
    });
  }

  /** Joins `room`; with `since`, catches the open view up instead of starting a new one. */
  private async join(room: string, since?: number): Promise<void> {
    this.listening.add(room);
    // Live messages can come before the ack (committed after the join's history read): the view takes them.
    if (since === undefined) this.view = { receiver: this.plan.index, room, ids: [], catchUps: 0 };
    this.firstLiveId = null;
    const payload: JoinPayload = since === undefined ? { room, username: this.name } : { room, username: this.name, since };
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", payload);
    if (!res.ok) throw new Error(`${this.name} could not join ${room}: ${res.error.code}`);
    this.membership = this.plan.ledger.openMembership(this.plan.index, room, performance.now());
    this.stats.joins++;
    const view = this.view;
    if (!view) return;
    view.ids.push(...res.history.map((m: WireMessage) => m.id));
    if (since !== undefined) {
      view.catchUps++;
      if (res.hasMoreAfter) await this.pageAfter(view, res.history[res.history.length - 1]?.id ?? since);
    }
  }

  /** What the page does after a long absence: newer pages until the first message that came live. */
  private async pageAfter(view: View, after: number): Promise<void> {
    for (;;) {
      const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("fetch_history", { room: view.room, after, limit: 100 });
      if (!res.ok) {
        this.plan.ledger.fail(`${this.name} catch-up page refused: ${res.error.code}`);
        return;
      }
      this.stats.catchUpPages++;
      for (const m of res.messages) {
        if (this.firstLiveId !== null && m.id >= this.firstLiveId) return;
        view.ids.push(m.id);
        after = m.id;
      }
      if (res.messages.length === 0 || !res.hasMore) return;
    }
  }

  private closeView(): void {
    if (this.view) this.plan.ledger.recordView(this.view);
    this.view = null;
  }

  private live(): ClientSocket {
    if (!this.socket) throw new Error(`${this.name} has no connection`);
    return this.socket;
  }

  private room(): string {
    if (!this.membership) throw new Error(`${this.name} is in no room`);
    return this.membership.room;
  }

  private async send(): Promise<void> {
    const room = this.room();
    const filler = "·".repeat(Math.floor(this.plan.random() * 200));
    const content = `${this.name} #${++this.seq} ${filler}`;
    const emittedAt = performance.now();
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("send_message", { room, username: this.name, content, clientId: randomUUID() });
    const ackedAt = performance.now();
    if (!res.ok) {
      this.plan.ledger.fail(`${this.name} send refused: ${res.error.code}`);
      return;
    }
    if (res.message.room !== room) this.plan.ledger.fail(`${this.name} sent to ${room}, the ack says ${res.message.room} (id ${res.message.id})`);
    this.plan.ledger.recordAck({ id: res.message.id, room, person: this.plan.index, emittedAt, ackedAt });
    this.stats.sends++;
  }

  private async type(): Promise<void> {
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("typing", { room: this.room(), isTyping: this.plan.random() < 0.7 });
    if (!res.ok) this.plan.ledger.fail(`${this.name} typing refused: ${res.error.code}`);
    this.stats.typings++;
  }

  private async fetchHistory(): Promise<void> {
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("fetch_history", { room: this.room(), limit: 50 });
    if (!res.ok) this.plan.ledger.fail(`${this.name} fetch_history refused: ${res.error.code}`);
    this.stats.fetches++;
  }

  /** A request whose answer comes after every broadcast the server queued for us before it: ends the membership. */
  private async fence(): Promise<void> {
    const membership = this.membership;
    if (membership) membership.endedAt = performance.now();
    this.membership = null;
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("fetch_history", { room: membership?.room ?? this.plan.rooms[0] ?? "lobby", limit: 1 });
    if (!res.ok && res.error.code !== "not_in_room") this.plan.ledger.fail(`${this.name} fence refused: ${res.error.code}`);
  }

  private async switchRoom(): Promise<void> {
    const membership = this.membership;
    if (membership) membership.endedAt = performance.now();
    this.membership = null;
    const res = await this.live().timeout(ACK_TIMEOUT_MS).emitWithAck("leave_chat", { room: membership?.room ?? "", username: this.name });
    if (!res.ok) this.plan.ledger.fail(`${this.name} leave refused: ${res.error.code}`);
    if (membership) this.listening.delete(membership.room);
    this.closeView();
    await this.join(this.pickRoom());
    this.stats.roomSwitches++;
  }

  private async dropConnection(): Promise<void> {
    await this.fence();
    this.isClosingOnPurpose = true;
    this.live().disconnect();
    this.socket = null;
  }

  private async reconnect(): Promise<void> {
    await this.dropConnection();
    await this.arrive();
    this.stats.reconnects++;
  }

  private async goAwayForAWhile(): Promise<void> {
    await this.dropConnection();
    await sleep(this.between([1000, 4000]));
    await this.arrive();
    this.stats.aways++;
  }
}
