import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  messagesStored: Counter;
  ackLatency: Histogram<"event" | "outcome">;
  errors: Counter<"event" | "code">;
  rateLimited: Counter<"event">;
  dbErrors: Counter;
  slowClientsDropped: Counter;
  handshakesRefused: Counter<"reason">;
}

export interface MetricsSources {
  connectedSockets: () => number;
  activeRooms: () => number;
}

/** One registry per app (not prom-client's global), so tests can build many apps in one process. */
export function createMetrics(sources: MetricsSources, withProcessMetrics: boolean): Metrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry });
  new Gauge({ name: "mr_connected_sockets", help: "Socket.IO connections open now", registers: [registry], collect() { this.set(sources.connectedSockets()); } });
  new Gauge({ name: "mr_active_rooms", help: "Rooms with at least one person present", registers: [registry], collect() { this.set(sources.activeRooms()); } });
  return {
    registry,
    messagesStored: new Counter({ name: "mr_messages_stored_total", help: "Chat messages committed to the database", registers: [registry] }),
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
  };
}
