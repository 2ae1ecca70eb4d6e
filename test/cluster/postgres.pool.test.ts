// The node-postgres pool (src/storage/postgres-pool.ts): a connection the server ends while the store holds it
// (a restart, a failover, pg_terminate_backend) fails that holder's queries; it never ends the process. pg-pool
// listens for errors only on idle connections, and pg emits 'error' on a client whose connection ends: with no
// listener that was an uncaught exception, and a node stopped while PostgreSQL restarted under a transaction or
// a full-disk probe (seen in test/cluster/postgres.disk-full.test.ts).
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../../src/log.js";
import { createPool } from "../../src/storage/postgres-pool.js";
import { clusterDatabase } from "./pg.js";

describe("the PostgreSQL pool", () => {
  it("fails the queries of a connection the server ended while it was checked out, instead of ending the process, and goes on with a fresh one", async () => {
    const pool = createPool({ url: await clusterDatabase(), poolSize: 2, statementTimeoutMs: 5000, connectTimeoutMs: 2000, log: createCapturingLogger() });
    onTestFinished(() => pool.end());
    const held = await pool.connect();
    const pid = (await held.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
    const ended = new Promise((resolve) => held.once("end", resolve)); // events.once would reject on the 'error' itself
    await pool.query("SELECT pg_terminate_backend($1)", [pid]);
    await ended; // pg emits 'error' just before 'end': unhandled, the test run had an uncaught exception here

    await expect(held.query("SELECT 1")).rejects.toThrow();
    held.release(true);
    expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});
