import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  messagesStored: Counter;
  /** Issue 22: reactions added or removed (a change that changed nothing is not counted). */
  reactionsChanged: Counter<"change">;
  ackLatency: Histogram<"event" | "outcome">;
  errors: Counter<"event" | "code">;
  rateLimited: Counter<"event">;
  dbErrors: Counter;
  slowClientsDropped: Counter;
  handshakesRefused: Counter<"reason">;
  /** TCP connections closed on arrival for being past MAX_TCP_CONNECTIONS_PER_IP. */
  tcpConnectionsRefused: Counter;
  /** Issue 23: push requests by outcome (delivered, gone, refused, failed = given up, retried, dropped = queue full or unsendable). */
  pushes: Counter<"outcome">;
}

export interface MetricsSources {
  connectedSockets: () => number;
  activeRooms: () => number;
  /** Multi-node mode: the node's id, a label on every series, and its link to Redis. */
  cluster?: { nodeId: string; isRedisUp: () => boolean; recoveries: () => number };
  /** The PostgreSQL pool's connections (total, idle, and clients waiting for one). */
  pool?: () => { total: number; idle: number; waiting: number };
  /** Issue 23: pushes waiting to be sent or retried. */
  pushQueue?: () => number;
  /** The store's writes fail for want of disk space (SQLite; /healthz says full). */
  isDatabaseFull?: () => boolean;
}

/** One registry per app (not prom-client's global), so tests can build many apps in one process. */
export function createMetrics(sources: MetricsSources, withProcessMetrics: boolean): Metrics {
  const registry = new Registry();
  const { cluster, pool } = sources;
  // Before any metric is registered, so every series, the process ones too, carries it.
  if (cluster) registry.setDefaultLabels({ node: cluster.nodeId });
  if (withProcessMetrics) collectDefaultMetrics({ register: registry });
  if (cluster) {
    new Gauge({ name: "mr_redis_up", help: "1 while this node's Redis connections (presence and the Socket.IO adapter) are ready", registers: [registry], collect() { this.set(cluster.isRedisUp() ? 1 : 0); } });
    new Gauge({ name: "mr_redis_recoveries", help: "Times this node's link to Redis came back after an outage (it then re-registered presence and sent resync)", registers: [registry], collect() { this.set(cluster.recoveries()); } });
  }
  if (pool) {
    new Gauge({
      name: "mr_pg_pool_connections",
      help: "PostgreSQL pool: open connections (total), idle ones, and queries waiting for one",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const figures = pool();
        this.set({ state: "total" }, figures.total);
        this.set({ state: "idle" }, figures.idle);
        this.set({ state: "waiting" }, figures.waiting);
      },
    });
  }
  const { pushQueue } = sources;
  if (pushQueue) new Gauge({ name: "mr_push_queue_length", help: "Pushes waiting to be sent to a push service, retries included", registers: [registry], collect() { this.set(pushQueue()); } });
  const { isDatabaseFull } = sources;
  if (isDatabaseFull) new Gauge({ name: "mr_db_full", help: "1 while writes fail because the database's disk is full, until there is room again (SQLite: DB_FULL_RESUME_BYTES free; PostgreSQL: a probe insert goes in)", registers: [registry], collect() { this.set(isDatabaseFull() ? 1 : 0); } });
  new Gauge({ name: "mr_connected_sockets", help: "Socket.IO connections open now", registers: [registry], collect() { this.set(sources.connectedSockets()); } });
  new Gauge({ name: "mr_active_rooms", help: "Rooms with at least one person present", registers: [registry], collect() { this.set(sources.activeRooms()); } });
  return {
    registry,
    messagesStored: new Counter({ name: "mr_messages_stored_total", help: "Chat messages committed to the database", registers: [registry] }),
    reactionsChanged: new Counter({ name: "mr_reactions_changed_total", help: "Reactions added (change=on) or removed (change=off)", labelNames: ["change"], registers: [registry] }),
    ackLatency: new Histogram({
      name: "mr_ack_latency_seconds",
      help: "Time from receiving a client event to answering it",
      labelNames: ["event", "outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({ name: "mr_errors_total", help: "Client events answered with an error, by code", labelNames: ["event", "code"], registers: [registry] }),
    rateLimited: new Counter({ name: "mr_rate_limited_total", help: "Client events refused by a rate limit", labelNames: ["event"], registers: [registry] }),
    dbErrors: new Counter({ name: "mr_db_errors_total", help: "Database operations that failed", registers: [registry] }),
    slowClientsDropped: new Counter({ name: "mr_slow_clients_dropped_total", help: "Connections dropped for not reading their messages", registers: [registry] }),
    handshakesRefused: new Counter({ name: "mr_handshakes_refused_total", help: "Socket.IO handshakes refused", labelNames: ["reason"], registers: [registry] }),
    tcpConnectionsRefused: new Counter({ name: "mr_tcp_connections_refused_total", help: "TCP connections closed on arrival: their address had MAX_TCP_CONNECTIONS_PER_IP open", registers: [registry] }),
    pushes: new Counter({ name: "mr_pushes_total", help: "Web Push requests by outcome: delivered, gone (subscription deleted), refused (by the endpoint policy), retried, failed (given up), dropped (queue full)", labelNames: ["outcome"], registers: [registry] }),
  };
}
