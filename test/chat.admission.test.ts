// Issue 19: while the node is behind, joins that can retry are refused at once (`overloaded`, with a jittered
// retryAfterMs) instead of queueing until they time out at the client. Here "behind" is MAX_JOINS_IN_FLIGHT joins
// still reading their history (a store held on purpose); the event loop's delay (JOIN_LOOP_BUSY_MS) is the
// other trigger, measured by the restart bench rather than forced here.
import { describe, expect, it, onTestFinished } from "vitest";
import { JoinAdmission } from "../src/chat/admission.js";
import type { HistoryPage } from "../src/storage/repository.js";
import { startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { waitFor } from "./helpers/wait.js";

describe("join admission", () => {
  it("refuses a join beyond MAX_JOINS_IN_FLIGHT with overloaded and a retryAfterMs; takes it once the first is done; never refuses an ack-less client", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    const app = await startTestApp({
      env: { MAX_JOINS_IN_FLIGHT: "1", JOIN_LOOP_BUSY_MS: "0" },
      wrapRepo: (repo) => ({
        append: (m) => repo.append(m),
        page: async (room, q): Promise<HistoryPage> => {
          if (holding && room === "slow") await held;
          return repo.page(room, q);
        },
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const first = await app.connect({ session: app.newSession() });
    const firstJoin = first.timeout(5000).emitWithAck("join_chat", { room: "slow", username: "Ana" });
    const second = await app.connect({ session: app.newSession() });
    const refused = await second.timeout(5000).emitWithAck("join_chat", { room: "other", username: "Bob" });
    expect(refused).toMatchObject({ ok: false, error: { code: "overloaded", retryAfterMs: expect.any(Number) } });
    expect(refused.ok === false && refused.error.retryAfterMs).toBeGreaterThanOrEqual(250);
    // The Flask original's clients cannot retry: they are taken whatever the load.
    const legacy = await app.connect();
    const legacyIn = waitFor(legacy, "message", (m) => m.content === "Old has joined the chat.");
    legacyEmit(legacy, "join_chat", { room: "other", username: "Old" });
    await legacyIn;
    holding = false;
    release();
    expect((await firstJoin).ok).toBe(true);
    expect((await second.timeout(5000).emitWithAck("join_chat", { room: "other", username: "Bob" })).ok).toBe(true);
  });

  // By default the number of joins under way is not bounded: on PostgreSQL a return has thousands of joins waiting on
  // the database at once while the loop is on time, and a bound of 256 refused them into retry waits (docs/performance.md).
  it("by default takes 300 joins at once, all waiting on the store, and refuses none", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    const app = await startTestApp({
      // Every test client shares 127.0.0.1: lift the per-address limits (a return comes from 300 addresses).
      env: { MAX_CONNECTIONS_PER_IP: "0", HANDSHAKES_PER_MINUTE_PER_IP: "0" },
      wrapRepo: (repo) => ({
        append: (m) => repo.append(m),
        page: async (room, q): Promise<HistoryPage> => {
          waiting++;
          await held;
          return repo.page(room, q);
        },
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const sockets = await Promise.all(Array.from({ length: 300 }, () => app.connect({ session: app.newSession() })));
    const joins = sockets.map((s, i) => s.timeout(20_000).emitWithAck("join_chat", { room: `r${i % 10}`, username: `u${i}` }));
    await expect.poll(() => waiting, { timeout: 10_000 }).toBe(300); // every one of them under way at once
    release();
    const answers = await Promise.all(joins);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
  });

  it("refuses while the event loop is late two samples running, not after one long pause, and opens again once it is on time", async () => {
    const admission = new JoinAdmission({ maxJoinsInFlight: 0, loopBusyMs: 150 });
    onTestFinished(() => admission.stop());
    const join = (): Promise<{ ok: true } | { ok: false; error: { code: string } }> => admission.admit(async () => ({ ok: true as const }));
    admission.noteLoopSample(5);
    admission.noteLoopSample(400); // one pause
    expect((await join()).ok).toBe(true);
    admission.noteLoopSample(5);
    admission.noteLoopSample(200);
    admission.noteLoopSample(180); // late, and late again
    const refused = await join();
    expect(refused.ok === false && refused.error.code).toBe("overloaded");
    admission.noteLoopSample(20);
    expect((await join()).ok).toBe(true);
  });

  it("spreads the waits it tells: more apart the later the loop, never all the same", () => {
    let x = 0;
    const admission = new JoinAdmission({ maxJoinsInFlight: 0, loopBusyMs: 0 }, () => (x = (x + 0.37) % 1));
    const refusals = Array.from({ length: 20 }, () => (admission as unknown as { refuse(): { error: { retryAfterMs: number } } }).refuse().error.retryAfterMs);
    expect(new Set(refusals).size).toBeGreaterThan(10);
    for (const r of refusals) expect(r).toBeGreaterThanOrEqual(250);
    admission.stop();
  });
});
