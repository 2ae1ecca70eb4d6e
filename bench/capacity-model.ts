// The capacity model of docs/capacity.md (issue 21 §4), as arithmetic over measured costs: how many nodes, PostgreSQL
// cores and Redis shards a number of concurrent users needs at a stated message rate, and which single-instance
// part runs out first. Pure; the costs come from `npm run bench -- --scale` and bench/pg-ceiling.ts (see the doc),
// the assumptions are named here so the doc can state them.

export interface MeasuredCosts {
  /** Node CPU per delivery with rooms spread over the nodes (the pessimistic placement nginx gives), µs. */
  nodeMicrosPerDelivery: number;
  /** PostgreSQL CPU per stored message with group commit, µs. */
  postgresMicrosPerInsert: number;
  /** Inserts/s one PostgreSQL reached on the measuring machine, and how many cores it had. */
  postgresCeilingPerSec: number;
  postgresCeilingCores: number;
  /** Redis CPU per published message: a fixed part plus a part per node that receives it, µs. */
  redisMicrosPerMessage: number;
  redisMicrosPerReceivingNode: number;
  /** Resident memory per idle connection, KB. */
  rssKbPerConnection: number;
}

export interface Assumptions {
  /** Messages per concurrent user per second (1 per 5 minutes = 1/300). */
  messagesPerUserPerSec: number;
  /** Online members a message reaches. */
  roomMembers: number;
  /** Connections one node process takes at most: a node's restart sends that many reconnects to the others. */
  connectionsPerNode: number;
  /** Share of a core a node's event loop, a PostgreSQL core or a Redis shard is planned to run at. */
  plannedUtilisation: number;
}

export interface CapacityRow {
  users: number;
  sendsPerSec: number;
  deliveriesPerSec: number;
  nodes: number;
  /** What sets the node count: connections per node or CPU. */
  nodesBoundBy: "connections" | "cpu";
  nodeCores: number;
  memoryGb: number;
  postgresCores: number;
  /** Sends/s over the measured ceiling, scaled to the machine's cores: above plannedUtilisation needs more than one primary. */
  postgresShareOfCeiling: number;
  redisCores: number;
  redisShards: number;
}

export function sizeFor(users: number, costs: MeasuredCosts, a: Assumptions): CapacityRow {
  const sendsPerSec = users * a.messagesPerUserPerSec;
  const deliveriesPerSec = sendsPerSec * a.roomMembers;
  const nodeCores = (deliveriesPerSec * costs.nodeMicrosPerDelivery) / 1e6;
  const byConnections = Math.ceil(users / a.connectionsPerNode);
  const byCpu = Math.ceil(nodeCores / a.plannedUtilisation);
  // Two at least: one node is no cluster (a restart drops everyone).
  const nodes = Math.max(2, byConnections, byCpu);
  // Rooms spread by the balancer: a room's members sit on min(nodes, members) nodes, each receives its messages.
  const receiving = Math.min(nodes, a.roomMembers);
  const redisCores = (sendsPerSec * (costs.redisMicrosPerMessage + receiving * costs.redisMicrosPerReceivingNode)) / 1e6;
  return {
    users,
    sendsPerSec,
    deliveriesPerSec,
    nodes,
    nodesBoundBy: byCpu > byConnections ? "cpu" : "connections",
    nodeCores,
    memoryGb: (users * costs.rssKbPerConnection) / 1024 / 1024,
    postgresCores: (sendsPerSec * costs.postgresMicrosPerInsert) / 1e6,
    postgresShareOfCeiling: sendsPerSec / costs.postgresCeilingPerSec,
    redisCores,
    redisShards: Math.max(1, Math.ceil(redisCores / a.plannedUtilisation)),
  };
}

/** Concurrent users at which one instance of a part reaches `plannedUtilisation`: the order they run out in. */
export function usersAtLimit(costs: MeasuredCosts, a: Assumptions, nodesForRedis: number): { postgresPrimary: number; oneRedisShard: number } {
  const receiving = Math.min(nodesForRedis, a.roomMembers);
  const redisSendsPerSec = (a.plannedUtilisation * 1e6) / (costs.redisMicrosPerMessage + receiving * costs.redisMicrosPerReceivingNode);
  return {
    postgresPrimary: (a.plannedUtilisation * costs.postgresCeilingPerSec) / a.messagesPerUserPerSec,
    oneRedisShard: redisSendsPerSec / a.messagesPerUserPerSec,
  };
}

/**
 * Redis's cost split into a fixed part and a part per receiving node, from two measured points (rooms placed: one
 * node receives; rooms spread: `spreadNodes` do). A negative slope (noise) counts as none.
 */
export function splitRedisCost(placedMicros: number, spreadMicros: number, spreadNodes: number): { perMessage: number; perReceivingNode: number } {
  if (spreadNodes <= 1) return { perMessage: placedMicros, perReceivingNode: 0 };
  const perReceivingNode = Math.max(0, (spreadMicros - placedMicros) / (spreadNodes - 1));
  return { perMessage: Math.max(0, placedMicros - perReceivingNode), perReceivingNode };
}
