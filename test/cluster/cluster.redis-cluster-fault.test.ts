// Issue 21, §2: three nodes on a Redis Cluster of 3 masters; one room per master (picked by its channel's slot),
// a talker and a reader on every node in each, chatting the whole time. One master is SIGKILLed mid-chat and
// started again (same port, same nodes.conf: it rejoins with its slots, empty). What users see:
// - the room on that master stalls and refuses clearly: sends are still stored and acknowledged (PostgreSQL is the
//   truth), but members on other nodes do not get them live; a join there is refused with presence_unavailable;
// - once the master is back, every node re-subscribes its channels on it and has its members catch up (resync):
//   every acknowledged message reaches every member exactly once, and joins work again;
// - the rooms on the other masters never notice: no refusal, every acknowledged message arrives live, none twice.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Ack, JoinResult } from "../../src/protocol.js";
import { Ledger } from "../../soak/ledger.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { roomsOnEveryMaster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { Member, talkersAndReaders, tally, waitUntil, type Tally } from "./member.js";
import { storedIds } from "./pg.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true });
});
afterAll(async () => {
  await cluster?.remove();
});

/** One room's chat: its members, what its talkers sent, the ids acked and the contents acked under each id. */
interface RoomChat {
  room: string;
  ledger: Ledger;
  members: Member[];
  joinedAt: Map<Member, number>;
  sent: number;
  refusals: string[];
  contents: Map<number, string>;
}

async function openRoom(room: string): Promise<RoomChat> {
  const ledger = new Ledger();
  const members = await talkersAndReaders(cluster, ledger, room);
  return { room, ledger, members, joinedAt: new Map(members.map((m) => [m, performance.now()] as const)), sent: 0, refusals: [], contents: new Map() };
}

/**
 * A room on the dying master where only the first node talks and the others only read: nothing of their own makes
 * their node read a gap from the database (the room sequencer repairs a gap when a later message arrives), so what
 * they miss while the master is down is exactly what pub/sub could not carry.
 */
async function openQuietRoom(room: string): Promise<RoomChat> {
  const ledger = new Ledger();
  const members: Member[] = [];
  for (const [i, role] of ["talker", "reader", "reader"].entries()) {
    const m = new Member(ledger, i + 1, `${role}-${cluster.node(i).id}`, room);
    await m.connect(cluster.node(i).url);
    const ack = await m.join();
    if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
    members.push(m);
  }
  return { room, ledger, members, joinedAt: new Map(members.map((m) => [m, performance.now()] as const)), sent: 0, refusals: [], contents: new Map() };
}

/** Each talker sends one message after the other until `isStopping()`. */
function talk(chat: RoomChat, isStopping: () => boolean): Promise<void> {
  const one = async (m: Member): Promise<void> => {
    for (let i = 0; !isStopping(); i++) {
      chat.sent++;
      const content = `${m.name} ${i}`;
      const out = await m.send(content);
      if (out.ack.ok) chat.contents.set(out.ack.message.id, content);
      else chat.refusals.push(`${m.name} ${i}: ${out.ack.error.code}`);
    }
  };
  return Promise.all(chat.members.filter((m) => m.name.startsWith("talker")).map(one)).then(() => undefined);
}

/** A newcomer's join_chat into `room` on the first node: its ack. */
async function tryJoin(room: string, name: string): Promise<Ack<JoinResult>> {
  const m = new Member(new Ledger(), 1, name, room);
  await m.connect(cluster.node(0).url);
  try {
    return await m.join();
  } finally {
    m.close();
  }
}

const acked = (chat: RoomChat): number => chat.ledger.acked.size;
const codeOf = (ack: Ack<JoinResult>): string => (ack.ok ? "ok" : ack.error.code);

/** (reader, message) pairs: messages of the room emitted after `since` that a reader holds, and the number emitted. */
function heldSince(chat: RoomChat, since: number): { held: number; emitted: number } {
  const ids = [...chat.ledger.acked.values()].filter((a) => a.emittedAt > since).map((a) => a.id);
  const readers = chat.members.filter((m) => m.name.startsWith("reader"));
  return { held: readers.reduce((n, m) => n + ids.filter((id) => m.ids.includes(id)).length, 0), emitted: ids.length };
}

function sum(tallies: Tally[]): Tally {
  return tallies.reduce((a, t) => ({ sent: a.sent + t.sent, acked: a.acked + t.acked, delivered: a.delivered + t.delivered, lost: a.lost + t.lost, duplicated: a.duplicated + t.duplicated }), { sent: 0, acked: 0, delivered: 0, lost: 0, duplicated: 0 });
}

/** The node registry's key (redis-presence-keys.ts): its master also holds every node's heartbeat. */
const REGISTRY_KEY = "mr:p:{nodes}:all";

// Two masters to kill, one after the other on the same cluster (the first is back before the second dies): one that
// holds only rooms, and the one that also holds the node registry (heartbeats, reaping) and the room directory.
const VICTIMS = [
  { what: "a master with rooms only", pick: (redis: RedisClusterServer) => (redis.masterOf(REGISTRY_KEY) + 1) % redis.masters.length },
  { what: "the master of the node registry", pick: (redis: RedisClusterServer) => redis.masterOf(REGISTRY_KEY) },
];

describe("cluster: a Redis Cluster master dies mid-chat", () => {
  it.each(VICTIMS)("$what: stalls and refuses only the rooms on its slots, then delivers every acked message once; the other rooms never notice", async ({ what, pick }) => {
    const redis = cluster.redisCluster as RedisClusterServer;
    const VICTIM = pick(redis);
    const prefix = `v${VICTIM}`; // rooms of their own for each case
    const rooms = roomsOnEveryMaster(redis, `${prefix}-fault`);
    const busy = await Promise.all(rooms.map(openRoom));
    const hit = busy[VICTIM] as RoomChat;
    const spared = busy.filter((c) => c !== hit);
    const quiet = await openQuietRoom(roomsOnEveryMaster(redis, `${prefix}-quiet`)[VICTIM] as string);
    const chats = [...busy, quiet];

    let isStopping = false;
    const talking = Promise.all(chats.map((c) => talk(c, () => isStopping)));
    await waitUntil(() => chats.every((c) => acked(c) >= 20), 20_000, () => `acks before the kill: ${chats.map(acked).join(", ")}`);

    await redis.masters[VICTIM]?.stop(); // SIGKILL
    const killedAt = performance.now();
    const before = chats.map(acked);
    await waitUntil(() => chats.every((c, i) => acked(c) >= (before[i] as number) + 20), 30_000, () => `acks while the master was down: ${chats.map((c, i) => acked(c) - (before[i] as number)).join(", ")}`);
    const joinWhileDown = await tryJoin(hit.room, "newcomer");
    const joinElsewhereWhileDown = await tryJoin((spared[0] as RoomChat).room, "newcomer");
    // The stall: what the quiet room's talker sent since the kill has reached no reader on another node.
    const stalled = heldSince(quiet, killedAt);
    const ackedWhileDown = chats.map((c, i) => acked(c) - (before[i] as number));

    await redis.masters[VICTIM]?.start();
    await redis.waitUntilOk();
    const restartedAfterMs = Math.round(performance.now() - killedAt);
    const atRestart = acked(hit);
    await waitUntil(() => acked(hit) >= atRestart + 20, 30_000, () => `only ${acked(hit) - atRestart} acks in ${hit.room} after the master came back`);
    // Live again in the quiet room: a message sent now reaches its readers through pub/sub.
    const quietAtRestart = acked(quiet);
    await waitUntil(() => acked(quiet) >= quietAtRestart + 5, 30_000, () => `only ${acked(quiet) - quietAtRestart} acks in ${quiet.room} after the master came back`);
    const joinAfter = await tryJoin(hit.room, "latecomer");
    isStopping = true;
    await talking;

    const arrived = await Promise.allSettled(chats.flatMap((c) => c.members.map((m) => m.waitForIds([...c.ledger.acked.keys()], 20_000))));
    const waits = arrived.filter((a) => a.status === "rejected").map((a) => String((a as PromiseRejectedResult).reason));
    const tallies = chats.map((c) => {
      c.members.forEach((m) => m.finish());
      return tally(c.ledger, c.sent, c.members, c.joinedAt);
    });
    const views = await Promise.all(chats.map(async (c) => c.ledger.checkViews(await storedIds(cluster.databaseUrl, c.room))));
    // Every acked message of a spared room reached every member live (not by a catch-up).
    const notLive = spared.map((c) => c.members.reduce((n, m) => n + [...c.contents.values()].filter((content) => !m.liveContents.includes(content)).length, 0));
    const total = sum(tallies);
    const summary = {
      test: "redis-cluster-master-kill",
      victim: what,
      ...total,
      hitRoom: { room: hit.room, ...tallies[VICTIM], ackedWhileDown: ackedWhileDown[VICTIM], refused: hit.refusals.length },
      quietRoom: { room: quiet.room, ...tallies[chats.indexOf(quiet)], ackedWhileDown: ackedWhileDown[chats.indexOf(quiet)], heldByReadersAtRestart: stalled.held, emittedWhileDown: stalled.emitted, refused: quiet.refusals.length },
      sparedRooms: spared.map((c, i) => ({ room: c.room, ...tallies[chats.indexOf(c)], notLive: notLive[i], refused: c.refusals.length })),
      joins: { hitWhileDown: codeOf(joinWhileDown), sparedWhileDown: codeOf(joinElsewhereWhileDown), hitAfter: codeOf(joinAfter) },
      restartedAfterMs,
    };
    console.log(JSON.stringify(summary));
    chats.forEach((c) => c.members.forEach((m) => m.close()));

    expect(waits, JSON.stringify(summary)).toEqual([]);
    expect(total.lost, JSON.stringify(summary)).toBe(0);
    expect(total.duplicated, JSON.stringify(summary)).toBe(0);
    expect(views.map((v) => v.broken), JSON.stringify(summary)).toEqual([0, 0, 0, 0]);
    // The rooms on the dead master: sends stored and acked throughout, live delivery across nodes stalled, joins refused clearly.
    expect([hit.refusals, quiet.refusals]).toEqual([[], []]);
    expect(stalled.emitted).toBeGreaterThan(0);
    expect(stalled.held).toBe(0);
    expect(joinWhileDown).toMatchObject({ ok: false, error: { code: "presence_unavailable", message: expect.any(String) } });
    expect(joinAfter).toMatchObject({ ok: true });
    // The spared rooms: nothing refused, every message live.
    expect(joinElsewhereWhileDown).toMatchObject({ ok: true });
    expect(spared.map((c) => c.refusals)).toEqual([[], []]);
    expect(notLive).toEqual([0, 0]);
  }, 180_000);
});
