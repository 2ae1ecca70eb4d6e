// Live delivery in id order across nodes (issue 10). Ids are drawn in commit order under the room's lock, but
// each node publishes after its COMMIT, outside the lock, so node A's 12 can reach a node before node B's 11.
// Every chat message a node hands to its own sockets (those it stored, those other nodes sent) goes through
// one RoomSequencer, which keeps per room the newest id delivered here (the watermark). A message whose
// predecessor in the room (AppendResult.previousId) is at or below the watermark goes out at once; one with
// something between is held while the rows between are read from the database (the lock makes them committed
// and visible before the message itself) and delivered first; one at or below the watermark was delivered
// already and is dropped.
import type { Logger } from "../log.js";
import type { WireMessage, WireQuote } from "../protocol.js";
import type { RoomMessageEvent } from "../server-events.js";
import type { MessageEdits, MessageRepository } from "../storage/repository.js";
import { quotesFor } from "../chat/replies.js";
import { emitMessage } from "../chat/audiences.js";
import { toWire } from "../chat/wire.js";
import type { MessageFanout } from "../chat/message-fanout.js";
import type { ChatServer } from "../chat/types.js";

export interface RoomSequencerDeps {
  repo: Pick<MessageRepository, "page">;
  /** Hands one message to this node's members of its room (local sockets only). Called in id order per room. */
  deliver(message: WireMessage): void;
  /** A gap could not be read (the database is away): the room's local sockets must catch up after `after` themselves. */
  resync(room: string, after: number): void;
  log: Logger;
  /** Rows per read while filling a gap. */
  gapPageSize?: number;
  /** Before the file links of a message with files, for the original's clients (PUBLIC_URL; "" for paths). */
  linkBase?: string;
  /** Issue 22: reads the originals of replies, so a message read back from the database carries its quote as a live one does. */
  quotes?: Pick<MessageEdits, "messagesById">;
}

interface RoomState {
  /** Every id of the room up to this one has been delivered here (or was in the join history of whoever was here). */
  watermark: number;
  /** The first member's read of the room's newest id; rejects when it failed (and the state is gone). */
  ready: Promise<void>;
  isReady: boolean;
  /** The last queued step: every message that cannot go out at once waits behind it. */
  tail: Promise<void>;
  /** Steps queued and not finished (the first read counts as one): while 0, an in-order message needs no promise. */
  queued: number;
}

const DEFAULT_GAP_PAGE = 100;

export class RoomSequencer {
  private readonly rooms = new Map<string, RoomState>();

  constructor(private readonly deps: RoomSequencerDeps) {}

  /**
   * A member of this node is in the room and is about to read its join history. The first one starts the room's
   * watermark at the room's newest id, read now, before that history: a message at or below it is in the
   * history, one above it goes out live (with the page's dedupe by id covering the overlap of the two reads).
   * Later members wait for that first read too. Rejects when the database cannot answer (the join then fails).
   */
  enter(room: string): Promise<void> {
    const known = this.rooms.get(room);
    if (known !== undefined) return known.ready;
    const state: RoomState = { watermark: 0, isReady: false, queued: 1, ready: Promise.resolve(), tail: Promise.resolve() };
    state.ready = this.deps.repo.page(room, { limit: 1 }).then((page) => {
      state.watermark = page.messages[0]?.id ?? 0;
      state.isReady = true;
    });
    state.tail = state.ready.then(
      () => void state.queued--,
      () => {
        state.queued--;
        if (this.rooms.get(room) === state) this.rooms.delete(room); // the next member reads again
      },
    );
    this.rooms.set(room, state);
    return state.ready;
  }

  /**
   * A stored message of a room (from this node or another). Resolves once it has been delivered here, dropped as
   * delivered already, or found to have nobody here to go to. Never rejects.
   */
  offer(message: WireMessage, previousId: number | undefined): Promise<void> {
    const state = this.rooms.get(message.room);
    if (state === undefined) return Promise.resolve(); // no member of the room on this node
    if (state.queued === 0) {
      // The common case: nothing waiting, so no database read and no promise to chain.
      if (message.id <= state.watermark) return Promise.resolve();
      if (isNext(state, previousId)) {
        this.deliver(state, message);
        return Promise.resolve();
      }
    }
    state.queued++;
    const step = state.tail.then(() => this.place(state, message, previousId)).finally(() => void state.queued--);
    state.tail = step;
    return step;
  }

  /** No member of the room is left on this node: its state goes (a later member reads the newest id again). */
  forget(room: string): void {
    this.rooms.delete(room);
  }

  /** The newest id delivered to this node's members of the room, or undefined (no member, or the first read is under way). */
  watermark(room: string): number | undefined {
    const state = this.rooms.get(room);
    return state?.isReady === true ? state.watermark : undefined;
  }

  /** Rooms with state (members on this node): what memory the sequencer holds. */
  roomCount(): number {
    return this.rooms.size;
  }

  private async place(state: RoomState, message: WireMessage, previousId: number | undefined): Promise<void> {
    if (!this.isCurrent(state, message.room) || message.id <= state.watermark) return;
    if (!isNext(state, previousId)) {
      try {
        await this.fillGap(state, message.room, message.id);
      } catch (err) {
        // Never hold a message back for a database that may stay away: deliver it, and have the room's pages
        // fetch what lies between (they ask again until the database answers).
        this.deps.log.warn("sequencer_gap_unread", { room: message.room, after: state.watermark, id: message.id, err: (err as Error).message });
        if (this.isCurrent(state, message.room)) this.deps.resync(message.room, state.watermark);
      }
    }
    if (this.isCurrent(state, message.room) && message.id > state.watermark) this.deliver(state, message);
  }

  /** Delivers the room's stored rows above the watermark and below `beforeId`, oldest first. */
  private async fillGap(state: RoomState, room: string, beforeId: number): Promise<void> {
    const limit = this.deps.gapPageSize ?? DEFAULT_GAP_PAGE;
    for (;;) {
      const page = await this.deps.repo.page(room, { after: state.watermark, limit });
      const quotes = this.deps.quotes === undefined ? new Map<number, WireQuote>() : await quotesFor(this.deps.quotes, room, page.messages);
      if (!this.isCurrent(state, room)) return;
      for (const row of page.messages) {
        if (row.id >= beforeId) return;
        const quote = row.replyTo === undefined ? undefined : quotes.get(row.replyTo);
        this.deliver(state, toWire(row, undefined, this.deps.linkBase, quote === undefined ? {} : { quote }));
      }
      if (!page.hasMore || page.messages.length === 0) return;
    }
  }

  private deliver(state: RoomState, message: WireMessage): void {
    state.watermark = message.id;
    this.deps.deliver(message);
  }

  private isCurrent(state: RoomState, room: string): boolean {
    return this.rooms.get(room) === state && state.isReady;
  }
}

/** Nothing of the room lies between the watermark and this message. Without a link (an older node) it cannot tell: deliver. */
function isNext(state: RoomState, previousId: number | undefined): boolean {
  return previousId === undefined || previousId <= state.watermark;
}

/** How stored messages reach the other nodes that serve their room (cluster/room-adapter.ts). */
export interface RoomRouting {
  /** Resolves when this node hears the room's channel; a member's join history is read only after it. */
  subscribed(room: string): Promise<void>;
  /** The event to every other node with a member of the room, and to no other node. */
  emitToRoom(room: string, event: "room_message", payload: RoomMessageEvent): void;
}

/**
 * Multi-node delivery of chat messages: the other nodes get each stored message as a server-side event (not a
 * room broadcast, which could not carry the link without adding it to the clients' payload) on the room's channel,
 * so only the nodes serving the room hear it, and every node, this one included, hands it to its own sockets
 * through its sequencer. The rest of the room's traffic (notices, presence, typing, edits) stays on the
 * adapter's room broadcasts, unsequenced.
 */
export function startRoomSequencing(io: ChatServer, routing: RoomRouting, repo: MessageRepository, log: Logger, linkBase = "", quotes?: Pick<MessageEdits, "messagesById">): MessageFanout & { sequencer: RoomSequencer } {
  const sequencer = new RoomSequencer({
    repo,
    log,
    linkBase,
    ...(quotes !== undefined ? { quotes } : {}),
    deliver: (message) => emitMessage(io.local, message), // a reply in two shapes: the page's and the original's (issue 22)
    resync: (room, after) => io.local.to(room).emit("resync", { room, after }),
  });
  io.on("room_message", (event: RoomMessageEvent) => {
    if (!isRoomMessageEvent(event)) return;
    void sequencer.offer(event.message, event.previousId);
  });
  // The in-memory part of every adapter says when a room has no local socket left.
  io.of("/").adapter.on("delete-room", (room: string) => sequencer.forget(room));
  return {
    sequencer,
    // The join race (issue 21): pub/sub keeps nothing for a node that was not listening, so the room's channel
    // must be live before the watermark (and then the history) is read. A message committed before that read is
    // in the history; one published after the subscription is heard live; nothing falls between.
    enter: async (room) => {
      await routing.subscribed(room);
      await sequencer.enter(room);
    },
    publish(saved, message) {
      const event: RoomMessageEvent = saved.previousId === undefined ? { message } : { message, previousId: saved.previousId };
      routing.emitToRoom(message.room, "room_message", event);
      return sequencer.offer(message, saved.previousId);
    },
  };
}

function isRoomMessageEvent(event: unknown): event is RoomMessageEvent {
  const e = event as Partial<RoomMessageEvent> | null;
  return typeof e?.message?.id === "number" && typeof e.message.room === "string" && (e.previousId === undefined || typeof e.previousId === "number");
}
