// Does this node's pool fit in what PostgreSQL allows? N nodes × PG_POOL_SIZE beyond max_connections fails
// later, under load, as refused connections ("sorry, too many clients already"). At start-up one query reads the
// limit, the slots held back for superusers (and reserved_connections, PostgreSQL 16+), and the connections
// already open; a pool larger than what is left is one warning line. It never stops the node: the other nodes
// may not be running yet, or the pool may never fill.
import type pg from "pg";
import type { Logger } from "../log.js";

export interface ConnectionBudget {
  maxConnections: number;
  /** superuser_reserved_connections + reserved_connections: slots an ordinary role cannot use. */
  reserved: number;
  /** Client connections open on the server now, besides the one that asked. */
  open: number;
}

// current_setting(…, true) is NULL where the setting does not exist (reserved_connections before PostgreSQL 16).
// pg_stat_activity hides the backend_type of other roles' sessions from an ordinary role: those count as clients.
const BUDGET_SQL = `SELECT current_setting('max_connections')::int AS max_connections,
  current_setting('superuser_reserved_connections')::int + COALESCE(current_setting('reserved_connections', true), '0')::int AS reserved,
  (SELECT count(*) FROM pg_stat_activity WHERE (backend_type = 'client backend' OR backend_type IS NULL) AND pid <> pg_backend_pid())::int AS open`;

export async function readConnectionBudget(client: pg.Client): Promise<ConnectionBudget> {
  const { rows } = await client.query<{ max_connections: number; reserved: number; open: number }>(BUDGET_SQL);
  const row = rows[0];
  if (row === undefined) throw new Error("the connection budget query returned no row");
  return { maxConnections: row.max_connections, reserved: row.reserved, open: row.open };
}

/** Connections a new pool can still open (the asking connection closes before the pool fills). */
export function connectionsLeft(budget: ConnectionBudget): number {
  return Math.max(0, budget.maxConnections - budget.reserved - budget.open);
}

/** One warning when a pool of `poolSize` does not fit; a failed read is a warning too, never a failed start. */
export async function warnIfPoolDoesNotFit(client: pg.Client, poolSize: number, log: Logger): Promise<void> {
  let budget: ConnectionBudget;
  try {
    budget = await readConnectionBudget(client);
  } catch (err) {
    log.warn("pg_connection_budget_unknown", { err, hint: "could not read max_connections: PG_POOL_SIZE is not checked" });
    return;
  }
  const left = connectionsLeft(budget);
  if (poolSize <= left) return;
  log.warn("pg_pool_exceeds_max_connections", {
    poolSize,
    ...budget,
    left,
    hint: "PG_POOL_SIZE is more than the connections PostgreSQL has left: lower it or raise max_connections, so that nodes × PG_POOL_SIZE fit (docs/cluster.md)",
  });
}
