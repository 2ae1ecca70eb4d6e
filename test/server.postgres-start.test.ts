// DATABASE_URL at start-up, without a PostgreSQL: a bad URL, nothing listening, a server that never answers.
// Each ends start-up with one line on stderr and exit 1. Wrong credentials and a working start need a real
// PostgreSQL: test/cluster/server.postgres.test.ts. `npm test` builds first; run `npm run build` before this file alone.
import { createServer, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../src/config.js";
import { describeConnectError } from "../src/storage/postgres-pool.js";
import { spawnChildServer } from "./helpers/child-server.js";
import { freePort } from "./helpers/free-port.js";

async function spawnWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "mr-pgstart-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const server = await spawnChildServer({ databasePath: join(dir, "chat.db"), cwd: dir, env });
  onTestFinished(server.stop);
  return server;
}

describe("DATABASE_URL", () => {
  it("is off by default: SQLite at DATABASE_PATH, with the pool settings' defaults", () => {
    expect(loadConfig({})).toMatchObject({ databaseUrl: null, postgres: { poolSize: 10, statementTimeoutMs: 5000, connectTimeoutMs: 5000 } });
    expect(loadConfig({ DATABASE_URL: " postgresql://u:p@db:5432/chat ", PG_POOL_SIZE: "3" })).toMatchObject({
      databaseUrl: "postgresql://u:p@db:5432/chat",
      postgres: { poolSize: 3 },
    });
  });

  it.each([["mysql://u:p@db/chat"], ["not a url"], ["postgres://"]])("%s: exits 1 with one config line that does not echo the URL", async (url) => {
    const server = await spawnWith({ DATABASE_URL: url });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe("config error: DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database\n");
    expect(server.logs.map((l) => l.event)).not.toContain("listening");
  });

  it("with nothing listening at the address: exits 1 with one line saying the connection was refused", async () => {
    const port = await freePort();
    const server = await spawnWith({ DATABASE_URL: `postgres://chat:secret-pw@127.0.0.1:${port}/chat` });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`cannot connect to PostgreSQL (DATABASE_URL): connection refused at 127.0.0.1:${port}: is PostgreSQL running and listening there?\n`);
  });

  it("with a server that accepts but never answers: exits 1 after PG_CONNECT_TIMEOUT_MS, saying so", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // accepts the TCP connection, never speaks
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const server = await spawnWith({ DATABASE_URL: `postgres://chat:secret-pw@127.0.0.1:${port}/chat`, PG_CONNECT_TIMEOUT_MS: "300" });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`cannot connect to PostgreSQL (DATABASE_URL): no answer from 127.0.0.1:${port} within 300 ms (PG_CONNECT_TIMEOUT_MS)\n`);
    expect(server.stderr()).not.toContain("secret-pw");
  });

  // Was "no answer from … within N ms (PG_CONNECT_TIMEOUT_MS)": the operator raised the wrong limit.
  it("a statement cancelled by statement_timeout is not described as a connect timeout", () => {
    const cancelled = Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
    expect(describeConnectError(cancelled, "postgres://chat:pw@127.0.0.1:5432/chat", 5000)).toBe("127.0.0.1:5432: canceling statement due to statement timeout");
  });
});
