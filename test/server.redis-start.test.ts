// REDIS_URL at start-up, without a Redis: a bad URL, REDIS_URL without DATABASE_URL, nothing listening, a server
// that never answers. Each ends
// start-up with one line on stderr and exit 1. Wrong credentials and a working start need a real Redis:
// test/cluster/server.redis.test.ts. `npm test` builds first; run `npm run build` before this file alone.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../src/config.js";
import { spawnChildServer } from "./helpers/child-server.js";
import { freePort } from "./helpers/free-port.js";

async function spawnWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "mr-redisstart-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const server = await spawnChildServer({ databasePath: join(dir, "chat.db"), cwd: dir, env });
  onTestFinished(server.stop);
  return server;
}

const DATABASE_URL = "postgres://chat:pw@127.0.0.1:1/chat"; // never reached: Redis is checked first

describe("REDIS_URL", () => {
  it("is off by default; NODE_ID defaults to hostname-pid; PRESENCE_TTL_MS defaults to 15000", () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: null, nodeId: expect.stringMatching(new RegExp(`-${process.pid}$`)), presenceTtlMs: 15_000 });
    expect(loadConfig({ REDIS_URL: "redis://:pw@cache:6379/0", DATABASE_URL, NODE_ID: "a1" })).toMatchObject({ redisUrl: "redis://:pw@cache:6379/0", nodeId: "a1" });
  });

  it("without DATABASE_URL: exits 1 with one line (several nodes cannot share an SQLite file)", async () => {
    const server = await spawnWith({ REDIS_URL: "redis://127.0.0.1:6379" });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe("config error: REDIS_URL needs DATABASE_URL (several nodes cannot share an SQLite file)\n");
  });

  it.each([["http://cache:6379"], ["not a url"], ["redis://"]])("%s: exits 1 with one config line", async (url) => {
    const server = await spawnWith({ REDIS_URL: url, DATABASE_URL });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe("config error: REDIS_URL must be a Redis URL such as redis://:password@host:6379/0\n");
  });

  it("with nothing listening: exits 1 with one line naming the address, never the password", async () => {
    const port = await freePort();
    const server = await spawnWith({ REDIS_URL: `redis://:secret-pw@127.0.0.1:${port}`, DATABASE_URL });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`cannot connect to Redis (REDIS_URL): cannot reach Redis at redis://:***@127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})\n`);
  });

  // REDIS_COMMAND_TIMEOUT_MS=0 (no limit) left nothing to end start-up's PING: the process waited forever, silent.
  it("with a server that accepts but never answers, and REDIS_COMMAND_TIMEOUT_MS=0: exits 1 within seconds with one line saying so", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // a frozen Redis, or TLS on a redis:// URL's port
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const server = await spawnWith({ REDIS_URL: `redis://:secret-pw@127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: "0", DATABASE_URL });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(`cannot connect to Redis (REDIS_URL): no answer from Redis at redis://:***@127.0.0.1:${port} within 10000 ms (is it frozen, or does it want rediss://?)\n`);
  }, 30_000);
});
