// /healthz under a locked database: at most one probe write per HEALTH_PROBE_INTERVAL_MS, shared by concurrent
// requests, and a probe never blocks the event loop while it waits for the lock.
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, type TestApp } from "./helpers/app.js";

const ROOM = "general";
/** Far above a responsive loop's worst delay here (a few ms to tens under load), far below one blocking probe per request. */
const MAX_LOOP_DELAY_MS = 150;

const probesRun = (app: TestApp): number => app.logs.filter((l) => l.event === "db_health_probe").length;

function holdWriteLock(path: string): Database.Database {
  const locker = new Database(path);
  onTestFinished(() => {
    if (locker.inTransaction) locker.exec("ROLLBACK");
    locker.close();
  });
  locker.exec("BEGIN IMMEDIATE");
  return locker;
}

describe("/healthz while another connection holds the write lock", () => {
  it("answers 20 parallel probes 503 from one probe write, and the event loop and sockets stay responsive", async () => {
    const app = await startTestApp({ env: { HEALTH_PROBE_INTERVAL_MS: "60000", DB_WRITE_RETRY_MS: "300" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const locker = holdWriteLock(app.databasePath);
    expect(await alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "locked out" })).toMatchObject({
      ok: false,
      error: { code: "storage_unavailable" },
    });

    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const probes = Promise.all(Array.from({ length: 20 }, () => request(app.app.http).get("/healthz")));
    const roundTripStarted = performance.now();
    expect(await alice.timeout(5000).emitWithAck("fetch_history", { room: ROOM })).toMatchObject({ ok: true });
    const roundTripMs = performance.now() - roundTripStarted;
    const answers = await probes;
    loop.disable();

    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(503));
    expect(probesRun(app)).toBe(1);
    expect(loop.max / 1e6, "longest event-loop stall (ms)").toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(roundTripMs, "socket round trip during the probes (ms)").toBeLessThan(MAX_LOOP_DELAY_MS);

    // Within the interval: the last result, no new probe.
    expect((await request(app.app.http).get("/healthz").expect(503)).body).toMatchObject({ status: "unavailable", engines: { database: "unavailable" } });
    expect(probesRun(app)).toBe(1);

    // A write that succeeds is newer news than the last probe: healthy at once, interval or not.
    locker.exec("ROLLBACK");
    expect(await alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "free" })).toMatchObject({ ok: true });
    expect((await request(app.app.http).get("/healthz").expect(200)).body).toMatchObject({ status: "ok", engines: { database: "ok" } });
  });

  it("probes again once the interval has passed, and reports healthy when the lock is gone", async () => {
    const app = await startTestApp({ env: { HEALTH_PROBE_INTERVAL_MS: "0", DB_WRITE_RETRY_MS: "50" } });
    onTestFinished(app.close);
    const locker = holdWriteLock(app.databasePath);
    await request(app.app.http).get("/healthz").expect(503);
    await request(app.app.http).get("/healthz").expect(503);
    expect(probesRun(app)).toBe(2);
    locker.exec("ROLLBACK");
    await request(app.app.http).get("/healthz").expect(200);
    expect(probesRun(app)).toBe(3);
    await request(app.app.http).get("/healthz").expect(200); // proven: a cheap read, no more probe writes
    expect(probesRun(app)).toBe(3);
  });
});
