// Workload 3: time to join rooms of very different sizes. A join must cost the same whether the room
// holds 100 messages or a million (the history query walks an index from the newest end), so the
// figure to watch is the ratio between the largest and the smallest room.
import { closeAll, connectClient, joinRoom, type ChatSocket } from "./chat-client.js";
import type { FillRoom } from "./fill-db.js";
import { startMeter, type WindowFigures } from "./meter.js";
import { JOIN_FRESH_ROUNDS } from "./sizes.js";
import { percentiles, type Percentiles } from "./stats.js";
import { isNotice, type WireMessage } from "../src/protocol.js";

export interface RoomJoinTiming {
  room: string;
  messages: number;
  /** Emit of join_chat until both the ack and the joiner's own "has joined" notice arrived. */
  joinMs: Percentiles;
  /** Every timed join (ms), in the order they ran: runs are pooled over these (join-runs.ts). */
  samplesMs: number[];
  /** The first join after start (cold statement and page caches, code not yet compiled), for the record. */
  firstJoinMs: number;
  /** The warm-up rounds' joins, the first one included: not in joinMs (JoinTimingPlan.warmupRounds). */
  warmupMs: number[];
  /** The first JOIN_FRESH_ROUNDS rounds' joins of warmupMs: a process just started, its join path not yet compiled. */
  freshMs: number[];
}

export interface JoinTimingResult {
  rooms: RoomJoinTiming[];
  window: WindowFigures;
  /** Wrong history (length, order, room) or a missing notice: each fails the run. */
  errors: string[];
}

const HISTORY_LIMIT = 100;
const NOTICE_TIMEOUT_MS = 5_000;

export interface JoinTimingPlan {
  /** Timed joins per room. */
  samplesPerRoom: number;
  /**
   * Rounds before them (at least 1; the very first join is `firstJoinMs`): a fresh process runs its join path in
   * V8's interpreter until it is hot, and V8 goes on optimising functions for the first couple of thousand joins
   * (docs/performance.md, "JIT after start"), while a server that has been up a while is what the timed rows
   * compare. The warm-up joins are kept apart (`warmupMs`); the first JOIN_FRESH_ROUNDS of them have their own row.
   */
  warmupRounds: number;
}

export async function runJoinTiming(url: string, pid: number, rooms: readonly FillRoom[], plan: JoinTimingPlan): Promise<JoinTimingResult> {
  const errors: string[] = [];
  const noticeState = { isExpected: true };
  const samples = rooms.map(() => [] as number[]);
  const warmup = rooms.map(() => [] as number[]);
  const meter = startMeter(pid);
  // Rounds visit every room in turn, so drift over the run (GC, page cache) hits all sizes alike.
  const warmupRounds = Math.max(1, plan.warmupRounds);
  for (let round = -warmupRounds; round < plan.samplesPerRoom; round++) {
    for (const [r, room] of rooms.entries()) {
      const ms = await timeOneJoin(url, room, `j${r}n${round + warmupRounds}`, errors, noticeState);
      (round < 0 ? warmup : samples)[r]?.push(ms);
    }
  }
  const window = meter.stop();
  return {
    rooms: rooms.map((room, r) => ({
      room: room.room,
      messages: room.messages,
      joinMs: percentiles(samples[r] ?? []),
      samplesMs: samples[r] ?? [],
      warmupMs: warmup[r] ?? [],
      freshMs: (warmup[r] ?? []).slice(0, JOIN_FRESH_ROUNDS),
      firstJoinMs: warmup[r]?.[0] ?? NaN,
    })),
    window,
    errors,
  };
}

async function timeOneJoin(
  url: string,
  room: FillRoom,
  username: string,
  errors: string[],
  noticeState: { isExpected: boolean },
): Promise<number> {
  // Connecting is not part of the join: the handshake costs the same for every room.
  const socket: ChatSocket = await connectClient(url);
  try {
    // Only waited for while notices have been arriving: after one is missing, time the ack alone,
    // since waiting out the timeout on every join would stretch the run by minutes and the
    // failure is already recorded.
    const notice = noticeState.isExpected ? ownNoticeAt(socket, username, room.room) : Promise.resolve(0);
    notice.catch(() => undefined); // handled below; this only keeps a failed join from leaving it unhandled
    const started = performance.now();
    const result = await joinRoom(socket, room.room, username);
    const ackAt = performance.now();
    const noticeAt = await notice.catch((err: unknown) => {
      errors.push(err instanceof Error ? err.message : String(err));
      noticeState.isExpected = false;
      return 0;
    });
    checkHistory(result.history.map((m) => ({ id: m.id, room: m.room })), result.hasMore, room, errors);
    return Math.max(ackAt, noticeAt) - started;
  } finally {
    closeAll([socket]);
  }
}

/** Resolves with the arrival time of the joiner's own "has joined" notice. */
export function ownNoticeAt(socket: ChatSocket, username: string, room: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${username} never saw its own joined notice in ${room}`)), NOTICE_TIMEOUT_MS);
    socket.on("message", (event) => {
      if (isNotice(event) && event.kind === "joined" && event.username === username) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    });
  });
}

function checkHistory(history: Pick<WireMessage, "id" | "room">[], hasMore: boolean, room: FillRoom, errors: string[]): void {
  const want = Math.min(HISTORY_LIMIT, room.messages);
  if (history.length !== want) errors.push(`${room.room}: history has ${history.length} messages, want ${want}`);
  if (hasMore !== room.messages > HISTORY_LIMIT) errors.push(`${room.room}: hasMore is ${hasMore}`);
  if (history.some((m, i) => m.room !== room.room || (i > 0 && m.id <= (history[i - 1]?.id ?? 0)))) {
    errors.push(`${room.room}: history is not this room's messages in ascending id order`);
  }
}
