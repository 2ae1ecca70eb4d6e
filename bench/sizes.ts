// How big each workload is: the full run of issue 6, and --quick, which keeps every workload but
// small enough for CI (the whole quick run, both servers, in well under 60 s).
import type { FillRoom } from "./fill-db.js";

export interface BenchSizes {
  /** Workloads 1 and 2 run `repeats` times each, the servers taking turns; the median run is reported (traffic-runs.ts). */
  oneRoom: { members: number; senders: number; durationMs: number; repeats: number };
  manyRooms: { rooms: number; membersPerRoom: number; durationMs: number; repeats: number };
  /** Rooms of the pre-filled database (workloads 3 and 6), smallest first. */
  fixtureRooms: FillRoom[];
  joinSamplesPerRoom: number;
  /** Workload 3 (with 6) runs `joinRepeats` times, the servers taking turns; the joins are pooled (join-runs.ts). */
  joinRepeats: number;
  /** Untimed join rounds before workload 3's timed ones, each run (join-timing.ts: JoinTimingPlan). */
  joinWarmupRounds: number;
  /** `repeats` fresh servers, median taken: RSS growth depends on when V8 happened to collect, ±10% run to run. */
  idle: { connections: number; rooms: number; repeats: number };
  burst: { members: number; messages: number };
  /** Workload 7: clients joining one room; bytes per join reported when the room reaches each checkpoint. */
  presence: { members: number; checkpoints: number[] };
}

/** The first rounds of workload 3's warm-up, shown on a row of their own: a process just started. */
export const JOIN_FRESH_ROUNDS = 50;

export const FULL_SIZES: BenchSizes = {
  oneRoom: { members: 50, senders: 5, durationMs: 20_000, repeats: 3 },
  manyRooms: { rooms: 20, membersPerRoom: 10, durationMs: 20_000, repeats: 3 },
  fixtureRooms: [
    { room: "fill100", messages: 100 },
    { room: "fill100k", messages: 100_000 },
    { room: "fill1m", messages: 1_000_000 },
  ],
  joinSamplesPerRoom: 200,
  joinRepeats: 3,
  // V8 is still optimising the join path's functions well after 150 joins (docs/performance.md, "JIT after start").
  joinWarmupRounds: 600,
  idle: { connections: 1000, rooms: 100, repeats: 3 },
  burst: { members: 10, messages: 2000 },
  presence: { members: 1000, checkpoints: [100, 500, 1000] },
};

export const QUICK_SIZES: BenchSizes = {
  oneRoom: { members: 20, senders: 5, durationMs: 2_000, repeats: 1 },
  manyRooms: { rooms: 5, membersPerRoom: 10, durationMs: 2_000, repeats: 1 },
  fixtureRooms: [
    { room: "fill100", messages: 100 },
    { room: "fill1k", messages: 1_000 },
    { room: "fill10k", messages: 10_000 },
  ],
  joinSamplesPerRoom: 5,
  joinRepeats: 1,
  joinWarmupRounds: 1,
  idle: { connections: 200, rooms: 20, repeats: 1 },
  burst: { members: 10, messages: 300 },
  presence: { members: 100, checkpoints: [10, 50, 100] },
};
