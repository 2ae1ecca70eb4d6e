// PostgreSQL stops, or hangs, under a running repository: appends and pages fail with StorageUnavailableError
// within the configured timeouts (never hang), isHealthy() says false, and everything works again by itself
// once the server is back. This file starts a PostgreSQL of its own, since it stops it.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCapturingLogger } from "../../src/log.js";
import { PostgresMessageRepository } from "../../src/storage/postgres.js";
import { StorageUnavailableError, type NewMessage } from "../../src/storage/repository.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

let server: PostgresServer;
let repo: PostgresMessageRepository;
const log = createCapturingLogger();

beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase("outage");
  repo = await PostgresMessageRepository.open({ url, poolSize: 3, statementTimeoutMs: 1000, connectTimeoutMs: 500, log });
});
afterAll(async () => {
  await repo?.close().catch(() => undefined);
  await server?.remove();
});

const aMessage = (content: string): NewMessage => ({ room: "r", sender: "ana", content, sentAt: new Date("2025-06-01T12:00:00.000Z") });

/** Every process of the server (postmaster and its children): SIGSTOP makes it a server that never answers. */
function signalAll(signal: "SIGSTOP" | "SIGCONT"): void {
  const pid = server.process()?.pid;
  if (pid === undefined) throw new Error("postgres is not running");
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.split("\n").filter((p) => p !== "");
  for (const p of [pid, ...children.map(Number)]) process.kill(p, signal);
}

describe("postgres: the server goes away and comes back", () => {
  it("rejects with StorageUnavailableError while stopped, reports unhealthy, and recovers by itself after a restart", async () => {
    const before = await repo.append(aMessage("before"));
    await server.stop();

    await expect(repo.append(aMessage("while down"))).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(repo.page("r", { limit: 10 })).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await repo.isHealthy()).toBe(false);
    expect(log.lines.filter((l) => l.event === "db_write_failed")).toHaveLength(1); // one line per outage, not per send

    await server.start();
    expect(await repo.isHealthy()).toBe(true);
    expect(log.lines.map((l) => l.event)).toContain("db_write_recovered");
    const after = await repo.append(aMessage("after"));
    expect(after.message.id).toBeGreaterThan(before.message.id);
    expect((await repo.page("r", { limit: 10 })).messages.map((m) => m.content)).toEqual(["before", "after"]);
  });

  it("rejects within the timeouts, instead of hanging, while the server accepts nothing and answers nothing", async () => {
    await repo.append(aMessage("warm")); // a pooled connection exists, so both a dead connection and a new one are tried
    signalAll("SIGSTOP");
    try {
      const results = await Promise.allSettled([repo.append(aMessage("frozen")), repo.page("r", { limit: 10 }), repo.append(aMessage("frozen 2"))]);
      for (const r of results) expect(r).toMatchObject({ status: "rejected", reason: expect.any(StorageUnavailableError) });
      expect(await repo.isHealthy()).toBe(false);
    } finally {
      signalAll("SIGCONT");
    }
    expect(await repo.isHealthy()).toBe(true);
    const page = await repo.page("r", { limit: 10 });
    expect(page.messages.map((m) => m.content)).not.toContain("frozen"); // rejected means not stored
  }, 15_000);
});
