// Issue 10, §3: PostgreSQL restarts under three running nodes. While it is down every send is answered with
// storage_unavailable within a bounded time (never a hang), every node's /healthz says 503 and why; when it is
// back, everything works again by itself: no node restarts, no client reconnects. This cluster has a
// PostgreSQL of its own, since the test stops it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../soak/ledger.js";
import { CLUSTER_TEST_ENV, health, startCluster, type Cluster } from "../helpers/cluster.js";
import { describeTally, Member, tally } from "./member.js";
import { storedIds } from "./pg.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.remove();
});

/** The longest a send may take while PostgreSQL is away: the connect or statement timeout, plus scheduling slack. */
const BOUND_MS = Math.max(Number(CLUSTER_TEST_ENV.PG_CONNECT_TIMEOUT_MS), Number(CLUSTER_TEST_ENV.PG_STATEMENT_TIMEOUT_MS)) + 2000;

describe("cluster: PostgreSQL restarts", () => {
  it("answers storage_unavailable in bounded time, says 503 and why on /healthz, and recovers by itself", async () => {
    const ledger = new Ledger();
    const room = "pg-restart";
    const members = cluster.nodes.map((node, i) => new Member(ledger, i + 1, `m-${node.id}`, room));
    for (const [i, m] of members.entries()) {
      await m.connect(cluster.node(i).url);
      const ack = await m.join();
      if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
    }
    const joinedAt = new Map(members.map((m) => [m, performance.now()] as const));
    const sockets = members.map((m) => m.socket);
    let sent = 0;
    const send = async (m: Member, content: string) => {
      sent++;
      return m.send(content);
    };

    for (const m of members) expect((await send(m, `before ${m.name}`)).ack.ok).toBe(true);
    await cluster.stopPostgres();

    const during = await Promise.all(members.map((m) => send(m, `during ${m.name}`)));
    const slowest = Math.max(...during.map((d) => d.ackedAt - d.emittedAt));
    const codes = during.map((d) => (d.ack.ok ? "ok" : d.ack.error.code));
    const healthDown = await Promise.all(cluster.nodes.map(async (n) => {
      await waitForStatus(n.url, 503);
      return health(n.url);
    }));

    await cluster.startPostgres();
    await Promise.all(cluster.nodes.map((n) => waitForStatus(n.url, 200)));
    const after = await Promise.all(members.map((m) => send(m, `after ${m.name}`)));

    const ackedIds = [...ledger.acked.keys()];
    const arrived = await Promise.allSettled(members.map((m) => m.waitForIds(ackedIds, 8000)));
    for (const m of members) m.finish();
    const t = tally(ledger, sent, members, joinedAt);
    const views = ledger.checkViews(await storedIds(cluster.databaseUrl, room));
    const waits = arrived.filter((a) => a.status === "rejected").map((a) => String((a as PromiseRejectedResult).reason));
    const counts = `${describeTally(t)}; answers while down: ${codes.join(", ")} (slowest ${slowest.toFixed(0)} ms); ${waits.join("; ")}`;
    const reconnected = members.filter((m, i) => m.socket !== sockets[i] || m.socket?.connected !== true).map((m) => m.name);
    console.info(`[cluster counts] ${counts}`); // the figures the report quotes, also when the test passes
    members.forEach((m) => m.close());

    expect(codes, counts).toEqual(["storage_unavailable", "storage_unavailable", "storage_unavailable"]);
    expect(slowest, counts).toBeLessThan(BOUND_MS);
    for (const [i, h] of healthDown.entries()) {
      const text = JSON.stringify(h.body);
      expect(h.body, `/healthz of ${cluster.node(i).id} while PostgreSQL is down: ${text}`).toMatchObject({ node: cluster.node(i).id, engines: { database: "unavailable", redis: "ok" } });
      expect(h.body.reason, `/healthz of ${cluster.node(i).id} says why: ${text}`).toMatch(/database|postgres/i);
    }
    expect(after.map((a) => a.ack.ok), counts).toEqual([true, true, true]);
    expect(reconnected, counts).toEqual([]);
    expect(t.acked, counts).toBe(6);
    expect(t.lost, counts).toBe(0);
    expect(t.duplicated, counts).toBe(0);
    expect(views.broken, `${counts}; ${views.examples.join("; ")}`).toBe(0);
    expect((await storedIds(cluster.databaseUrl, room)).get(room), "nothing refused was stored").toHaveLength(6);
  }, 90_000);
});

/** Polls /healthz until it answers `status` (the state changes inside the node: no event to await). */
async function waitForStatus(url: string, status: number, timeoutMs = 10_000): Promise<void> {
  let last = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const h = await health(url);
    last = `${h.status} ${JSON.stringify(h.body)}`;
    if (h.status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz never answered ${status}; last: ${last}`);
}
