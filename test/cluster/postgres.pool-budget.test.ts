// PG_POOL_SIZE against PostgreSQL's max_connections (src/storage/postgres-connection-budget.ts): a pool that does not
// fit in what the server has left is one warning at start-up, with the numbers; the store opens all the same.
// A server of its own, with max_connections 10 (3 of them reserved for superusers by default).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../../src/log.js";
import { PostgresMessageRepository } from "../../src/storage/postgres.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres({ maxConnections: 10 });
});
afterAll(() => server.remove());

/** `count` connections held open, as other nodes' pools would. */
async function holdConnections(url: string, count: number): Promise<void> {
  const clients = Array.from({ length: count }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  onTestFinished(() => Promise.all(clients.map((c) => c.end())).then(() => undefined));
}

async function openWith(url: string, poolSize: number): Promise<ReturnType<typeof createCapturingLogger>> {
  const log = createCapturingLogger();
  const repo = await PostgresMessageRepository.open({ url, poolSize, statementTimeoutMs: 5000, connectTimeoutMs: 2000, log });
  onTestFinished(() => repo.close());
  expect(await repo.isHealthy()).toBe(true); // a warning, never a node that does not start
  return log;
}

describe("PG_POOL_SIZE and max_connections", () => {
  it("warns pg_pool_exceeds_max_connections with the numbers when the pool does not fit, and opens all the same", async () => {
    const url = await server.createDatabase();
    await holdConnections(url, 2);
    const log = await openWith(url, 6); // 10 - 3 reserved - 2 open = 5 left
    expect(log.lines.filter((l) => l.event === "pg_pool_exceeds_max_connections")).toEqual([
      expect.objectContaining({ level: "warn", poolSize: 6, maxConnections: 10, reserved: 3, open: 2, left: 5, hint: expect.stringContaining("PG_POOL_SIZE") }),
    ]);
  });

  it("says nothing when the pool fits", async () => {
    const url = await server.createDatabase();
    await holdConnections(url, 2);
    const log = await openWith(url, 5);
    expect(log.lines.map((l) => l.event)).not.toContain("pg_pool_exceeds_max_connections");
    expect(log.lines.map((l) => l.event)).not.toContain("pg_connection_budget_unknown");
  });
});
