// One restart-storm client, behaving as the chat page does (public/js/connection*.js, room-catch-up.js,
// room-session.js, outbox.js): a browser session cookie from GET /, WebSocket transport, join_chat with an ack,
// and after a disconnect a rejoin with `since` (the last id it has), paging forward with fetch_history {after}
// while the answer says there is more. Reconnecting as connection-hub.js does: after server_shutdown, Socket.IO's
// own reconnection waits exactly the reconnectAfterMs it was given (its first delay set to it, no spread; a
// failed attempt then backs off from there up to 5 s); after a plain loss it waits 1000 ms spread by 0.5, as the
// page sets it; after a disconnect the server chose, the told time or the page's doubling wait. A refused join is asked again after
// retryAfterMs (overloaded, rate_limited) or the page's 2 s; one without an answer within 15 s is counted and
// asked again; a refusal the page cannot get past (name_taken, banned, ...) loses the room, as in the page.
// With several nodes, each new connection attempt goes to the next node's URL, as a load balancer would send it.
import type { Agent } from "node:http";
import { io } from "socket.io-client";
import type { Ack, ErrorBody, JoinPayload, JoinResult, Notice, WireMessage } from "../src/protocol.js";
import { isNotice } from "../src/protocol.js";
import { loadSessionCookie, type ChatSocket } from "./chat-client.js";
import { nowMs } from "./storm-clock.js";
import { composeContent, parseContent } from "./storm-content.js";
import type { Observations } from "./storm-observations.js";
import { StormOutbox, type SendOutcome } from "./storm-outbox.js";
import { failoverStride, type ClientSpec } from "./storm-plan.js";
import { Receipts, type ReceiptSource } from "./storm-receipts.js";

/** The brief's join deadline (the page's is 10 s): a join unanswered this long is counted and asked again. */
const JOIN_TIMEOUT_MS = 15_000;
/** The page's (room-catch-up.js, outbox.js). */
const HISTORY_TIMEOUT_MS = 10_000;
const SEND_TIMEOUT_MS = 10_000;
const CATCH_UP_PAGE = 500;
const RETRY_AFTER_DEFAULT_MS = 2_000;
/** Socket.IO's first reconnection wait and its spread (connection.js), and the page's told-time cap (connection-hub.js). */
const RECONNECT_DELAY_MS = 1_000;
const RECONNECT_JITTER = 0.5;
const TOLD_RETURN_MAX_MS = 60_000;
const SERVER_DISCONNECT_FIRST_MS = 1_000;
const SERVER_DISCONNECT_MAX_MS = 30_000;
/** The first page load, connection and join of every client, as they arrive before the run. */
const FIRST_JOIN_TIMEOUT_MS = 120_000;
/** Refusals a rejoin cannot get past by trying again (room-catch-up.js). */
const LOST = new Set(["banned", "name_taken", "invalid_name", "invalid_room", "too_many_rooms", "not_found"]);

type LocalCode = "timeout" | "disconnected";
interface LocalFailure {
  ok: false;
  error: { code: LocalCode; message: string; retryAfterMs?: number };
}
type Refusal = ErrorBody | LocalFailure["error"];

export interface ClientDeps {
  runTag: string;
  urls: readonly string[];
  /** This client's index in its worker (the observations' client column). */
  local: number;
  seen: Observations;
  /** Keeps the page loads' connections open between clients of this worker. */
  pageAgent: Agent;
  /** Went out of its room (connection lost) or back in (a join answered ok). */
  onState(isIn: boolean, atMs: number): void;
  /** Joined and caught up (the page's isJoined): the end-of-run check waits for it. */
  onCaughtUp(): void;
  /** A message of its room reached it for the first time (live or in a history). */
  onFirstReceipt(seq: number): void;
  /** Its people list changed. */
  onViewChanged(): void;
  /** A sender's outbox stopped composing and holds nothing more. */
  onSenderIdle(): void;
}

export class StormClient {
  readonly receipts = new Receipts();
  /** The people list, as the page keeps it: the join answer's `users`, then presence deltas. */
  readonly view = new Set<string>();
  readonly outbox: StormOutbox | null;
  /** Joined and caught up on the current connection. */
  isCaughtUp = false;
  /** A refusal the page gives up on (name_taken, ...): the code. */
  lostCode: string | null = null;
  /** Messages that were not this run's, or not this room's. */
  unexpected = 0;

  private socket: ChatSocket | null = null;
  private cookie = "";
  private urlIndex: number;
  private isIn = false;
  private hasJoinedOnce = false;
  private lastId = 0;
  private maxSeen = 0;
  /** Bumped on every disconnect: answers and timers of an older connection are ignored. */
  private connGen = 0;
  /** The connection whose join (and catch-up) is under way, so a resync or not_in_room does not start a second. */
  private joiningGen: number | null = null;
  /**
   * While a join is on its way: the room's events that arrived meanwhile, run once its answer has been taken in
   * (the people list from `users` first, then the deltas), or dropped if it fails, as the page's hub does.
   */
  private held: (() => void)[] | null = null;
  /** server_shutdown's reconnectAfterMs, until the next connection. */
  private toldReturnMs: number | null = null;
  private serverDisconnectRetryMs = SERVER_DISCONNECT_FIRST_MS;
  private isClosing = false;
  private firstJoin: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(
    readonly spec: ClientSpec,
    private readonly deps: ClientDeps,
  ) {
    this.urlIndex = spec.nodeIndex;
    this.outbox = spec.isSender
      ? new StormOutbox({
          compose: (seq) => composeContent(deps.runTag, { roomIndex: spec.roomIndex, seq, composedAtMs: nowMs() }),
          emit: (payload) => this.send(payload),
          canSend: () => this.isCaughtUp && this.socket?.connected === true,
          onNotInRoom: () => this.rejoin(),
          onIdle: () => deps.onSenderIdle(),
        })
      : null;
  }

  /** GET / for the session cookie (each client its own browser session), then the connection and the first join. */
  async start(): Promise<void> {
    this.cookie = await loadSessionCookie(this.url(), this.deps.pageAgent);
    const joined = new Promise<void>((resolve, reject) => (this.firstJoin = { resolve, reject }));
    const timer = setTimeout(() => this.firstJoin?.reject(new Error(`${this.spec.username}: not joined within ${FIRST_JOIN_TIMEOUT_MS} ms`)), FIRST_JOIN_TIMEOUT_MS);
    this.socket = this.openSocket();
    try {
      await joined;
    } finally {
      clearTimeout(timer);
      this.firstJoin = null;
    }
  }

  close(): void {
    this.isClosing = true;
    this.outbox?.stop();
    this.socket?.disconnect();
  }

  private url(): string {
    const url = this.deps.urls[this.urlIndex];
    if (url === undefined) throw new Error(`no node ${this.urlIndex}`);
    return url;
  }

  private openSocket(): ChatSocket {
    const url = this.url();
    const socket: ChatSocket = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: RECONNECT_DELAY_MS,
      reconnectionDelayMax: 5000,
      randomizationFactor: RECONNECT_JITTER,
      timeout: 20_000, // as the page (connection.js)
      // As the page sends them: its own origin, and the session cookie GET / set.
      extraHeaders: { origin: url, cookie: this.cookie },
    });
    const { local, seen } = this.deps;
    socket.on("connect", () => {
      this.serverDisconnectRetryMs = SERVER_DISCONNECT_FIRST_MS;
      socket.io.reconnectionDelay(RECONNECT_DELAY_MS);
      socket.io.randomizationFactor(RECONNECT_JITTER);
      void this.join();
    });
    socket.on("disconnect", (reason) => this.onDisconnect(reason));
    socket.on("connect_error", (err) => {
      const t = nowMs();
      seen.connectErrors.add(t, local);
      // By kind, for the JSON: "timeout" (no handshake within 20 s), "websocket error" (refused, reset), a refusal's text.
      seen.other.add(`connect_error ${err.message}`, t, local);
    });
    socket.io.on("reconnect_attempt", () => this.moveToNextNode());
    // Counted when they arrive; applied, as the page does, only after the answer to a join on its way (connection-hub.js).
    socket.on("message", (msg) => {
      const t = nowMs();
      if (isNotice(msg)) this.onNotice(msg, t);
      else if (this.held === null) this.ingest(msg, "live", t);
      else this.held.push(() => this.ingest(msg, "live", t));
    });
    socket.on("presence", (ev) => {
      if (ev.room !== this.spec.room) return;
      seen.presence.add(nowMs(), local, (ev.joined?.length ?? 0) + (ev.left?.length ?? 0));
      this.afterJoinAnswer(() => {
        for (const name of ev.joined ?? []) this.view.add(name);
        for (const name of ev.left ?? []) this.view.delete(name);
        this.deps.onViewChanged();
      });
    });
    socket.on("server_shutdown", (ev) => {
      const ms = Number(ev.reconnectAfterMs);
      this.toldReturnMs = Number.isFinite(ms) && ms >= 0 ? Math.min(ms, TOLD_RETURN_MAX_MS) : null;
      seen.shutdowns.add(nowMs(), local, this.toldReturnMs ?? NaN);
      if (this.toldReturnMs !== null) {
        socket.io.reconnectionDelay(Math.max(1, this.toldReturnMs));
        socket.io.randomizationFactor(0);
      }
    });
    socket.on("resync", (ev) => {
      seen.other.add("resync", nowMs(), local);
      if (!this.isCaughtUp) return;
      if (typeof ev.after === "number" && ev.after < this.lastId) this.lastId = ev.after;
      this.rejoin();
    });
    for (const name of ["removed", "room_moved", "room_added", "chat_error"] as const) socket.on(name, () => seen.other.add(name, nowMs(), local));
    return socket;
  }

  private onDisconnect(reason: string): void {
    const t = nowMs();
    this.connGen++;
    this.joiningGen = null;
    this.held = null;
    this.deps.seen.disconnects.add(reason, t, this.deps.local);
    if (this.isIn) {
      this.isIn = false;
      this.deps.onState(false, t);
    }
    this.isCaughtUp = false;
    this.outbox?.disconnected();
    if (this.isClosing) return;
    if (reason === "io server disconnect") {
      // Socket.IO does not reconnect after a disconnect the server chose; the page does, after the time it was
      // told or a doubling wait spread at random (connection-hub.js).
      const waitMs = this.toldReturnMs ?? this.serverDisconnectRetryMs * (0.5 + Math.random());
      this.toldReturnMs = null;
      setTimeout(() => this.reconnectNow(), waitMs);
      this.serverDisconnectRetryMs = Math.min(this.serverDisconnectRetryMs * 2, SERVER_DISCONNECT_MAX_MS);
    }
    // Otherwise Socket.IO's own reconnection is already on its way (after the told time, if any).
  }

  private reconnectNow(): void {
    const socket = this.socket;
    if (this.isClosing || socket === null || socket.connected) return;
    this.moveToNextNode();
    socket.connect();
  }

  /** Several nodes: the next connection attempt goes to another node, as a load balancer would route it (failoverStride). */
  private moveToNextNode(): void {
    const socket = this.socket;
    const nodes = this.deps.urls.length;
    if (nodes < 2 || socket === null) return;
    this.urlIndex = (this.urlIndex + failoverStride(this.spec.index, nodes)) % nodes;
    const url = this.url();
    // The Manager keeps its address in a private field that open() reads for every attempt (socket.io-client
    // 4.8, manager.js); its opts are public, and the new engine takes the headers from them.
    Reflect.set(socket.io, "uri", url);
    socket.io.opts.extraHeaders = { origin: url, cookie: this.cookie };
  }

  private rejoin(): void {
    if (this.joiningGen === this.connGen || this.socket?.connected !== true || this.lostCode !== null) return;
    this.isCaughtUp = false;
    void this.join();
  }

  /** join_chat (with `since` once it has been in the room), then pages forward until caught up. */
  private async join(): Promise<void> {
    if (this.lostCode !== null || this.socket?.connected !== true) return;
    const gen = this.connGen;
    this.joiningGen = gen;
    const { room, username } = this.spec;
    const payload: JoinPayload = this.hasJoinedOnce ? { room, username, since: this.lastId } : { room, username };
    this.held = [];
    const res = await this.ask<Ack<JoinResult>>((s) => s.timeout(JOIN_TIMEOUT_MS).emitWithAck("join_chat", payload));
    if (gen !== this.connGen) return;
    const t = nowMs();
    const waiting = this.held ?? [];
    this.held = null;
    if (!res.ok) {
      this.joiningGen = null;
      this.joinRefused(res.error, gen, t);
      return;
    }
    this.deps.seen.joins.add("ok", t, this.deps.local);
    this.hasJoinedOnce = true;
    if (!this.isIn) {
      this.isIn = true;
      this.deps.onState(true, t);
    }
    this.view.clear();
    for (const name of res.users ?? []) this.view.add(name);
    this.deps.onViewChanged();
    for (const m of res.history) this.ingest(m, "history", t);
    for (const run of waiting) run();
    let cursor = res.history.at(-1)?.id ?? this.lastId;
    let hasMore = res.hasMoreAfter === true;
    while (hasMore) {
      const page = await this.ask((s) => s.timeout(HISTORY_TIMEOUT_MS).emitWithAck("fetch_history", { room, after: cursor, limit: CATCH_UP_PAGE }));
      if (gen !== this.connGen) return;
      const at = nowMs();
      if (!page.ok) {
        const { code, retryAfterMs } = page.error;
        this.deps.seen.other.add(`fetch_history ${code}`, at, this.deps.local);
        if (code === "disconnected") return;
        if (code === "rate_limited" || code === "overloaded") {
          await new Promise((resolve) => setTimeout(resolve, retryAfterMs ?? 500));
          if (gen !== this.connGen) return;
          continue;
        }
        // The page starts the rejoin again after 2 s (room-catch-up.js).
        this.joiningGen = null;
        this.retryJoin(gen, RETRY_AFTER_DEFAULT_MS);
        return;
      }
      this.deps.seen.fetchPages.add(at, this.deps.local);
      for (const m of page.messages) this.ingest(m, "history", at);
      cursor = page.messages.at(-1)?.id ?? cursor;
      hasMore = page.hasMore;
    }
    this.joiningGen = null;
    this.isCaughtUp = true;
    this.lastId = this.maxSeen;
    this.firstJoin?.resolve();
    this.deps.onCaughtUp();
    this.outbox?.pump();
  }

  private afterJoinAnswer(run: () => void): void {
    if (this.held !== null) this.held.push(run);
    else run();
  }

  private joinRefused(error: Refusal, gen: number, t: number): void {
    const { code } = error;
    this.deps.seen.joins.add(code === "timeout" ? "no_answer" : code, t, this.deps.local);
    if (code === "disconnected") return; // the next connection joins again
    if (code === "timeout") {
      void this.join(); // counted; asked again at once
      return;
    }
    if (LOST.has(code)) {
      this.lostCode = code;
      this.firstJoin?.reject(new Error(`${this.spec.username}: join refused with ${code}`));
      return;
    }
    // overloaded and rate_limited say when; shutting_down, storage or presence trouble: the page's 2 s.
    this.retryJoin(gen, error.retryAfterMs ?? RETRY_AFTER_DEFAULT_MS);
  }

  private retryJoin(gen: number, delayMs: number): void {
    setTimeout(() => {
      if (gen === this.connGen) void this.join();
    }, delayMs);
  }

  private async send(payload: { content: string; clientId: string }): Promise<SendOutcome> {
    const { room, username } = this.spec;
    const res = await this.ask((s) => s.timeout(SEND_TIMEOUT_MS).emitWithAck("send_message", { room, username, ...payload }));
    if (res.ok) return { ok: true, id: res.message.id, isDuplicate: res.duplicate === true };
    return { ok: false, code: res.error.code, ...(res.error.retryAfterMs !== undefined ? { retryAfterMs: res.error.retryAfterMs } : {}) };
  }

  /** An emit with an ack, as the page's emitAck: never rejects; no answer is "timeout", a dropped connection "disconnected". */
  private async ask<T>(emit: (socket: ChatSocket) => Promise<T>): Promise<T | LocalFailure> {
    const socket = this.socket;
    // The page asks nothing while offline: Socket.IO would buffer it and send it on the next connection.
    if (socket === null || !socket.connected) return localFailure("disconnected");
    try {
      return await emit(socket);
    } catch {
      return localFailure(socket.connected ? "timeout" : "disconnected");
    }
  }

  private onNotice(notice: Notice, t: number): void {
    const { local, seen } = this.deps;
    if (notice.room !== this.spec.room) return;
    if (notice.kind === "joined") (notice.username === this.spec.username ? seen.joinedAboutSelf : seen.joinedAboutOthers).add(t, local);
    else if (notice.kind === "left") seen.left.add(t, local);
  }

  private ingest(msg: WireMessage, source: ReceiptSource, t: number): void {
    const content = typeof msg.content === "string" ? parseContent(this.deps.runTag, msg.content) : null;
    if (content === null || msg.room !== this.spec.room || content.roomIndex !== this.spec.roomIndex || typeof msg.id !== "number") {
      this.unexpected++;
      this.deps.seen.other.add("unexpected_message", t, this.deps.local);
      return;
    }
    this.maxSeen = Math.max(this.maxSeen, msg.id);
    // As the page: while catching up, live messages must not move the resume point past a gap.
    if (this.isCaughtUp) this.lastId = this.maxSeen;
    if (source === "live") {
      this.deps.seen.latency.add(content.composedAtMs, this.deps.local, t - content.composedAtMs);
      this.deps.seen.latencyByNode.add(String(this.urlIndex), content.composedAtMs, this.deps.local, t - content.composedAtMs);
    }
    if (msg.clientId !== undefined) this.outbox?.confirmByReceipt(msg.clientId, msg.id);
    if (this.receipts.record(content.seq, source)) this.deps.onFirstReceipt(content.seq);
  }
}

function localFailure(code: LocalCode): LocalFailure {
  return { ok: false, error: { code, message: code === "timeout" ? "no answer in time" : "the connection dropped" } };
}
