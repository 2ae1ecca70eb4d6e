// Issue 10, §3: three nodes on one PostgreSQL and one Redis. A message sent on node A reaches the members on
// nodes B and C once and in order; so do join/leave notices, presence deltas and typing; names and presence
// are cluster-wide. Real processes (dist/server.js), real sockets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { isNotice, type MessageEvent, type Notice, type PresenceEvent, type TypingEvent } from "../../src/protocol.js";
import { Ledger } from "../../soak/ledger.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { REDIS_SETUPS } from "../helpers/redis-setups.js";
import { waitFor } from "../helpers/wait.js";
import { describeTally, Member, tally } from "./member.js";
import { storedIds } from "./pg.js";

/** The cluster of the describe block running now (each block starts its own in beforeAll). */
let cluster: Cluster;

const members: Member[] = [];
afterAll(() => members.forEach((m) => m.close()));

async function member(ledger: Ledger, name: string, room: string, node: number): Promise<Member> {
  const m = new Member(ledger, members.length + 1, name, room);
  members.push(m);
  await m.connect(cluster.node(node).url);
  const ack = await m.join();
  if (!ack.ok) throw new Error(`${name} could not join on ${cluster.node(node).id}: ${ack.error.code} ${ack.error.message}`);
  return m;
}

// One suite, two set-ups (issue 21, §5): three nodes on one redis-server, then on a Redis Cluster of 3 masters.
describe.each(REDIS_SETUPS)("cluster: delivery across nodes (%s)", (kind) => {
  beforeAll(async () => {
    cluster = await startCluster({ pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: kind === "Redis Cluster" });
  });
  afterAll(async () => {
    members.splice(0).forEach((m) => m.close());
    await cluster?.remove();
  });

  it("delivers messages sent on any node to members on every node, once each, in each sender's order", async () => {
    const ledger = new Ledger();
    const room = "across";
    const ana = await member(ledger, "ana", room, 0);
    const bo = await member(ledger, "bo", room, 1);
    const cy = await member(ledger, "cy", room, 2);
    const dee = await member(ledger, "dee", room, 0);
    const all = [ana, bo, cy, dee];
    const joinedAt = new Map(all.map((m) => [m, performance.now()] as const));

    // Two senders on different nodes at once, each waiting for its ack before the next (its own order is defined).
    const perSender = 25;
    let sent = 0;
    const sendAll = async (from: Member): Promise<void> => {
      for (let i = 0; i < perSender; i++) {
        sent++;
        const out = await from.send(`${from.name} ${i}`);
        if (!out.ack.ok) throw new Error(`${from.name} ${i} refused: ${out.ack.error.code}`);
      }
    };
    await Promise.all([sendAll(ana), sendAll(cy)]);
    const ackedIds = [...ledger.acked.keys()];
    const arrived = await Promise.allSettled(all.map((m) => m.waitForIds(ackedIds, 8000)));

    for (const m of all) m.finish();
    const t = tally(ledger, sent, all, joinedAt);
    const live = ledger.check();
    const views = ledger.checkViews(await storedIds(cluster.databaseUrl, room));
    const counts = `${describeTally(t)}; out of order ${live.outOfOrder}; ${arrived.filter((a) => a.status === "rejected").map((a) => (a as PromiseRejectedResult).reason).join("; ")}`;
    console.info(`[cluster counts] ${counts}`); // the figures the report quotes, also when the test passes
    expect(t.acked, counts).toBe(2 * perSender);
    expect(t.lost, counts).toBe(0);
    expect(t.duplicated, counts).toBe(0);
    expect(live.outOfOrder + live.unknown + live.wrongRoom, `${counts}; ${live.examples.join("; ")}`).toBe(0);
    expect(views.broken, `${counts}; ${views.examples.join("; ")}`).toBe(0);
    for (const m of all) {
      for (const sender of [ana, cy]) {
        const mine = m.liveContents.filter((c) => c.startsWith(`${sender.name} `));
        expect(mine, `${m.name} (${m.url}) hears ${sender.name} in send order; ${counts}`).toEqual(Array.from({ length: perSender }, (_, i) => `${sender.name} ${i}`));
      }
    }
  });

  it("tells members on the other nodes who came and went: notices and presence deltas", async () => {
    const ledger = new Ledger();
    const room = "notices";
    const ana = await member(ledger, "ana", room, 0);
    const bo = await member(ledger, "bo", room, 1);
    const watchers = [ana, bo];
    const joinedNotice = watchers.map((m) => waitFor(m.need(), "message", (e: MessageEvent) => isNotice(e) && e.kind === "joined" && e.username === "eve", 5000));
    const joinedPresence = watchers.map((m) => waitFor(m.need(), "presence", (p: PresenceEvent) => (p.joined ?? []).includes("eve"), 5000));
    const eve = await member(ledger, "eve", room, 2);
    const [notices] = await Promise.all([Promise.all(joinedNotice) as Promise<Notice[]>, Promise.all(joinedPresence)]).catch((err: Error) => {
      throw new Error(`${err.message}; ana heard ${JSON.stringify(ana.events)}; bo heard ${JSON.stringify(bo.events)}`);
    });
    expect(notices.map((n) => n.content)).toEqual(["eve has joined the chat.", "eve has joined the chat."]);

    // The same list on every node, from each node's own join ack.
    const lists: string[][] = [];
    for (let node = 0; node < 3; node++) {
      const probe = new Member(ledger, 50 + node, `probe${node}`, room);
      await probe.connect(cluster.node(node).url);
      const ack = await probe.join();
      lists.push(ack.ok ? (ack.users ?? []).filter((u) => !u.startsWith("probe")) : [`join failed: ${ack.ok ? "" : ack.error.code}`]);
      probe.close();
    }
    expect(lists, "presence list per node").toEqual([["ana", "bo", "eve"], ["ana", "bo", "eve"], ["ana", "bo", "eve"]]);

    const leftNotice = watchers.map((m) => waitFor(m.need(), "message", (e: MessageEvent) => isNotice(e) && e.kind === "left" && e.username === "eve", 5000));
    const leftPresence = watchers.map((m) => waitFor(m.need(), "presence", (p: PresenceEvent) => (p.left ?? []).includes("eve"), 5000));
    eve.close(); // the name grace (NAME_GRACE_MS=500 here) passes, then the room hears that eve left
    await Promise.all([...leftNotice, ...leftPresence]).catch((err: Error) => {
      throw new Error(`${err.message}; ana heard ${JSON.stringify(ana.events)}; bo heard ${JSON.stringify(bo.events)}`);
    });
  });

  it("shows typing from one node on the others, and holds a name cluster-wide", async () => {
    const ledger = new Ledger();
    const room = "typing";
    const ana = await member(ledger, "ana", room, 0);
    const bo = await member(ledger, "bo", room, 1);
    const cy = await member(ledger, "cy", room, 2);
    const seen = [bo, cy].map((m) => waitFor(m.need(), "typing", (t: TypingEvent) => t.username === "ana" && t.isTyping, 5000));
    expect(await ana.typing(true)).toMatchObject({ ok: true });
    expect(await Promise.all(seen)).toEqual([{ room, username: "ana", isTyping: true }, { room, username: "ana", isTyping: true }]);

    const impostor = new Member(ledger, 99, "ana", room);
    members.push(impostor);
    await impostor.connect(cluster.node(2).url);
    const ack = await impostor.join();
    expect(ack, "ana is held on node-a, so node-c refuses the name").toMatchObject({ ok: false, error: { code: "name_taken" } });
  });
});
