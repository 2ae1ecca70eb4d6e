// Who the restart storm's clients are and how big a run is: --storm (10,000 clients in 250 rooms of 40, SIGTERM
// and SIGKILL) and --storm --quick (1,000 in 25 rooms of 40, SIGTERM, CI). Client i sits in room i % rooms at seat
// s = ⌊i / rooms⌋, connects to node (room + s) % nodes and lives in worker s % workers, so every room is spread
// over every worker and node (whatever the counts' common factors), and so are the rooms' senders (seat 0).

export type StormSignal = "term" | "kill";

export function signalName(signal: StormSignal): string {
  return signal === "term" ? "SIGTERM" : "SIGKILL";
}

export interface StormSizes {
  clients: number;
  rooms: number;
  /** The signals run when --signal is not given. */
  signals: StormSignal[];
  /** Worker threads holding the clients, so one event loop of the load generator is not what limits the run. */
  workers: number;
  /** Traffic runs this long before the "before" window opens (first sends, first acks). */
  warmupMs: number;
  /** The steady-state windows before the signal and after every client is back. */
  steadyMs: number;
  /** Every client back, the "after" window opens this much later (the last catch-ups, the new process's JIT warming up). */
  settleAfterMs: number;
  /** Gives up waiting for every client to be back after this long (the figures then say how many were not). */
  stormTimeoutMs: number;
  /** After the last send: every client must have every acknowledged message within this long, or it counts as lost. */
  drainTimeoutMs: number;
  /** Page loads (for the session cookie) and connect-and-join in flight per worker while the clients first arrive. */
  setupConcurrencyPerWorker: number;
  /** One sender per room composes a message this often. */
  sendIntervalMs: number;
}

export const STORM_FULL: StormSizes = {
  clients: 10_000,
  rooms: 250,
  signals: ["term", "kill"],
  workers: 4,
  warmupMs: 2_000,
  steadyMs: 10_000,
  settleAfterMs: 3_000,
  stormTimeoutMs: 120_000,
  drainTimeoutMs: 60_000,
  setupConcurrencyPerWorker: 25,
  sendIntervalMs: 1_000,
};

export const STORM_QUICK: StormSizes = {
  ...STORM_FULL,
  clients: 1_000,
  rooms: 25,
  signals: ["term"],
  warmupMs: 1_000,
  steadyMs: 4_000,
  settleAfterMs: 1_000,
  stormTimeoutMs: 30_000,
  drainTimeoutMs: 15_000,
};

export interface ClientSpec {
  /** 0 .. clients-1, across all workers. */
  index: number;
  roomIndex: number;
  room: string;
  username: string;
  /** Clients in this room (all workers): a client's people list is complete at this size. */
  roomSize: number;
  /** The node it first connects to (always 0 on one node). */
  nodeIndex: number;
  isSender: boolean;
}

export function roomName(roomIndex: number): string {
  return `storm-${roomIndex}`;
}

export function planClients(clients: number, rooms: number, nodes: number): ClientSpec[] {
  return Array.from({ length: clients }, (_, index) => {
    const roomIndex = index % rooms;
    const seat = Math.floor(index / rooms);
    return {
      index,
      roomIndex,
      room: roomName(roomIndex),
      username: `r${roomIndex}u${seat}`,
      roomSize: Math.floor((clients - roomIndex - 1) / rooms) + 1,
      nodeIndex: (roomIndex + seat) % nodes,
      isSender: seat === 0,
    };
  });
}

/**
 * How far a client moves along the node list when a connection attempt fails (its node is down): a step coprime
 * with the number of nodes, so that repeated moves visit every node, chosen by the client's index so that a failed
 * node's clients spread evenly over the others, as a round-robin balancer spreads them. A step of 1 for everyone
 * sent every client of node 0 to node 1 (measured 2026-12-07: after a three-node SIGKILL return node 1 carried
 * two thirds of the deliveries and node 0 none), which is no balancer's doing.
 */
export function failoverStride(clientIndex: number, nodes: number): number {
  const strides = Array.from({ length: Math.max(1, nodes - 1) }, (_, i) => i + 1).filter((k) => gcd(k, nodes) === 1);
  return strides[clientIndex % strides.length] ?? 1;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The clients of each worker: by seat in the room, so each room's clients are spread over all workers. */
export function splitForWorkers(specs: readonly ClientSpec[], rooms: number, workers: number): ClientSpec[][] {
  const parts: ClientSpec[][] = Array.from({ length: workers }, () => []);
  for (const spec of specs) parts[Math.floor(spec.index / rooms) % workers]?.push(spec);
  return parts.filter((p) => p.length > 0);
}
