import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { StorageUnavailableError } from "../src/storage/repository.js";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { startChildServer } from "./helpers/child-server.js";
import { serverSideGone } from "./helpers/server-side.js";

const ROOM = "general";

/** The value of one sample in Prometheus text format; 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

async function scrape(app: TestApp): Promise<string> {
  const res = await request(app.app.http).get("/metrics").expect(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
}

/** How much each named sample moved while `act` ran. */
async function delta(app: TestApp, series: [string, Record<string, string>?][], act: () => Promise<unknown>): Promise<number[]> {
  const before = await scrape(app);
  await act();
  const after = await scrape(app);
  return series.map(([name, labels]) => sample(after, name, labels) - sample(before, name, labels));
}

describe("GET /metrics", () => {
  it("counts connected sockets and active rooms, up and down", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    expect(sample(await scrape(app), "mr_connected_sockets")).toBe(0);
    const alice = await app.joined(ROOM, "alice");
    await app.joined("other", "bob");
    let text = await scrape(app);
    expect(sample(text, "mr_connected_sockets")).toBe(2);
    expect(sample(text, "mr_active_rooms")).toBe(2);

    const gone = serverSideGone(app, alice);
    alice.disconnect();
    await gone;
    text = await scrape(app);
    expect(sample(text, "mr_connected_sockets")).toBe(1);
    expect(sample(text, "mr_active_rooms")).toBe(1);
  });

  it("counts stored messages (not a repeated clientId) and times every answer by event and outcome", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const clientId = crypto.randomUUID();
    const moved = await delta(
      app,
      [
        ["mr_messages_stored_total"],
        ["mr_ack_latency_seconds_count", { event: "send_message", outcome: "ok" }],
        ["mr_ack_latency_seconds_count", { event: "send_message", outcome: "error" }],
        ["mr_ack_latency_seconds_bucket", { event: "send_message", outcome: "ok", le: "+Inf" }],
      ],
      async () => {
        await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "one", clientId });
        await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "one", clientId });
        await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "two" });
        await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "" });
      },
    );
    expect(moved).toEqual([2, 3, 1, 3]);
  });

  it("counts errors by event and code, and rate-limit hits by event", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const moved = await delta(
      app,
      [
        ["mr_errors_total", { event: "send_message", code: "invalid_content" }],
        ["mr_errors_total", { event: "fetch_history", code: "not_in_room" }],
        ["mr_errors_total", { event: "send_message", code: "rate_limited" }],
        ["mr_rate_limited_total", { event: "send_message" }],
      ],
      async () => {
        await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "   " });
        await alice.timeout(3000).emitWithAck("fetch_history", { room: "elsewhere" });
        // The invalid send above took a token too: 9 more pass, 2 are refused.
        await Promise.all(Array.from({ length: 11 }, (_, i) => alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: `m${i}` })));
      },
    );
    expect(moved).toEqual([1, 1, 2, 2]);
  });

  it("counts database errors", async () => {
    let isFailing = false;
    const app = await startTestApp({
      wrapRepo: (repo) => ({
        append: (m) => (isFailing ? Promise.reject(new StorageUnavailableError("injected")) : repo.append(m)),
        page: (room, q) => repo.page(room, q),
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    isFailing = true;
    const moved = await delta(app, [["mr_db_errors_total"], ["mr_errors_total", { event: "send_message", code: "storage_unavailable" }]], () =>
      alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "lost?" }),
    );
    expect(moved).toEqual([1, 1]);
  });

  it("counts refused handshakes by reason", async () => {
    const app = await startTestApp({ env: { MAX_CONNECTIONS_PER_IP: "1" } });
    onTestFinished(app.close);
    const moved = await delta(
      app,
      [
        ["mr_handshakes_refused_total", { reason: "origin_not_allowed" }],
        ["mr_handshakes_refused_total", { reason: "too_many_connections" }],
      ],
      async () => {
        await request(app.app.http).get("/socket.io/?EIO=4&transport=polling").set("Origin", "https://evil.example").expect(403);
        await app.connect();
        await expect(app.connect()).rejects.toThrow();
      },
    );
    expect(moved).toEqual([1, 1]);
    expect(await scrape(app)).toContain("# TYPE mr_slow_clients_dropped_total counter");
  });

  it("asks for the bearer token when METRICS_TOKEN is set, and takes nothing else", async () => {
    const app = await startTestApp({ env: { METRICS_TOKEN: "metrics-token-123" } });
    onTestFinished(app.close);
    const denied = await request(app.app.http).get("/metrics").expect(401);
    expect(denied.headers["www-authenticate"]).toBe("Bearer");
    expect(denied.text).not.toContain("mr_");
    await request(app.app.http).get("/metrics").set("Authorization", "Bearer wrong").expect(401);
    await request(app.app.http).get("/metrics").set("Authorization", "metrics-token-123").expect(401);
    await request(app.app.http).get("/metrics?token=metrics-token-123").expect(401);
    const allowed = await request(app.app.http).get("/metrics").set("Authorization", "Bearer metrics-token-123").expect(200);
    expect(allowed.text).toContain("mr_connected_sockets");
  });

  it("includes the process metrics in the real server (RSS, event loop lag)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-metrics-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startChildServer({ databasePath: join(dir, "chat.db") });
    onTestFinished(server.stop);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });
});
