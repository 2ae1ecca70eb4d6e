// Reaching PostgreSQL: the pool and its settings, one-line reasons for a failed connection, the URL with its
// password masked, and the advisory-lock keys of a room (its inserts, its bans).
import { createHash } from "node:crypto";
import pg from "pg";
import type { Logger } from "../log.js";

export interface PoolOptions {
  url: string;
  poolSize: number;
  /** Server-side limit per statement (statement_timeout), also bounding the wait for a room's lock. */
  statementTimeoutMs: number;
  /** Opening a connection, or waiting for a free one in the pool. */
  connectTimeoutMs: number;
  log: Logger;
}

/** PostgreSQL could not be reached or refused us at start-up; `message` is one line for the operator. */
export class PostgresConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PostgresConnectError";
  }
}


/** The advisory-lock key of a room: 64 bits of a hash, so two rooms share a lock (and wait for each other) only by a 2^-64 chance. */
export function roomLockKey(room: string): bigint {
  return createHash("sha256").update(`chat_message:${room}`).digest().readBigInt64BE(0);
}

/**
 * The advisory-lock key of a room's bans, apart from its insert lock (roomLockKey): a ban takes it after the insert
 * lock, and the sends into the direct conversations opened from the room take it shared (postgres-sender-checks.ts),
 * so they wait for no send of the room itself nor for each other.
 */
export function roomBanLockKey(room: string): bigint {
  return createHash("sha256").update(`room_ban:${room}`).digest().readBigInt64BE(0);
}

/** The URL with its password masked, for logs and error lines. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

/** One line saying why a connection failed, in the operator's terms. */
export function describeConnectError(err: unknown, url: string, connectTimeoutMs: number): string {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || "5432"}`;
  const code = String((err as { code?: unknown }).code ?? "");
  const message = err instanceof Error ? err.message : String(err);
  if (code === "28P01" || code === "28000") return `authentication failed for user "${decodeURIComponent(u.username)}" at ${where}: check the user and password in DATABASE_URL`;
  if (code === "3D000") return `database "${decodeURIComponent(u.pathname.slice(1))}" does not exist at ${where}`;
  if (code === "ECONNREFUSED") return `connection refused at ${where}: is PostgreSQL running and listening there?`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host "${u.hostname}" not found`;
  // 57014 is a statement cancelled by statement_timeout: a slow statement, not a server that never answered.
  if (code !== "57014" && /timeout/i.test(message)) return `no answer from ${where} within ${connectTimeoutMs} ms (PG_CONNECT_TIMEOUT_MS)`;
  return `${where}: ${message}`;
}

/**
 * Start-up's connection for schema changes: no statement_timeout or query_timeout. PG_STATEMENT_TIMEOUT_MS bounds
 * a send; a step that indexes or rewrites chat_message takes as long as the table is big, and under the send's
 * limit a big database failed every start and could never be upgraded.
 */
export async function connectForMigrations(opts: PoolOptions): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: opts.url, connectionTimeoutMillis: opts.connectTimeoutMs, keepAlive: true, application_name: "messenger-room" });
  client.on("error", () => undefined); // a connection lost mid-step fails the query under way, which says so
  await client.connect();
  return client;
}

export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    // Client-side bound for a server that stops answering altogether (statement_timeout needs a live server).
    query_timeout: opts.statementTimeoutMs + opts.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "messenger-room",
  });
  // An idle connection dropped by the server (restart, failover) is removed by the pool; without a listener
  // the 'error' event would crash the process.
  pool.on("error", (err) => opts.log.warn("db_connection_lost", { err }));
  // pg-pool listens only while a connection is idle, and pg emits 'error' on a client whose connection ends even
  // mid-query: a restart under a checked-out connection (a transaction, a full-disk probe) crashed the process.
  // The holder hears it anyway (its query rejects, or the next one does) and releases the connection as broken.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
